/** pcapng option lists: `code(2) length(2) value, padded to 4`, ended by `opt_endofopt` (0). */
import { readU16 } from './byteOrder';

/** Option codes this project reads or writes. */
export const PcapngOption = {
  END: 0,
  COMMENT: 1,
  SHB_HARDWARE: 2,
  SHB_OS: 3,
  SHB_USERAPPL: 4,
  IF_NAME: 2,
  IF_DESCRIPTION: 3,
  IF_TSRESOL: 9,
  IF_TSOFFSET: 14,
  EPB_FLAGS: 2,
  CUSTOM_UTF8: 2988,
  CUSTOM_BINARY: 2989,
} as const;

/**
 * Calls `visit(code, valueStart, valueLength)` for each option in `bytes[start, end)`.
 * Returns a description of the first framing error, or undefined when the list is well formed.
 * A list that simply ends without `opt_endofopt` is accepted, as Wireshark does.
 */
export function walkOptions(
  bytes: Uint8Array,
  start: number,
  end: number,
  littleEndian: boolean,
  visit: (code: number, valueStart: number, valueLength: number) => void,
): string | undefined {
  let at = start;
  while (at + 4 <= end) {
    const code = readU16(bytes, at, littleEndian);
    const length = readU16(bytes, at + 2, littleEndian);
    if (code === PcapngOption.END) return undefined;
    const valueStart = at + 4;
    if (valueStart + length > end) {
      return `option ${code} at byte ${at - start} of the option list claims ${length} bytes, only ${end - valueStart} remain`;
    }
    visit(code, valueStart, length);
    at = valueStart + ((length + 3) & ~3);
  }
  return undefined;
}

const utf8 = new TextDecoder('utf-8');

/** Decodes a UTF-8 option value, dropping a trailing NUL some writers add. */
export function optionText(bytes: Uint8Array, start: number, length: number): string {
  let end = start + length;
  while (end > start && bytes[end - 1] === 0) end--;
  return utf8.decode(bytes.subarray(start, end));
}
