import { firstSequenceNumber, parseStartPosition } from '../../../shared/local/eventHubs/eventPosition';
import type { StartPosition } from '../../../shared/local/eventHubs/eventPosition';
import { PartitionLog } from '../../../shared/local/eventHubs/partitionLog';

describe('parseStartPosition', () => {
  it.each<[string | undefined, StartPosition]>([
    [undefined, { kind: 'earliest' }],
    ["amqp.annotation.x-opt-offset > '-1'", { kind: 'earliest' }],
    ["amqp.annotation.x-opt-offset > '@latest'", { kind: 'latest' }],
    ["amqp.annotation.x-opt-offset > '120'", { kind: 'offset', offset: 120, inclusive: false }],
    ["amqp.annotation.x-opt-offset >= '120'", { kind: 'offset', offset: 120, inclusive: true }],
    [
      "amqp.annotation.x-opt-sequence-number > '7'",
      { kind: 'sequenceNumber', sequenceNumber: 7, inclusive: false },
    ],
    [
      "amqp.annotation.x-opt-sequence-number >= '-1'",
      { kind: 'sequenceNumber', sequenceNumber: -1, inclusive: true },
    ],
    [
      "amqp.annotation.x-opt-enqueued-time > '1700000000000'",
      { kind: 'enqueuedTime', enqueuedTimeMs: 1700000000000, inclusive: false },
    ],
    ["AMQP.ANNOTATION.X-OPT-OFFSET>'5'", { kind: 'offset', offset: 5, inclusive: false }],
  ])('parses %j', (selector, position) => {
    expect(parseStartPosition(selector)).toEqual({ ok: true, position });
  });

  it.each([
    ['', /unsupported selector/],
    ["amqp.annotation.x-opt-offset < '5'", /unsupported selector/],
    ["amqp.annotation.x-opt-partition-key > 'a'", /unsupported selector/],
    ["amqp.annotation.x-opt-offset > 'abc'", /"abc" .* is not an integer/],
    ["amqp.annotation.x-opt-sequence-number > '1.5'", /not an integer/],
    ["amqp.annotation.x-opt-enqueued-time > ''", /not an integer/],
  ])('rejects %j', (selector, error) => {
    const result = parseStartPosition(selector);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toMatch(error);
  });
});

describe('firstSequenceNumber', () => {
  const empty = () => new PartitionLog({ maxEvents: 100, maxBytes: 1e9 });
  // Five 10-byte events at times 100, 100, 200, 300, 300; then the first two are dropped.
  const log = new PartitionLog({ maxEvents: 3, maxBytes: 1e9 });
  const message = { header: undefined, messageAnnotations: {}, rest: Buffer.alloc(0) };
  for (const time of [100, 100, 200, 300, 300])
    log.append([{ partitionKey: undefined, sizeInBytes: 10, message }], time);

  it.each<[string, StartPosition, number]>([
    ['earliest', { kind: 'earliest' }, 2],
    ['latest', { kind: 'latest' }, 5],
    ['after offset 20', { kind: 'offset', offset: 20, inclusive: false }, 3],
    ['at offset 20', { kind: 'offset', offset: 20, inclusive: true }, 2],
    ['at an offset between events', { kind: 'offset', offset: 25, inclusive: true }, 3],
    ['after a dropped offset', { kind: 'offset', offset: 0, inclusive: false }, 2],
    ['after the last offset', { kind: 'offset', offset: 40, inclusive: false }, 5],
    ['after sequence number 3', { kind: 'sequenceNumber', sequenceNumber: 3, inclusive: false }, 4],
    ['at sequence number 3', { kind: 'sequenceNumber', sequenceNumber: 3, inclusive: true }, 3],
    ['at a dropped sequence number', { kind: 'sequenceNumber', sequenceNumber: 0, inclusive: true }, 2],
    ['far beyond the end', { kind: 'sequenceNumber', sequenceNumber: 99, inclusive: false }, 5],
    ['after time 200', { kind: 'enqueuedTime', enqueuedTimeMs: 200, inclusive: false }, 3],
    ['at time 200', { kind: 'enqueuedTime', enqueuedTimeMs: 200, inclusive: true }, 2],
    ['after the last time', { kind: 'enqueuedTime', enqueuedTimeMs: 300, inclusive: false }, 5],
  ])('starts %s at the right event', (_name, position, expected) => {
    expect(firstSequenceNumber(log, position)).toBe(expected);
  });

  it.each<StartPosition>([
    { kind: 'earliest' },
    { kind: 'latest' },
    { kind: 'offset', offset: 5, inclusive: true },
    { kind: 'sequenceNumber', sequenceNumber: 3, inclusive: false },
    { kind: 'enqueuedTime', enqueuedTimeMs: 0, inclusive: false },
  ])('starts at 0 on an empty partition (%j)', (position) => {
    expect(firstSequenceNumber(empty(), position)).toBe(0);
  });
});
