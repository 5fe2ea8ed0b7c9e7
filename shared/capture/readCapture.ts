/** The ways to read a capture: a whole Buffer at once, record by record (pulled or handed over), or a stream of chunks. */
import { toError } from '../errors';
import type {
  CaptureEvent,
  CaptureFormat,
  CaptureInterface,
  CapturePacket,
  CaptureProblem,
  CaptureReadResult,
} from './capturePacket';
import { CaptureParser, CollectingSink } from './captureParser';
import type { CaptureSink } from './captureSink';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, gunzipBounded, gunzipStream, isGzip } from './gzip';

/** Options for reading captures. */
export interface CaptureReadOptions {
  /** Bound on bytes after gzip decompression. Default 64 MiB for buffers, unlimited for streams. */
  maxDecompressedBytes?: number;
}

/**
 * Reads a whole capture held in memory (pcap or pcapng, optionally gzip). Never throws: damage is
 * reported in `problems` and everything read before it is kept. Packet bytes are views into the
 * input (or into the decompressed copy).
 */
export function readCapture(bytes: Uint8Array, options: CaptureReadOptions = {}): CaptureReadResult {
  const sink = new CollectingSink();
  let body = bytes;
  const gzip = isGzip(bytes);
  if (gzip) {
    const inflated = gunzipBounded(bytes, options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES);
    if (!inflated.ok) return { gzip, interfaces: [], packets: [], problems: [inflated.problem] };
    body = inflated.bytes;
    if (inflated.problem !== undefined) sink.problems.push(inflated.problem);
  }
  const parser = new CaptureParser(sink);
  parser.push(body);
  parser.end();
  const result: CaptureReadResult = {
    gzip,
    interfaces: sink.interfaces,
    packets: sink.packets,
    problems: sink.problems,
  };
  if (parser.format !== undefined) result.format = parser.format;
  return result;
}

/** Receivers of {@link readCaptureInto}. */
export interface CaptureHandlers {
  onPacket(packet: CapturePacket): void;
  onProblem(problem: CaptureProblem): void;
}

/**
 * Reads a capture held in memory (pcap or pcapng, optionally gzip), handing every packet and
 * problem to `handlers` in capture order as it is read, without collecting them: for a pipeline
 * that is done with each packet before the next, so no packet outlives its turn. Never throws
 * (unless a handler does). Returns the detected format.
 */
export function readCaptureInto(
  bytes: Uint8Array,
  handlers: CaptureHandlers,
  options: CaptureReadOptions = {},
): { gzip: boolean; format?: CaptureFormat } {
  let body = bytes;
  const gzip = isGzip(bytes);
  if (gzip) {
    const inflated = gunzipBounded(bytes, options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES);
    if (!inflated.ok) {
      handlers.onProblem(inflated.problem);
      return { gzip };
    }
    body = inflated.bytes;
    if (inflated.problem !== undefined) handlers.onProblem(inflated.problem);
  }
  const parser = new CaptureParser({
    frames: 0,
    onInterface: () => undefined,
    onPacket: (packet) => handlers.onPacket(packet),
    onProblem: (problem) => handlers.onProblem(problem),
  });
  parser.push(body);
  parser.end();
  return parser.format === undefined ? { gzip } : { gzip, format: parser.format };
}

/**
 * Iterates a capture held in memory record by record without collecting it: for pipelines that
 * handle one packet at a time over large buffers. Same results as {@link readCapture}.
 */
export function* iterateCapture(
  bytes: Uint8Array,
  options: CaptureReadOptions = {},
): Generator<CaptureEvent> {
  const sink = new QueueSink();
  let body = bytes;
  if (isGzip(bytes)) {
    const inflated = gunzipBounded(bytes, options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES);
    if (!inflated.ok) {
      yield { kind: 'problem', problem: inflated.problem };
      return;
    }
    body = inflated.bytes;
    if (inflated.problem !== undefined) sink.onProblem(inflated.problem);
  }
  const parser = new CaptureParser(sink);
  parser.feed(body);
  for (;;) {
    const parsed = parser.drain(true, 64);
    if (sink.queue.length > 0) {
      const events = sink.queue;
      sink.queue = [];
      yield* events;
    }
    if (parsed === 0 || parser.done) break;
  }
}

/** A packet event as a class: see {@link CapturedPacket} on why per-packet objects avoid literals. */
class PacketEvent {
  readonly kind = 'packet';
  constructor(readonly packet: CapturePacket) {}
}

/** Collects events between two yields of the stream. */
class QueueSink implements CaptureSink {
  frames = 0;
  queue: CaptureEvent[] = [];

