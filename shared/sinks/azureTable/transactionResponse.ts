/**
 * Reads the answer to an entity group transaction (learn: "Performing entity group transactions").
 * The service answers `202 Accepted` with a `multipart/mixed` body: one sub-response per operation
 * when the changeset succeeded, or a single sub-response for the operation that failed (the
 * changeset is atomic, so then nothing was written). The failed operation's 0-based index leads its
 * error message (`"value":"3:The property value exceeds …"`). Pure; never throws.
 */

/** Outcome of one transaction, as read from its response body. */
export type TransactionOutcome =
  | { ok: true }
  | {
      ok: false;
      /** Status of the failed operation (or of the transaction when no operation is named). */
      status: number;
      /** Service error code, e.g. `PropertyValueTooLarge`; `''` when the body has none. */
      code: string;
      /** Service message without the index prefix, first line only. */
      message: string;
      /** 0-based index of the failed operation, when the service named one. */
      index?: number;
    };

const STATUS_LINE = /(?:^|\n)HTTP\/1\.1 (\d{3})[^\r\n]*/g;

/** The service's error (`odata.error` JSON, or XML `<code>`/`<message>`) from a body; best effort. */
export function serviceError(body: string): { code: string; message: string } {
  const json = body.indexOf('{');
  if (json >= 0) {
    try {
      const end = body.lastIndexOf('}');
      const parsed = JSON.parse(body.slice(json, end + 1)) as {
        'odata.error'?: { code?: unknown; message?: unknown };
      };
      const error = parsed['odata.error'];
      if (error !== undefined) {
        const message = error.message;
        const value: unknown =
          typeof message === 'object' && message !== null && 'value' in message ? message.value : message;
        const text = typeof value === 'string' ? value : '';
        return { code: typeof error.code === 'string' ? error.code : '', message: text };
      }
    } catch {
      // Not JSON after all: fall through to the XML and plain-text forms.
    }
  }
  const code = /<code>([^<]*)<\/code>/i.exec(body)?.[1] ?? '';
  const message = /<message[^>]*>([^<]*)<\/message>/i.exec(body)?.[1] ?? body.slice(0, 200);
  return { code, message };
}

/** Reads a `202` transaction response body; `operations` is how many operations were sent. */
export function parseTransactionResponse(body: string, operations: number): TransactionOutcome {
  let seen = 0;
  STATUS_LINE.lastIndex = 0;
  for (let match = STATUS_LINE.exec(body); match !== null; match = STATUS_LINE.exec(body)) {
    const status = Number(match[1]);
    if (status >= 200 && status < 300) {
      seen++;
      continue;
    }
    // The failed operation's part runs to the next delimiter; its body is the error.
    const start = match.index + match[0].length;
    const next = body.indexOf('\n--', start);
    const { code, message } = serviceError(body.slice(start, next < 0 ? undefined : next));
    const indexed = /^(\d+):/.exec(message);
    const firstLine = (indexed === null ? message : message.slice(indexed[0].length)).split(/\r?\n/)[0] ?? '';
    const outcome: TransactionOutcome = { ok: false, status, code, message: firstLine.trim() };
    if (indexed !== null) {
      const index = Number(indexed[1]);
      if (index < operations) outcome.index = index;
    }
    return outcome;
  }
  if (seen === operations) return { ok: true };
  return {
    ok: false,
    status: 202,
    code: 'TABLE_RESPONSE_INVALID',
    message: `the transaction response holds ${seen} results for ${operations} operations`,
  };
}
