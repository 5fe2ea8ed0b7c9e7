import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { writePcap } from '../../shared/capture/pcapWriter';
import type { CommandIo } from '../../shared/cli/command';
import { COMMANDS } from '../../shared/cli/commands';
import { runCli } from '../../shared/cli/run';
import { isClosedOutput, stdoutWriter } from '../../shared/cli/stdoutWriter';
import { craftFrame } from '../../shared/packet/craftFrame';

const ROOT = path.join(__dirname, '..', '..');

/** A writable that takes `delayMs` per write and holds at most `highWaterMark` bytes before saying "full". */
function slowWritable(
  delayMs: number,
  highWaterMark: number,
): Writable & { received: Buffer[]; peakBuffered: number } {
  const received: Buffer[] = [];
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, callback) {
      received.push(chunk);
      setTimeout(callback, delayMs).unref();
    },
  }) as Writable & { received: Buffer[]; peakBuffered: number };
  stream.received = received;
  stream.peakBuffered = 0;
  const write = stream.write.bind(stream) as (chunk: string) => boolean;
  stream.write = ((chunk: string) => {
    const accepted = write(chunk);
    stream.peakBuffered = Math.max(stream.peakBuffered, stream.writableLength);
    return accepted;
  }) as typeof stream.write;
  return stream;
}

describe('stdoutWriter', () => {
  it('resolves at once while the stream has room, and only after it drains once full', async () => {
    const output = slowWritable(20, 10);
    const writer = stdoutWriter(output);
    await writer.writeChunk('abc');
    let drained = false;
    const waiting = writer.writeChunk('0123456789').then(() => (drained = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBe(false);
    await waiting;
    expect(Buffer.concat(output.received).toString()).toBe('abc0123456789');
  });

  it('rejects with the stream error (EPIPE) once the reader went away, and drops later plain writes', async () => {
    const output = new PassThrough();
    const writer = stdoutWriter(output);
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    output.destroy(epipe);
    await new Promise((resolve) => setImmediate(resolve));
    await expect(writer.writeChunk('x')).rejects.toBe(epipe);
    expect(() => writer.write('ignored')).not.toThrow();
  });

  it('rejects a write waiting for room when the stream fails meanwhile', async () => {
    const output = slowWritable(1000, 1);
    const writer = stdoutWriter(output);
    const waiting = writer.writeChunk('more than one byte');
    output.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await expect(waiting).rejects.toMatchObject({ code: 'EPIPE' });
  });

  it.each<[string, unknown, boolean]>([
    ['EPIPE', { code: 'EPIPE' }, true],
    ['ECONNRESET', { code: 'ECONNRESET' }, true],
    ['a destroyed stream', { code: 'ERR_STREAM_DESTROYED' }, true],
    ['a full disk', { code: 'ENOSPC' }, false],
    ['no code', new Error('x'), false],
    ['not an object', 'EPIPE', false],
    ['nothing', undefined, false],
  ])('isClosedOutput: %s', (_name, caught, closed) => {
    expect(isClosedOutput(caught)).toBe(closed);
  });
});

describe('tracectl inspect with a large output', () => {
  let scratch: string;
  let capture: string;
  const PACKETS = 30_000;
  const DAMAGED_FRAME = 25_000;

  beforeAll(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'tracectl-output-'));
    capture = path.join(scratch, 'big.pcap');
    const frames = Array.from({ length: PACKETS }, (_, i) => {
      const data = craftFrame({
        source: `10.1.${(i >> 8) & 0xff}.${i & 0xff}`,
        destination: '10.2.0.1',
        transport: { protocol: 'udp', sourcePort: 1024 + (i % 50_000), destinationPort: 9000 },
        payload: 'x'.repeat(64),
      });
      // One frame cut inside its UDP header, far beyond the first read chunk.
      return {
        timestampSec: 1_700_000_000 + i,
        timestampNsec: 0,
        data: i + 1 === DAMAGED_FRAME ? data.subarray(0, 38) : data,
      };
    });
    writeFileSync(capture, writePcap({ linkType: 1 }, frames));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('waits for a slow stdout instead of buffering everything, and completes', async () => {
    const output = slowWritable(1, 64 * 1024);
    const writer = stdoutWriter(output);
    let stderr = '';
    const io: CommandIo = {
      stdout: (text) => writer.write(text),
      writeStdout: (chunk) => writer.writeChunk(chunk),
      stderr: (text) => (stderr += text),
      env: {},
      cwd: ROOT,
    };
    expect(await runCli(['inspect', capture], COMMANDS, io)).toBe(0);
    await new Promise<void>((resolve) => output.end(resolve));
    const lines = Buffer.concat(output.received).toString('utf8').trimEnd().split('\n');
    expect(lines.length).toBe(PACKETS); // the damaged frame keeps its IP-layer record
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ CaptureFrame: PACKETS, DestinationPort: 9000 });
    // Without backpressure the whole output (about 19 MB) would sit in the stream's buffer; with it,
    // at most the records of one read chunk (a few MB) do.
    expect(output.peakBuffered).toBeLessThan(6 * 1024 * 1024);
    // A damaged frame is still named, with its file and frame number.
    expect(stderr).toContain(`${capture}: frame ${DAMAGED_FRAME}: `);
    expect(stderr).toContain(`${capture}: ${PACKETS} packets, ${PACKETS} with IP, 1 damaged`);
  });

  it.each<[string, string, number, RegExp]>([
    ['a closed pipe', 'EPIPE', 0, /^$/],
    ['a full disk', 'ENOSPC', 2, /^tracectl inspect: cannot write the records: no room\n$/],
  ])('stops reading at the first failed write: %s', async (_name, code, exitCode, stderrPattern) => {
    let writes = 0;
    let stderr = '';
    const io: CommandIo = {
      stdout: () => undefined,
      writeStdout: () => {
        writes += 1;
        return Promise.reject(Object.assign(new Error('no room'), { code }));
      },
      stderr: (text) => (stderr += text),
      env: {},
      cwd: ROOT,
    };
    expect(await runCli(['inspect', capture], COMMANDS, io)).toBe(exitCode);
    expect(stderr).toMatch(stderrPattern);
    // The chunks parsed before the failure was seen, not the whole capture.
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThan(PACKETS / 2048);
  });

  function run(onStdout: (child: ReturnType<typeof spawn>) => void): Promise<{
    code: number | null;
    signal: string | null;
    stdoutBytes: number;
    stdout: string;
    stderr: string;
  }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'tracectl.js'), 'inspect', capture], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      const chunks: Buffer[] = [];
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      onStdout(child);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        const stdout = Buffer.concat(chunks).toString('utf8');
        resolve({ code, signal, stdoutBytes: stdout.length, stdout, stderr });
      });
    });
  }

  it('exits 0 quietly when the reader closes the pipe early (| head)', async () => {
    const result = await run((child) => {
      child.stdout!.once('data', () => child.stdout!.destroy());
    });
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(result.stderr).not.toMatch(/EPIPE|Error|at /);
  }, 60_000);

  it('writes every record through a pipe read slowly (backpressure), as a real process', async () => {
    const result = await run((child) => {
      child.stdout!.on('data', () => {
        child.stdout!.pause();
        setTimeout(() => child.stdout!.resume(), 2);
      });
    });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.length).toBe(PACKETS); // the damaged frame keeps its IP-layer record
    expect(
      lines.map((line) => (JSON.parse(line) as { CaptureFrame: number }).CaptureFrame).slice(-2),
    ).toEqual([PACKETS - 1, PACKETS]);
    expect(result.stderr).toContain(`frame ${DAMAGED_FRAME}: `);
  }, 60_000);
});
