/**
 * Standard output for `tracectl`: writes that wait for the stream when it is full, and a reader
 * that closes the pipe early (`tracectl inspect x | head`) ends the output instead of crashing
 * the process with an EPIPE stack trace.
 */

/** The writable side `tracectl` writes to (process.stdout, or a stream in tests). */
export interface WritableOutput {
  write(chunk: string | Uint8Array): boolean;
  once(event: 'drain', listener: () => void): unknown;
  once(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'drain', listener: () => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
}

/** `write` (fire and forget) and `writeChunk` (with backpressure) over one output stream. */
export interface StdoutWriter {
  /** Writes text; dropped once the stream failed (its reader went away). */
  write(text: string): void;
  /**
   * Writes text or bytes; resolves once more may be written, rejects with the stream's error (e.g.
   * `EPIPE`) when it failed before or while waiting.
   */
  writeChunk(chunk: string | Uint8Array): Promise<void>;
}

/** A {@link StdoutWriter} over `output`; from now on the stream's errors are caught, not thrown. */
export function stdoutWriter(output: WritableOutput): StdoutWriter {
  let failure: Error | undefined;
  output.on('error', (error) => {
    failure ??= error;
  });
  return {
    write(text) {
      if (failure === undefined) output.write(text);
    },
    writeChunk(chunk) {
      if (failure !== undefined) return Promise.reject(failure);
      if (output.write(chunk)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const onDrain = (): void => {
          output.off('error', onError);
          resolve();
        };
        const onError = (error: Error): void => {
          output.off('drain', onDrain);
          reject(error);
        };
        output.once('drain', onDrain);
        output.once('error', onError);
      });
    },
  };
}

/** True for the errors of an output whose reader went away (closed pipe or socket). */
export function isClosedOutput(caught: unknown): boolean {
  const code =
    typeof caught === 'object' && caught !== null ? (caught as { code?: unknown }).code : undefined;
  return code === 'EPIPE' || code === 'ECONNRESET' || code === 'ERR_STREAM_DESTROYED';
}
