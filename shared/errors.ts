/**
 * Base class of every error this project raises on purpose. `code` is stable and machine-readable;
 * `message` is for people and names what was wrong and where.
 */
export class TraceError extends Error {
  /** Stable identifier, e.g. `CAPTURE_UNREADABLE`, `CONFIG_INVALID`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Normalises anything caught into an `Error`, keeping the original as `cause`. */
export function toError(caught: unknown): Error {
  if (caught instanceof Error) return caught;
  // Errors from another realm (vm contexts, jest) fail instanceof but are still errors.
  if (typeof caught === 'object' && caught !== null && typeof (caught as { message?: unknown }).message === 'string') {
    const error = new Error((caught as { message: string }).message, { cause: caught });
    const name = (caught as { name?: unknown }).name;
    if (typeof name === 'string') error.name = name;
    return error;
  }
  if (typeof caught === 'string') return new Error(caught);
  try {
    return new Error(JSON.stringify(caught), { cause: caught });
  } catch {
    return new Error(String(caught), { cause: caught });
  }
}

/** The message of anything caught. */
export function errorMessage(caught: unknown): string {
  return toError(caught).message;
}
