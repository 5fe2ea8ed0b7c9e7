/**
 * The sink contract: a sink is "encode + push" (STYLE.md). Batching to service limits, timeouts,
 * retries and dead-lettering live in `send/`, around any sink.
 */
import type { Destination } from '../config/model';
import type { TraceRecord } from '../record/traceRecord';
import type { SendFailure } from './send/failure';

/** Service limits a batch of encoded records must respect. */
export interface BatchLimits {
  /** Most records in one push, e.g. 100 for an Azure Table transaction. */
  maxRecords: number;
  /** Most encoded bytes in one push (sum of {@link EncodedRecord.bytes}), e.g. 1,000,000 for Logs Ingestion. */
  maxBytes: number;
}

/** One record, encoded for its destination. */
export interface EncodedRecord<P> {
  /** The record it came from (kept so failures can dead-letter the original). */
  record: TraceRecord;
  /** Destination payload (entity, JSON row, OTLP log record, NDJSON line). */
  payload: P;
  /** Size of the payload as the service counts it, in bytes. */
  bytes: number;
  /** Records with different groups never share a push (Azure Table: the PartitionKey). */
  group?: string;
}

/** Result of encoding one record: tagged, never thrown. */
export type EncodeResult<P> =
  { ok: true; value: EncodedRecord<P> } | { ok: false; code: string; reason: string };

/** Options of one push attempt. */
export interface PushOptions {
  /** Aborted when the attempt times out or the caller gives up. */
  abortSignal: AbortSignal;
}

/**
 * What a push returns. Failures of the whole push are thrown (and classified by `send/`); a push
 * that delivered some records and not others returns the failed ones with their failure.
 */
export type PushResult<P> =
  { ok: true } | { ok: false; failed: ReadonlyArray<EncodedRecord<P>>; failure: SendFailure };

/** A destination: pure encoding plus one network call per batch. */
export interface Sink<P = unknown> {
  /** Destination kind, as in the configuration; `retention` for the retained-packets store. */
  readonly destination: Destination | 'retention';
  /** Connection name (docs/destinations.md) this sink writes to, for dead-letter references; `stdout` has none. */
  readonly connection: string;
  /** Limits of one push. */
  readonly limits: BatchLimits;
  /** Encodes one record. Pure; oversize values are truncated with a marker when the service allows. */
  encode(record: TraceRecord): EncodeResult<P>;
  /** Sends one batch that respects {@link limits} (and one group). */
  push(batch: ReadonlyArray<EncodedRecord<P>>, options: PushOptions): Promise<PushResult<P>>;
  /** Maps a thrown error to a failure class; sinks that know their service's errors refine the default. */
  classify?(error: unknown): SendFailure;
  /** Releases connections. Idempotent. */
  close(): Promise<void>;
}
