/**
 * UTF-8 byte length of `JSON.stringify(value)` without building the text: sinks size every record
 * against request limits, and serialising a record only to measure it costs as much as encoding it.
 */

// Characters JSON.stringify escapes (controls, quote, backslash, lone surrogates) or that take
// more than one UTF-8 byte: a string without any is exactly its length plus two quotes.
// eslint-disable-next-line no-control-regex
const NOT_PLAIN_ASCII = /[\u0000-\u001f"\\\u007f-\uffff]/;

/** Bytes of one JSON string literal (quotes included). */
export function jsonStringByteLength(text: string): number {
  if (!NOT_PLAIN_ASCII.test(text)) return text.length + 2;
  return Buffer.byteLength(JSON.stringify(text));
}

/**
 * The UTF-8 byte length of `JSON.stringify(value)`, for JSON data (strings, finite or non-finite
 * numbers, booleans, null, arrays and plain objects). Anything else (a `toJSON` method, bigint,
 * a class instance) is measured by serialising it. `undefined` and functions at the top level
 * give 0, as `JSON.stringify` gives no text.
 */
export function jsonByteLength(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return jsonStringByteLength(value);
    case 'number':
      return Number.isFinite(value) ? String(value).length : 4;
    case 'boolean':
      return value ? 4 : 5;
    case 'undefined':
    case 'function':
    case 'symbol':
      return 0;
    case 'object':
      if (value === null) return 4;
      if (Array.isArray(value)) return arrayByteLength(value);
      if (Object.getPrototypeOf(value) === Object.prototype && !('toJSON' in value))
        return objectByteLength(value as Record<string, unknown>);
      return serialisedByteLength(value);
    case 'bigint':
      // JSON.stringify throws on bigint; so does this, by delegating.
      return serialisedByteLength(value);
  }
}

function arrayByteLength(values: readonly unknown[]): number {
  let bytes = 2 + Math.max(0, values.length - 1);
  for (const item of values) {
    // Inside arrays, JSON.stringify writes `null` for values it cannot represent.
    const t = typeof item;
    bytes += t === 'undefined' || t === 'function' || t === 'symbol' ? 4 : jsonByteLength(item);
  }
  return bytes;
}

function objectByteLength(object: Record<string, unknown>): number {
  let bytes = 2;
  let members = 0;
  for (const key in object) {
    if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
    const item = object[key];
    const t = typeof item;
    // Inside objects, JSON.stringify omits members it cannot represent.
    if (t === 'undefined' || t === 'function' || t === 'symbol') continue;
    bytes += jsonStringByteLength(key) + 1 + jsonByteLength(item);
    members++;
  }
  return bytes + Math.max(0, members - 1);
}

function serialisedByteLength(value: unknown): number {
  const text = JSON.stringify(value) as string | undefined;
  return text === undefined ? 0 : Buffer.byteLength(text);
}
