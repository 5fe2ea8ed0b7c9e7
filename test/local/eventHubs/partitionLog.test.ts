import { PartitionLog } from '../../../shared/local/eventHubs/partitionLog';
import type { AppendedEvent } from '../../../shared/local/eventHubs/partitionLog';

function item(size: number, partitionKey?: string): AppendedEvent {
  return {
    partitionKey,
    sizeInBytes: size,
    message: { header: undefined, messageAnnotations: {}, rest: Buffer.alloc(0) },
  };
}

describe('PartitionLog', () => {
  it('starts empty', () => {
    const log = new PartitionLog({ maxEvents: 10, maxBytes: 1000 });
    expect([log.beginSequenceNumber, log.nextSequenceNumber, log.size, log.sizeInBytes]).toEqual([
      0, 0, 0, 0,
    ]);
    expect(log.last).toBeUndefined();
    expect(log.at(0)).toBeUndefined();
    expect(log.firstWhere(() => true)).toBe(0);
  });

  it('stamps sequence numbers, byte offsets and non-decreasing enqueued times', () => {
    const log = new PartitionLog({ maxEvents: 10, maxBytes: 1000 });
    log.append([item(10, 'k'), item(20)], 5000);
    log.append([item(5)], 4000);
    expect([0, 1, 2].map((n) => log.at(n))).toMatchObject([
      { sequenceNumber: 0, offset: 0, enqueuedTimeMs: 5000, partitionKey: 'k' },
      { sequenceNumber: 1, offset: 10, enqueuedTimeMs: 5000, partitionKey: undefined },
      { sequenceNumber: 2, offset: 30, enqueuedTimeMs: 5000 },
    ]);
    expect(log.last?.sequenceNumber).toBe(2);
    expect(log.sizeInBytes).toBe(35);
  });

  it.each([
    ['event count', { maxEvents: 3, maxBytes: 1e9 }, [1, 1, 1, 1, 1], 2, 3],
    ['bytes', { maxEvents: 100, maxBytes: 25 }, [10, 10, 10, 10], 2, 2],
    ['bytes, keeping the newest oversized event', { maxEvents: 100, maxBytes: 5 }, [10, 10], 1, 1],
  ])('drops the oldest events beyond the %s limit', (_name, limits, sizes, begin, size) => {
    const log = new PartitionLog(limits);
    for (const bytes of sizes) log.append([item(bytes)], 0);
    expect(log.beginSequenceNumber).toBe(begin);
    expect(log.size).toBe(size);
    expect(log.nextSequenceNumber).toBe(sizes.length);
    expect(log.at(begin - 1)).toBeUndefined();
    expect(log.at(begin)?.sequenceNumber).toBe(begin);
  });

  it('stays correct across compaction of many dropped events', () => {
    const log = new PartitionLog({ maxEvents: 10, maxBytes: 1e9 });
    for (let n = 0; n < 5000; n++) log.append([item(1)], n);
    expect(log.beginSequenceNumber).toBe(4990);
    expect(log.at(4995)?.offset).toBe(4995);
    expect(log.firstWhere((event) => event.enqueuedTimeMs > 4994)).toBe(4995);
  });

  it('finds the first event matching a monotonic predicate, or the next sequence number', () => {
    const log = new PartitionLog({ maxEvents: 10, maxBytes: 1000 });
    log.append([item(10), item(10), item(10)], 0);
    expect(log.firstWhere((event) => event.offset >= 10)).toBe(1);
    expect(log.firstWhere((event) => event.offset > 10)).toBe(2);
    expect(log.firstWhere((event) => event.offset > 100)).toBe(3);
  });

  it('notifies listeners once per append until they unsubscribe', () => {
    const log = new PartitionLog({ maxEvents: 10, maxBytes: 1000 });
    const calls: number[] = [];
    const unsubscribe = log.onAppend(() => calls.push(log.size));
    log.append([item(1), item(1)], 0);
    unsubscribe();
    log.append([item(1)], 0);
    expect(calls).toEqual([2]);
  });
});