  onInterface(iface: CaptureInterface): void {
    this.queue.push({ kind: 'interface', interface: iface });
  }

  onPacket(packet: CapturePacket): void {
    this.queue.push(new PacketEvent(packet));
  }

  onProblem(problem: CaptureProblem): void {
    this.queue.push({ kind: 'problem', problem });
  }
}

/**
 * Reads a capture of any size from a stream of chunks (e.g. `fs.createReadStream(path)`), holding
 * only the current chunk: memory stays flat. gzip is detected from the first bytes. A source that
 * fails mid-way ends the stream with a problem, never an exception.
 */
export async function* readCaptureStream(
  source: AsyncIterable<Uint8Array>,
  options: CaptureReadOptions = {},
): AsyncGenerator<CaptureEvent> {
  const sink = new QueueSink();
  const parser = new CaptureParser(sink);
  try {
    for await (const chunk of captureBodyChunks(source, options, (p) => sink.onProblem(p))) {
      parser.push(chunk);
      if (sink.queue.length > 0) {
        const events = sink.queue;
        sink.queue = [];
        yield* events;
      }
      if (parser.done) break;
    }
  } catch (caught) {
    sink.onProblem(sourceFailed(caught, sink.frames));
  }
  parser.end();
  yield* sink.queue;
}

/** Receivers of {@link readCaptureStreamInto}. */
export interface CaptureStreamHandlers extends CaptureHandlers {
  onInterface?(iface: CaptureInterface): void;
  /**
   * Called after the packets of each chunk were handed over, before the next chunk is read: the
   * place to wait for a slow consumer (backpressure). Resolving to false stops reading.
   */
  afterChunk?(): boolean | Promise<boolean>;
}

/**
 * {@link readCaptureStream} without an event object or an `await` per packet: every interface,
 * packet and problem is handed to `handlers` as the chunk holding it is parsed, in capture order.
 * The same events as {@link readCaptureStream}; resolves when the capture ends or `afterChunk`
 * stops it. Never rejects for bad input or a failing source (those are problems); rejects with
 * what a handler throws.
 */
export async function readCaptureStreamInto(
  source: AsyncIterable<Uint8Array>,
  handlers: CaptureStreamHandlers,
  options: CaptureReadOptions = {},
): Promise<void> {
  const sink: CaptureSink = {
    frames: 0,
    onInterface: (iface) => handlers.onInterface?.(iface),
    onPacket: (packet) => handlers.onPacket(packet),
    onProblem: (problem) => handlers.onProblem(problem),
  };
  const parser = new CaptureParser(sink);
  const chunks = captureBodyChunks(source, options, (p) => sink.onProblem(p));
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await chunks.next();
      } catch (caught) {
        sink.onProblem(sourceFailed(caught, sink.frames));
        break;
      }
      if (next.done === true) break;
      parser.push(next.value);
      if (parser.done) break;
      if (handlers.afterChunk !== undefined && !(await handlers.afterChunk())) return;
    }
  } finally {
    // Stopping early closes the source (and the gzip stream, when there is one).
    await chunks.return(undefined);
  }
  parser.end();
}

function sourceFailed(caught: unknown, frames: number): CaptureProblem {
  return {
    code: 'CAPTURE_TRUNCATED',
    message: `reading the capture failed after frame ${frames}: ${caught instanceof Error ? caught.message : String(caught)}`,
    offset: 0,
    frame: frames,
    fatal: true,
  };
}

/**
 * The body chunks of a capture stream: inflated when its first two bytes are gzip's (they may
 * arrive in separate chunks), as they are otherwise. Throws what the source throws.
 */
async function* captureBodyChunks(
  source: AsyncIterable<Uint8Array>,
  options: CaptureReadOptions,
  onProblem: (problem: CaptureProblem) => void,
): AsyncGenerator<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let headLength = 0;
  let sourceError: Error | undefined;
  try {
    while (headLength < 2) {
      const next = await iterator.next();
      if (next.done === true) break;
      head.push(next.value);
      headLength += next.value.length;
    }
  } catch (caught) {
    sourceError = toError(caught);
  }
  const rest: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => iterator,
  };
  async function* replay(): AsyncGenerator<Uint8Array> {
    yield* head;
    if (sourceError !== undefined) throw sourceError;
    yield* rest;
  }
  const first = head[0] ?? new Uint8Array(0);
  const firstBytes =
    first.length >= 2 || head.length < 2 ? first : Uint8Array.of(first[0] ?? 0, head[1]?.[0] ?? 0);
  yield* isGzip(firstBytes)
    ? gunzipStream(replay(), options.maxDecompressedBytes ?? Number.POSITIVE_INFINITY, onProblem)
    : replay();
}
