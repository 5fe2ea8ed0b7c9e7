/**
 * The small slice of an HTTP exchange the API logic needs. `@azure/functions` HttpRequest and the
 * local host's requests both satisfy {@link ApiRequest}, so the logic is tested without a host.
 */

/** An incoming request. */
export interface ApiRequest {
  method: string;
  /** Route parameters. */
  params: Readonly<Record<string, string | undefined>>;
  query: URLSearchParams;
  headers: { get(name: string): string | null };
  /** Reads the body as text. */
  text(): Promise<string>;
}

/** An outgoing response. */
export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  jsonBody?: unknown;
}

/** A problem response body (RFC 9457 style) with the field paths of every issue. */
export interface ProblemBody {
  title: string;
  status: number;
  detail: string;
  /** One entry per problem, with the field path when there is one. */
  errors?: { path: string; message: string; line?: number; column?: number }[];
}

/** Builds a problem response. */
export function problem(status: number, title: string, detail: string, errors?: ProblemBody['errors']): ApiResponse {
  const body: ProblemBody = { title, status, detail };
  if (errors !== undefined && errors.length > 0) body.errors = errors;
  return { status, headers: { 'content-type': 'application/problem+json' }, jsonBody: body };
}

/**
 * Reads the request body within a byte limit. Resolves to the text or to a 413 response.
 * `content-length` is checked first so oversized uploads are refused without buffering twice.
 */
export async function readBodyWithin(request: ApiRequest, maxBytes: number): Promise<string | ApiResponse> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  const tooLarge = (size: number) =>
    problem(413, 'Payload Too Large', `The request body is ${size} bytes; the limit is ${maxBytes} bytes (MAX_REQUEST_BODY_BYTES).`);
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge(declared);
  const text = await request.text();
  const size = Buffer.byteLength(text, 'utf8');
  if (size > maxBytes) return tooLarge(size);
  return text;
}
