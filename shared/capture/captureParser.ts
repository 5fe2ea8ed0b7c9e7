/**
 * Incremental capture parsing: feed chunks as they arrive, get interfaces, packets and problems
 * out. Whole buffers are parsed without copying; in a stream only a record split across two chunks
 * is copied.
 */
import type { CaptureFormat, CaptureInterface, CapturePacket, CaptureProblem } from './capturePacket';
import type { CaptureSink, FormatParser } from './captureSink';
import { pcapMagic, PcapParser } from './pcapParser';
import { PcapngParser } from './pcapngParser';

/** Detects the container format from the first four bytes; undefined when not a capture. */
export function detectCaptureFormat(bytes: Uint8Array): CaptureFormat | undefined {
  if (bytes.length < 4) return undefined;
  if (bytes[0] === 0x0a && bytes[1] === 0x0d && bytes[2] === 0x0d && bytes[3] === 0x0a) return 'pcapng';
  return pcapMagic(bytes) === undefined ? undefined : 'pcap';
}

/** Parses one capture (pcap or pcapng) from chunks, reporting to a {@link CaptureSink}. */
export class CaptureParser {
  /** The detected format, once four bytes have been seen. */
  format: CaptureFormat | undefined;
  private parser: FormatParser | undefined;
  private pending: Uint8Array = new Uint8Array(0);
  private consumed = 0;
  private stopped = false;

  constructor(private readonly sink: CaptureSink) {}

  /** True once a fatal problem stopped reading; further input is ignored. */
  get done(): boolean {
    return this.stopped;
  }

  /** Parses every complete record in `chunk` (plus bytes left over from the previous call). */
  push(chunk: Uint8Array): void {
    this.feed(chunk);
    this.drain(false, Number.POSITIVE_INFINITY);
  }

  /** Adds input without parsing it yet (see {@link CaptureParser.drain}). */
  feed(chunk: Uint8Array): void {
    if (this.stopped) return;
    // A plain Uint8Array view: Buffer#subarray is several times slower per packet (species lookup).
    const view = Buffer.isBuffer(chunk)
      ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)
      : chunk;
    this.pending = this.pending.length === 0 ? view : concat(this.pending, view);
  }

  /** Signals the end of input: reports a truncated last record or an empty capture. */
  end(): void {
    if (this.stopped) return;
    this.drain(true, Number.POSITIVE_INFINITY);
    this.stopped = true;
  }

  /**
   * Parses at most `limit` records from the input fed so far; returns how many records (or blocks)
   * were consumed. With `final`, an incomplete record is reported as truncated and reading stops.
   */
  drain(final: boolean, limit: number): number {
    if (this.stopped) return 0;
    if (final && this.parser === undefined && this.pending.length === 0 && this.consumed === 0) {
      this.fail({
        code: 'CAPTURE_EMPTY',
        message: 'the capture is empty (0 bytes)',
        offset: 0,
        frame: 0,
        fatal: true,
      });
      return 0;
    }
    return this.run(final, limit);
  }

  private run(final: boolean, limit: number): number {
    const bytes = this.pending;
    if (this.parser === undefined) {
      if (bytes.length < 4 && !final) return 0;
      this.format = detectCaptureFormat(bytes);
      if (this.format === undefined) {
        const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
        this.fail({
          code: 'CAPTURE_UNKNOWN_FORMAT',
          message: `not a pcap or pcapng capture: the first bytes are [${head}]`,
          offset: 0,
          frame: 0,
          fatal: true,
        });
        return 0;
      }
      this.parser = this.format === 'pcap' ? new PcapParser() : new PcapngParser();
    }
    let offset = 0;
    let count = 0;
    while (count < limit) {
      const used = this.parser.parse(bytes, offset, this.consumed, final, this.sink);
      // Nothing more will ever parse after a fatal problem, or at the end of the input.
      if (used < 0 || (used === 0 && final)) {
        this.stopped = true;
        break;
      }
      if (used === 0) break;
      offset += used;
      count++;
    }
    this.consumed += offset;
    this.pending = offset === 0 ? bytes : bytes.subarray(offset);
    if (this.stopped) this.pending = new Uint8Array(0);
    return count;
  }

  private fail(problem: CaptureProblem): void {
    this.stopped = true;
    this.sink.onProblem(problem);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** A sink that collects everything into arrays. */
export class CollectingSink implements CaptureSink {
  frames = 0;
  readonly interfaces: CaptureInterface[] = [];
  readonly packets: CapturePacket[] = [];
  readonly problems: CaptureProblem[] = [];

  onInterface(iface: CaptureInterface): void {
    this.interfaces.push(iface);
  }

  onPacket(packet: CapturePacket): void {
    this.packets.push(packet);
  }

  onProblem(problem: CaptureProblem): void {
    this.problems.push(problem);
  }
}
