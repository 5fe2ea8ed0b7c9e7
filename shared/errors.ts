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
  // Errors from another realm (jest's test context, vm) fail instanceof but are still errors.
  if (Object.prototype.toString.call(caught) === '[object Error]') return caught as Error;
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
