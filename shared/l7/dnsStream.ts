import { u16 } from './bytes';
import { parseDnsMessage } from './dns';
import type { L7Fields } from './l7Fields';
import type { L7Stats } from './l7Stats';
import type { StreamParser } from './messageStream';

/**
 * DNS over TCP in one direction (RFC 1035 §4.2.2, RFC 7766): each message is preceded by its
 * 2-byte length; several may share a segment and one may span many. A message that does not parse
 * is counted and skipped by its length, so framing survives it.
 */
export class DnsTcpStreamParser implements StreamParser {
  skip = 0;
  done = false;
  readonly minStartBytes = 4;
  readonly maxMessageBytes = 2 + 0xffff;

  constructor(private readonly stats: L7Stats) {}

  reset(): void {}

  looksLikeStart(bytes: Uint8Array, offset: number, end: number): boolean {
    if (end - offset < 4) return end - offset >= 2 && u16(bytes, offset) >= 12;
    const length = u16(bytes, offset);
    const opcode = ((bytes[offset + 4] ?? 0) >> 3) & 0xf;
    return length >= 12 && opcode <= 6;
  }

  parse(bytes: Uint8Array, offset: number, end: number, out: L7Fields[]): number {
    if (end - offset < 2) return 0;
    const length = u16(bytes, offset);
    if (end - offset < 2 + length) return 0;
    const parsed = parseDnsMessage(bytes.subarray(offset + 2, offset + 2 + length));
    if (parsed.ok) out.push(parsed.fields);
    else this.stats.malformed++;
    return 2 + length;
  }
}
