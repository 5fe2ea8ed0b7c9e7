import type { EventMetadata } from './eventMetadata';
import { errorMessage } from '../errors';
import { gunzipSized, isGzip } from '../capture/gzip';

/** `trace-schema` of a packet batch (docs/wire-format.md). */
export const TRACE_BATCH_SCHEMA = 'retina.sh/trace-batch/v1';
/** `trace-schema` of an identity snapshot (docs/wire-format.md). */
export const IDENTITIES_SCHEMA = 'retina.sh/identities/v1';
/** Largest body we inflate from one event: 1 MB compressed Event Hubs events rarely exceed 20 MB raw. */
export const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

/** A packet batch from one node. */
export interface TraceBatchEvent {
  kind: 'traces';
  /** Index of the event within the invocation. */
  index: number;
  cluster: string;
  node: string;
  /** Optional `namespace/name` hint from the agent; matching always uses every configuration. */
  configurationHint?: string;
  /** The capture bytes (pcapng or pcap), inflated unless classified with `inflate: false`. */
  capture: Uint8Array;
  metadata: EventMetadata;
  /** The body as received (gzip when it was sent so), kept for dead-lettering and replay. */
  raw?: Uint8Array;
  /** True while `capture` still holds gzip bytes (see {@link inflateTraceBatch}). */
  compressed?: boolean;
}

/** Options of {@link classifyEvent}. */
export interface ClassifyOptions {
  /** Most bytes one body may inflate to; more is a gzip bomb (`EVENT_INFLATED_TOO_LARGE`). Default {@link MAX_INFLATED_BYTES}. */
  maxInflatedBytes?: number;
  /**
   * False leaves trace batches compressed (`compressed: true`) so the caller can inflate them one at
   * a time with {@link inflateTraceBatch}; identity snapshots are always inflated. Default true.
   */
  inflate?: boolean;
}

/** An identity snapshot; the body is parsed JSON, validated by the enrichment schema. */
export interface IdentitiesEvent {
  kind: 'identities';
  index: number;
  body: unknown;
  metadata: EventMetadata;
}

/** An event that cannot be processed, with why. It goes to the dead-letter path untouched. */
export interface RejectedEvent {
  kind: 'rejected';
  index: number;
  /** Stable code, e.g. `EVENT_SCHEMA_UNKNOWN`. */
  code: string;
  /** What was wrong, naming the event index and property. */
  reason: string;
  /** The original body, as received (for dead-lettering and replay). */
  body: Uint8Array;
  metadata: EventMetadata;
}

/** One classified event of an invocation. */
export type TraceEvent = TraceBatchEvent | IdentitiesEvent | RejectedEvent;

function bodyBytes(body: unknown): Uint8Array | undefined {
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  return undefined;
}

function property(metadata: EventMetadata, name: string): string | undefined {
  const value = metadata.properties[name];
  if (typeof value === 'string') return value.trim();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8').trim();
  return undefined;
}

/** Longest cluster or node name (a Kubernetes node name is a DNS subdomain: at most 253 characters). */
export const MAX_NAME_CHARS = 253;

/**
 * Why a cluster or node name cannot be used, or undefined. Both name every record and key the
 * partition's per-flow state (node and device scopes): an unbounded name would multiply the memory
 * of every bounded table by its length, and control characters have no place in a name.
 */
function nameProblem(value: string): string | undefined {
  if (value.length > MAX_NAME_CHARS)
    return `is ${value.length} characters long; the limit is ${MAX_NAME_CHARS} (a Kubernetes node name)`;
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u001f\u007f]/.exec(value);
  if (control !== null)
    return `holds control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} at ${control.index}`;
  return undefined;
}

/**
 * Classifies one Event Hubs event body by its `trace-schema` property and inflates gzip bodies.
 * Never throws: anything unusable becomes a {@link RejectedEvent} naming the event and the reason.
 */
