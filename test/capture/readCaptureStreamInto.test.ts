import { chunked, sampleCapture } from './support/sampleCapture';
import { gzipSync } from 'node:zlib';
import type { CaptureEvent } from '../../shared/capture/capturePacket';
import { readCaptureStream, readCaptureStreamInto } from '../../shared/capture/readCapture';

const summary = (events: CaptureEvent[]): unknown[] =>
  events.map((e) =>
    e.kind === 'packet'
      ? [e.packet.frame, e.packet.timestampSec, e.packet.timestampNsec, Array.from(e.packet.data)]
      : e.kind === 'problem'
        ? [e.problem.code, e.problem.message]
        : e.interface.name,
  );

async function streamed(source: () => AsyncIterable<Uint8Array>): Promise<CaptureEvent[]> {
  const events: CaptureEvent[] = [];
  for await (const event of readCaptureStream(source())) events.push(event);
  return events;
}

async function handedOver(source: () => AsyncIterable<Uint8Array>): Promise<CaptureEvent[]> {
  const events: CaptureEvent[] = [];
  await readCaptureStreamInto(source(), {
    onInterface: (iface) => events.push({ kind: 'interface', interface: iface }),
    onPacket: (packet) => events.push({ kind: 'packet', packet }),
    onProblem: (problem) => events.push({ kind: 'problem', problem }),
  });
  return events;
}

const full = sampleCapture(200);

describe('readCaptureStreamInto', () => {
  it.each<[string, Uint8Array, number]>([
    ['whole, 1-byte chunks', full, 1],
    ['whole, 7-byte chunks', full, 7],
    ['whole, one chunk', full, 1 << 20],
    ['cut inside the last block', full.subarray(0, full.length - 7), 64],
    ['cut 2000 bytes before the end', full.subarray(0, full.length - 2000), 1000],
    ['gzip, 5-byte chunks', gzipSync(full), 5],
    ['gzip, cut', gzipSync(full).subarray(0, 3000), 4096],
    ['empty', new Uint8Array(0), 16],
    ['not a capture', new TextEncoder().encode('hello world, not a capture'), 4],
  ])('hands over the events readCaptureStream yields, in order: %s', async (_name, bytes, size) => {
    const expected = await streamed(() => chunked(bytes, size));
    const events = await handedOver(() => chunked(bytes, size));
    expect(summary(events)).toEqual(summary(expected));
    expect(events.length).toBeGreaterThan(0);
  });

  it('reports a source that fails mid-way as a problem naming the last frame', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield full.subarray(0, 3000);
      throw new Error('disk on fire');
    }
    const events = await handedOver(failing);
    const packets = events.filter((e) => e.kind === 'packet').length;
    expect(packets).toBeGreaterThan(10);
    const problems = events.flatMap((e) => (e.kind === 'problem' ? [e.problem] : []));
    expect(problems[0]).toMatchObject({ code: 'CAPTURE_TRUNCATED', fatal: true, frame: packets });
    expect(problems[0]!.message).toContain(`after frame ${packets}: disk on fire`);
  });

  it('waits for afterChunk between chunks, and stops reading (closing the source) when it says so', async () => {
    let closed = false;
    let chunksRead = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        for await (const chunk of chunked(full, 500)) {
          chunksRead += 1;
          yield chunk;
        }
      } finally {
        closed = true;
      }
    }
    let packets = 0;
    const seenAtEachPause: number[] = [];
    await readCaptureStreamInto(source(), {
      onPacket: () => (packets += 1),
      onProblem: () => {
        throw new Error('no problem expected');
      },
      afterChunk: async () => {
        seenAtEachPause.push(packets);
        await new Promise((resolve) => setImmediate(resolve));
        return seenAtEachPause.length < 3;
      },
    });
    expect(seenAtEachPause).toHaveLength(3);
    expect(packets).toBe(seenAtEachPause[2]);
    expect(packets).toBeLessThan(200);
    expect(chunksRead).toBe(3);
    expect(closed).toBe(true);
  });

  it('rejects with what a handler throws', async () => {
    await expect(
      readCaptureStreamInto(chunked(full, 100), {
        onPacket: () => {
          throw new Error('consumer broke');
        },
        onProblem: () => undefined,
      }),
    ).rejects.toThrow('consumer broke');
  });
});
