/**
 * An ALPN protocol id (opaque bytes, read as Latin-1) as unambiguous printable text for `TlsAlpn`:
 * printable ASCII except `\` is kept, `\` becomes `\\`, and every other byte `\xHH` (two lower-case
 * hex digits). So `h2` stays `h2`, and the GREASE-like id 0x0a 0x1a becomes `\x0a\x1a`.
 */
export function alpnText(id: string): string {
  let plain = true;
  for (let i = 0; i < id.length; i++) {
    const code = id.charCodeAt(i);
    if (code < 0x20 || code > 0x7e || code === 0x5c) {
      plain = false;
      break;
    }
  }
  if (plain) return id;
  let text = '';
  for (let i = 0; i < id.length; i++) {
    const code = id.charCodeAt(i);
    if (code === 0x5c) text += '\\\\';
    else if (code >= 0x20 && code <= 0x7e) text += id[i]!;
    else text += '\\x' + (code & 0xff).toString(16).padStart(2, '0');
  }
  return text;
}
