import type { L7Fields } from '../../shared/l7/l7Fields';
import { emptyL7Stats } from '../../shared/l7/l7Stats';
import type { StreamParser } from '../../shared/l7/messageStream';
import { MessageStream } from '../../shared/l7/messageStream';
import { bytes } from './support/builders';

/** A toy protocol: `M<n><n bytes>` is a message, `S<n>` skips n bytes; anything else is invalid. */
class ToyParser implements StreamParser {
  skip = 0;
  done = false;
  readonly minStartBytes = 1;
  readonly maxMessageBytes = 6;
  resets = 0;
  reset(): void {
    this.resets++;
  }
  looksLikeStart(b: Uint8Array, offset: number): boolean {
    return b[offset] === 0x4d || b[offset] === 0x53;
  }
  parse(b: Uint8Array, offset: number, end: number, out: L7Fields[]): number {
    if (end - offset < 2) return 0;
    const n = b[offset + 1]! - 0x30;
    if (b[offset] === 0x53) {
      this.skip = n;
      return 2;
    }
    if (b[offset] !== 0x4d) return -1;
    if (end - offset < 2 + n) return 0;
    out.push({ HttpPath: Buffer.from(b.subarray(offset + 2, offset + 2 + n)).toString('latin1') });
    return 2 + n;
  }
}

function run(chunks: Array<string | ['gap', number]>, resyncing = false) {
  const stats = emptyL7Stats();
  const stream = new MessageStream(new ToyParser(), stats, resyncing);
  const out: L7Fields[] = [];
  for (const chunk of chunks) {
    if (typeof chunk === 'string') stream.push(bytes(chunk), out);
    else stream.gap(chunk[1], out);
  }
  return { paths: out.map((f) => f.HttpPath), stats, buffered: stream.bufferedBytes };
}

describe('MessageStream', () => {
  it.each<[string, Array<string | ['gap', number]>, boolean, Array<string | undefined>]>([
    ['nothing', [], false, []],
    ['two messages in one chunk', ['M2abM1c'], false, ['ab', 'c']],
    ['a message split across chunks', ['M3a', 'b', 'c'], false, ['abc']],
    ['a skip across chunks', ['S5ab', 'cde', 'M1x'], false, ['x']],
    ['a gap inside a skip is counted off', ['S5a', ['gap', 3], 'bM1x'], false, ['x']],
    ['a gap inside a message resynchronises', ['M5ab', ['gap', 3], 'junk', 'M1y'], false, ['y']],
    ['invalid bytes drop the rest of the chunk', ['M1a??M1b', 'M1c'], false, ['a', 'c']],
    ['resyncing waits for a start', ['zzz', 'M1q'], true, ['q']],
  ])('%s', (_name, chunks, resyncing, expected) => {
    expect(run(chunks, resyncing).paths).toEqual(expected);
  });

  it('gives up a message larger than the parser allows, counted', () => {
    const { paths, stats, buffered } = run(['M9', 'xxx', 'xx', 'xxxx']);
    expect(paths).toEqual([]);
    expect(stats.oversized).toBe(1);
    expect(buffered).toBe(0);
  });

  it('counts malformed input', () => {
    expect(run(['??']).stats.malformed).toBe(1);
  });
});
