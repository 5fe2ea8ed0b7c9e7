/** Marker appended to a value cut to a service's limit, so readers can tell it is incomplete. */
export const TRUNCATION_MARKER = '…[truncated]';

/**
 * Cuts `text` to at most `maxChars` UTF-16 code units (marker included), never splitting a
 * surrogate pair. Returns the text unchanged when it fits.
 */
export function truncateText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let end = Math.max(0, maxChars - TRUNCATION_MARKER.length);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + TRUNCATION_MARKER;
}
