import type { CaptureInterface, CapturePacket, CaptureProblem } from './capturePacket';

/** Receives what a format parser finds. Parsers number frames through `frames`. */
export interface CaptureSink {
  /** The number of the last frame handed out (0 before the first). */
  frames: number;
  onInterface(iface: CaptureInterface): void;
  onPacket(packet: CapturePacket): void;
  onProblem(problem: CaptureProblem): void;
}

/**
 * A parser for one container format. `parse` reads one record or block starting at `offset` of
 * `bytes` (whose first byte is at `baseOffset` of the whole capture) and returns the bytes consumed;
 * 0 when the record is incomplete and more input may follow (or, when `final`, after reporting a
 * truncation); -1 when reading must stop (a fatal problem was reported).
 */
export interface FormatParser {
  parse(bytes: Uint8Array, offset: number, baseOffset: number, final: boolean, sink: CaptureSink): number;
}

/** Largest record or block accepted; anything larger is treated as damaged framing. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;
