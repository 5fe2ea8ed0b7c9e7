import type { PartitionLog } from './partitionLog';

/** Where a receiver starts, as parsed from its `apache.org:selector-filter:string` source filter. */
export type StartPosition =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'offset'; offset: number; inclusive: boolean }
  | { kind: 'sequenceNumber'; sequenceNumber: number; inclusive: boolean }
  | { kind: 'enqueuedTime'; enqueuedTimeMs: number; inclusive: boolean };

/** A parsed start position, or why the filter was not understood. */
export type StartPositionResult = { ok: true; position: StartPosition } | { ok: false; error: string };

/** The filter name the SDK uses for start positions. */
export const SELECTOR_FILTER_NAME = 'apache.org:selector-filter:string';

const FILTER = /^\s*amqp\.annotation\.x-opt-(offset|sequence-number|enqueued-time)\s*(>=|>)\s*'([^']*)'\s*$/i;

/**
 * Parses a selector such as `amqp.annotation.x-opt-offset > '-1'` (earliest),
 * `amqp.annotation.x-opt-offset > '@latest'`, `... x-opt-sequence-number >= '42'` or
 * `... x-opt-enqueued-time > '1700000000000'` (ms since the epoch). No filter means earliest.
 */
export function parseStartPosition(selector: string | undefined): StartPositionResult {
  if (selector === undefined) return { ok: true, position: { kind: 'earliest' } };
  const match = FILTER.exec(selector);
  if (!match) return { ok: false, error: `unsupported selector filter "${selector}"` };
  const [, field = '', operator, text = ''] = match;
  const inclusive = operator === '>=';
  if (field.toLowerCase() === 'offset' && text === '@latest')
    return { ok: true, position: { kind: 'latest' } };
  if (!/^-?\d+$/.test(text)) return { ok: false, error: `"${text}" in "${selector}" is not an integer` };
  const value = Number(text);
  switch (field.toLowerCase()) {
    case 'offset':
      return value < 0
        ? { ok: true, position: { kind: 'earliest' } }
        : { ok: true, position: { kind: 'offset', offset: value, inclusive } };
    case 'sequence-number':
      return { ok: true, position: { kind: 'sequenceNumber', sequenceNumber: value, inclusive } };
    default:
      return { ok: true, position: { kind: 'enqueuedTime', enqueuedTimeMs: value, inclusive } };
  }
}

/**
 * The sequence number of the first event a receiver starting at `position` gets: never before the
 * oldest retained event, and {@link PartitionLog.nextSequenceNumber} when it starts after the newest.
 */
export function firstSequenceNumber(log: PartitionLog, position: StartPosition): number {
  const begin = log.beginSequenceNumber;
  const next = log.nextSequenceNumber;
  switch (position.kind) {
    case 'earliest':
      return begin;
    case 'latest':
      return next;
    case 'offset': {
      const { offset, inclusive } = position;
      return log.firstWhere((event) => (inclusive ? event.offset >= offset : event.offset > offset));
    }
    case 'sequenceNumber': {
      const first = position.inclusive ? position.sequenceNumber : position.sequenceNumber + 1;
      return Math.min(Math.max(first, begin), next);
    }
    case 'enqueuedTime': {
      const { enqueuedTimeMs, inclusive } = position;
      return log.firstWhere((event) =>
        inclusive ? event.enqueuedTimeMs >= enqueuedTimeMs : event.enqueuedTimeMs > enqueuedTimeMs,
      );
    }
  }
}
