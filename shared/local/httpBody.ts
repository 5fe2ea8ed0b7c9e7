import type { IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** A request body read with a size limit, decompressed when `Content-Encoding: gzip`. */
export type BodyResult =
  { ok: true; body: Buffer; wireBytes: number } | { ok: false; status: 413 | 400 | 415; message: string };

/**
 * Reads the whole body. Bodies over `maxBytes` on the wire or after decompression are 413 (the
 * rest is drained, not buffered); corrupt gzip is 400; an unknown content encoding is 415.
 */
export async function readBody(request: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const chunks: Buffer[] = [];
  let wireBytes = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    wireBytes += buffer.length;
    if (wireBytes <= maxBytes) chunks.push(buffer);
  }
  if (wireBytes > maxBytes)
    return {
      ok: false,
      status: 413,
      message: `request body is ${wireBytes} bytes; the limit is ${maxBytes}`,
    };
  const raw = Buffer.concat(chunks);
  const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (encoding === 'identity' || encoding === '') return { ok: true, body: raw, wireBytes };
  if (encoding !== 'gzip')
    return { ok: false, status: 415, message: `unsupported Content-Encoding '${encoding}'` };
  let body: Buffer;
  try {
    body = gunzipSync(raw, { maxOutputLength: maxBytes + 1 });
  } catch (caught) {
    const tooLarge =
      caught instanceof RangeError || (caught as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    return tooLarge
      ? { ok: false, status: 413, message: `decompressed body exceeds ${maxBytes} bytes` }
      : { ok: false, status: 400, message: 'body is not valid gzip' };
  }
  if (body.length > maxBytes)
    return {
      ok: false,
      status: 413,
      message: `decompressed body is ${body.length} bytes; the limit is ${maxBytes}`,
    };
  return { ok: true, body, wireBytes };
}
