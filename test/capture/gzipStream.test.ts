import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { CaptureEvent } from '../../shared/capture/capturePacket';
import { readCaptureStream } from '../../shared/capture/readCapture';
import { corrupt, seededRandom, syntheticCapture } from '../support/hostileInputs';

const SETTLE_MS = 5000;

/** Reads a file through the stream reader; rejects if it does not settle in time (the old hang). */
async function readFile(path: string, stopAfter = Infinity): Promise<CaptureEvent[]> {
  const events: CaptureEvent[] = [];
  const reading = (async () => {
    for await (const event of readCaptureStream(createReadStream(path))) {
      events.push(event);
      if (events.length >= stopAfter) break;
    }
    return events;
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${SETTLE_MS} ms`)), SETTLE_MS);
  });
  try {
    return await Promise.race([reading, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('readCaptureStream on damaged gzip files', () => {
  let dir: string;
  const gz = gzipSync(syntheticCapture(400));
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gzip-stream-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the fixture spans several 64 KiB stream chunks (where a failed write never drained)', () => {
    expect(gz.length).toBeGreaterThan(3 * 64 * 1024);
  });

  // Seeds chosen at random once; each run is replayable from its seed.
  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])(
    'corrupted body (seed %d) settles with a fatal problem',
    async (seed) => {
      const path = join(dir, `corrupt-${seed}.gz`);
      writeFileSync(path, corrupt(gz, seededRandom(seed), 8, 64 * 1024));
      const events = await readFile(path);
      const problems = events.flatMap((e) => (e.kind === 'problem' ? [e.problem] : []));
      // The damage shows either as a gzip error or, first, as a record the parser cannot read.
      expect(
        problems.some((p) => p.fatal && /gzip stream is damaged|pcap record at byte/.test(p.message)),
      ).toBe(true);
    },
  );

  it.each([0.1, 0.5, 0.99])(
    'a body truncated at %d of its length ends with a problem, not silently',
    async (fraction) => {
      const path = join(dir, `truncated-${fraction}.gz`);
      writeFileSync(path, gz.subarray(0, Math.floor(gz.length * fraction)));
      const events = await readFile(path);
      expect(events.some((e) => e.kind === 'problem' && e.problem.code === 'CAPTURE_GZIP_INVALID')).toBe(
        true,
      );
    },
  );

  it('a reader that stops early settles too', async () => {
    const path = join(dir, 'whole.gz');
    writeFileSync(path, gz);
    expect(await readFile(path, 3)).toHaveLength(3);
  });

  it('an intact body reads every packet without problems', async () => {
    const path = join(dir, 'intact.gz');
    writeFileSync(path, gz);
    const events = await readFile(path);
    expect(events.filter((e) => e.kind === 'packet')).toHaveLength(400);
    expect(events.filter((e) => e.kind === 'problem')).toEqual([]);
  });
});