export function classifyEvent(
  body: unknown,
  metadata: EventMetadata,
  index: number,
  options: ClassifyOptions = {},
): TraceEvent {
  const where = `event ${index}`;
  const raw = bodyBytes(body);
  const reject = (code: string, reason: string): RejectedEvent => ({
    kind: 'rejected',
    index,
    code,
    reason: `${where}: ${reason}`,
    body: raw ?? Buffer.from(typeof body === 'string' ? body : (JSON.stringify(body) ?? '')),
    metadata,
  });
  if (raw === undefined) {
    return reject(
      'EVENT_BODY_NOT_BINARY',
      `body is ${body === null ? 'null' : typeof body}, expected bytes (is the trigger registered with dataType 'binary'?)`,
    );
  }
  const schema = property(metadata, 'trace-schema');
  if (schema === undefined)
    return reject('EVENT_SCHEMA_MISSING', "application property 'trace-schema' is missing");
  if (schema !== TRACE_BATCH_SCHEMA && schema !== IDENTITIES_SCHEMA) {
    return reject(
      'EVENT_SCHEMA_UNKNOWN',
      `application property 'trace-schema' is '${schema}', expected '${TRACE_BATCH_SCHEMA}' or '${IDENTITIES_SCHEMA}'`,
    );
  }
  const encoding = property(metadata, 'content-encoding')?.toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'gzip' && encoding !== 'identity') {
    return reject(
      'EVENT_ENCODING_UNSUPPORTED',
      `application property 'content-encoding' is '${encoding}', expected 'gzip' or absent`,
    );
  }
  const gzip = encoding === 'gzip' || isGzip(raw);
  const maxInflatedBytes = options.maxInflatedBytes ?? MAX_INFLATED_BYTES;
  let content = raw;
  if (gzip && (schema === IDENTITIES_SCHEMA || options.inflate !== false)) {
    const inflated = inflate(raw, maxInflatedBytes);
    if (!inflated.ok) return reject(inflated.code, inflated.reason);
    content = inflated.bytes;
  }
  if (schema === IDENTITIES_SCHEMA) {
    try {
      return {
        kind: 'identities',
        index,
        body: JSON.parse(Buffer.from(content).toString('utf8')) as unknown,
        metadata,
      };
    } catch (caught) {
      return reject('EVENT_BODY_UNDECODABLE', `identity snapshot is not JSON: ${errorMessage(caught)}`);
    }
  }
  const cluster = property(metadata, 'cluster');
  const node = property(metadata, 'node');
  if (cluster === undefined || cluster === '')
    return reject('EVENT_PROPERTY_MISSING', "application property 'cluster' is missing or empty");
  if (node === undefined || node === '')
    return reject('EVENT_PROPERTY_MISSING', "application property 'node' is missing or empty");
  for (const [name, value] of [
    ['cluster', cluster],
    ['node', node],
  ] as const) {
    const problem = nameProblem(value);
    if (problem !== undefined)
      return reject('EVENT_PROPERTY_INVALID', `application property '${name}' ${problem}`);
  }
  const event: TraceBatchEvent = { kind: 'traces', index, cluster, node, capture: content, metadata, raw };
  if (gzip && content === raw) event.compressed = true;
  const hint = property(metadata, 'trace-configuration');
  if (hint !== undefined && hint !== '') event.configurationHint = hint;
  return event;
}

type Inflated = { ok: true; bytes: Uint8Array } | { ok: false; code: string; reason: string };

function inflate(raw: Uint8Array, maxInflatedBytes: number): Inflated {
  try {
    return { ok: true, bytes: gunzipSized(raw, maxInflatedBytes) };
  } catch (caught) {
    if ((caught as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE')
      return {
        ok: false,
        code: 'EVENT_INFLATED_TOO_LARGE',
        reason: `gzip body inflates to more than ${maxInflatedBytes} bytes (a ${raw.length}-byte body); rejected as a possible decompression bomb`,
      };
    return {
      ok: false,
      code: 'EVENT_BODY_UNDECODABLE',
      reason: `gzip body could not be inflated: ${errorMessage(caught)}`,
    };
  }
}

/**
 * Inflates a trace batch classified with `inflate: false`, bounded by `maxInflatedBytes`; a body
 * that does not inflate, or inflates past the bound, becomes a {@link RejectedEvent} carrying the
 * body as received. Batches that were not compressed are returned as they are.
 */
export function inflateTraceBatch(
  event: TraceBatchEvent,
  maxInflatedBytes: number,
): TraceBatchEvent | RejectedEvent {
  if (event.compressed !== true) return event;
  const raw = event.raw ?? event.capture;
  const inflated = inflate(raw, maxInflatedBytes);
  if (!inflated.ok)
    return {
      kind: 'rejected',
      index: event.index,
      code: inflated.code,
      reason: `event ${event.index}: ${inflated.reason}`,
      body: raw,
      metadata: event.metadata,
    };
  const { compressed: _compressed, ...rest } = event;
  return { ...rest, capture: inflated.bytes };
}
