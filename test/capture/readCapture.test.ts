import { chunked, sampleCapture } from './support/sampleCapture';
import { gzipSync } from 'node:zlib';
import type { CaptureEvent } from '../../shared/capture/capturePacket';
import { PcapngWriter } from '../../shared/capture/pcapngWriter';
import { writePcap } from '../../shared/capture/pcapWriter';
import {
  iterateCapture,
  readCapture,
  readCaptureInto,
  readCaptureStream,
} from '../../shared/capture/readCapture';

async function collect(stream: AsyncIterable<CaptureEvent>): Promise<CaptureEvent[]> {
  const events: CaptureEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

const summary = (events: CaptureEvent[]): unknown[] =>
  events.map((e) =>
    e.kind === 'packet'
      ? [e.packet.frame, e.packet.timestampSec, e.packet.timestampNsec, Array.from(e.packet.data)]
      : e.kind === 'problem'
        ? e.problem.code
        : e.interface.name,
  );

describe('readCapture / readCaptureStream', () => {
  it.each([1, 3, 7, 64, 1000, 1 << 20])(
    'a stream in %s-byte chunks yields what the buffer reader reads',
    async (size) => {
      const bytes = sampleCapture(50);
      const whole = readCapture(bytes);
      const events = await collect(readCaptureStream(chunked(bytes, size)));
      expect(summary(events)).toEqual(
        summary([
          { kind: 'interface', interface: whole.interfaces[0]! },
          ...whole.packets.map((packet) => ({ kind: 'packet' as const, packet })),
        ]),
      );
    },
  );

  it.each([
    ['whole', 0],
    ['cut inside the last block', 7],
    ['cut 2000 bytes before the end', 2000],
  ])('iterateCapture yields what readCapture reads: %s', (_name, cut) => {
    const full = sampleCapture(200);
    const bytes = full.subarray(0, full.length - cut);
    const whole = readCapture(bytes);
    const events = [...iterateCapture(bytes)];
    expect(summary(events)).toEqual(
      summary([
        { kind: 'interface', interface: whole.interfaces[0]! },
        ...whole.packets.map((packet) => ({ kind: 'packet' as const, packet })),
        ...whole.problems.map((problem) => ({ kind: 'problem' as const, problem })),
      ]),
    );
    expect(whole.problems).toHaveLength(cut === 0 ? 0 : 1);
  });

  it.each([
    ['whole', 0, false],
    ['cut inside the last block', 7, false],
    ['cut 2000 bytes before the end', 2000, false],
    ['gzip', 0, true],
    ['gzip, cut', 2000, true],
  ])('readCaptureInto hands over what readCapture reads, in capture order: %s', (_name, cut, zipped) => {
    const full = zipped ? gzipSync(sampleCapture(200)) : sampleCapture(200);
    const bytes = full.subarray(0, full.length - cut);
    const whole = readCapture(bytes);
    const events: CaptureEvent[] = [];
    const result = readCaptureInto(bytes, {
      onPacket: (packet) => events.push({ kind: 'packet', packet }),
      onProblem: (problem) => events.push({ kind: 'problem', problem }),
    });
    // A damaged gzip body is known before the first packet; container damage after the last.
    const gzipProblems = whole.problems.filter((p) => p.code.startsWith('CAPTURE_GZIP'));
    const containerProblems = whole.problems.filter((p) => !p.code.startsWith('CAPTURE_GZIP'));
    expect(summary(events)).toEqual(
      summary([
        ...gzipProblems.map((problem) => ({ kind: 'problem' as const, problem })),
        ...whole.packets.map((packet) => ({ kind: 'packet' as const, packet })),
        ...containerProblems.map((problem) => ({ kind: 'problem' as const, problem })),
      ]),
    );
    expect(whole.problems).toHaveLength(cut === 0 ? 0 : zipped ? 2 : 1);
    expect(result).toEqual({ gzip: zipped, format: whole.format });
    expect(whole.packets.length).toBeGreaterThan(zipped && cut > 0 ? 10 : 100);
  });

  it.each([
    ['empty', new Uint8Array(0), ['CAPTURE_EMPTY']],
    ['bomb', gzipSync(new Uint8Array(2 * 1024 * 1024)), ['CAPTURE_GZIP_TOO_LARGE']],
  ])('readCaptureInto reports %s input as a problem', (_name, bytes, codes) => {
    const seen: string[] = [];
    readCaptureInto(
      bytes,
      { onPacket: () => seen.push('packet'), onProblem: (problem) => seen.push(problem.code) },
      { maxDecompressedBytes: 1024 * 1024 },
    );
    expect(seen).toEqual(codes);
  });

  it.each([
    ['empty', new Uint8Array(0), ['CAPTURE_EMPTY']],
    ['bomb', gzipSync(new Uint8Array(2 * 1024 * 1024)), ['CAPTURE_GZIP_TOO_LARGE']],
  ])('iterateCapture reports %s input as a problem', (_name, bytes, codes) => {
    const events = [...iterateCapture(bytes, { maxDecompressedBytes: 1024 * 1024 })];
    expect(events.map((e) => (e.kind === 'problem' ? e.problem.code : e.kind))).toEqual(codes);
  });

  it.each([1, 5, 4096])('decompresses gzip transparently (%s-byte chunks when streaming)', async (size) => {
    const bytes = sampleCapture(50);
    const zipped = gzipSync(bytes);
    const result = readCapture(zipped);
    expect(result.gzip).toBe(true);
    expect(result.packets).toHaveLength(50);
    const events = await collect(readCaptureStream(chunked(zipped, size)));
    expect(events.filter((e) => e.kind === 'packet')).toHaveLength(50);
  });

  it('rejects a decompression bomb with a clear problem', async () => {
    const bomb = gzipSync(new Uint8Array(8 * 1024 * 1024));
    const result = readCapture(bomb, { maxDecompressedBytes: 1024 * 1024 });
    expect(result.packets).toEqual([]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ code: 'CAPTURE_GZIP_TOO_LARGE', fatal: true });
    expect(result.problems[0]!.message).toContain('more than 1048576 bytes');
    // A stream stops at the bound even inside one huge (valid-looking) block.
    const writer = new PcapngWriter();
    writer.addInterface({ linkType: 1 });
    writer.addPacket({
      interfaceIndex: 0,
      timestampSec: 0,
      timestampNsec: 0,
      data: new Uint8Array(8 * 1024 * 1024),
    });
    const streamBomb = gzipSync(writer.toBytes());
    const events = await collect(
      readCaptureStream(chunked(streamBomb, 4096), { maxDecompressedBytes: 1024 * 1024 }),
    );
    expect(events.some((e) => e.kind === 'problem' && e.problem.code === 'CAPTURE_GZIP_TOO_LARGE')).toBe(
      true,
    );
  });

  it('keeps the packets before the damage of a truncated gzip body', () => {
    const zipped = gzipSync(sampleCapture(200));
    const result = readCapture(zipped.subarray(0, Math.floor(zipped.length * 0.7)));
    expect(result.packets.length).toBeGreaterThan(10);
    expect(result.packets.length).toBeLessThan(200);
    expect(result.problems.map((p) => p.code)).toContain('CAPTURE_GZIP_INVALID');
  });

  it('keeps the packets before the damage of a truncated gzip stream', async () => {
    const zipped = gzipSync(sampleCapture(200));
    const events = await collect(
      readCaptureStream(chunked(zipped.subarray(0, Math.floor(zipped.length * 0.7)), 512)),
    );
    expect(events.filter((e) => e.kind === 'packet').length).toBeGreaterThan(10);
    expect(events.filter((e) => e.kind === 'problem').length).toBeGreaterThan(0);
  });

  it.each([
    ['empty', new Uint8Array(0), 'CAPTURE_EMPTY'],
    ['text', new TextEncoder().encode('hello world'), 'CAPTURE_UNKNOWN_FORMAT'],
    ['two bytes', Uint8Array.of(0xd4, 0xc3), 'CAPTURE_UNKNOWN_FORMAT'],
  ])('%s input is one fatal problem, from both readers', async (_name, bytes, code) => {
    const result = readCapture(bytes);
    expect(result.format).toBeUndefined();
    expect(result.problems.map((p) => p.code)).toEqual([code]);
    const events = await collect(readCaptureStream(chunked(bytes, 4)));
    expect(events.map((e) => (e.kind === 'problem' ? e.problem.code : e.kind))).toEqual([code]);
  });

  it('reports a source that fails mid-way instead of throwing', async () => {
    const bytes = writePcap({ linkType: 1 }, [
      { timestampSec: 1, timestampNsec: 0, data: new Uint8Array(30) },
    ]);
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield bytes;
      throw new Error('disk on fire');
    }
    const events = await collect(readCaptureStream(failing()));
    expect(events.filter((e) => e.kind === 'packet')).toHaveLength(1);
    const problem = events.find((e) => e.kind === 'problem');
    expect(problem?.kind === 'problem' && problem.problem.message).toContain('disk on fire');
  });
});
