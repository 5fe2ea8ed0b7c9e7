import { LocalHub } from '../../../shared/local/eventHubs/localHub';
import { partitionForKey } from '../../../shared/local/eventHubs/partitionForKey';

const limits = { maxEvents: 10, maxBytes: 1000 };

describe('LocalHub', () => {
  it('has partitions 0..n-1 and nothing else', () => {
    const hub = new LocalHub({ name: 'h', partitionCount: 3 }, limits, new Date(0));
    expect(hub.partitionIds).toEqual(['0', '1', '2']);
    expect(['0', '2', '3', '-1', '', '01'].map((id) => hub.partition(id) !== undefined)).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });

  it.each([
    [undefined, 'anything', true],
    [undefined, '$Default', true],
    [['retina-backend'], '$default', true],
    [['retina-backend'], 'Retina-Backend', true],
    [['retina-backend'], 'audit', false],
    [[], '', false],
  ])('with consumer groups %j, accepts %j: %s', (consumerGroups, name, expected) => {
    const hub = new LocalHub(
      { name: 'h', partitionCount: 1, ...(consumerGroups ? { consumerGroups } : {}) },
      limits,
      new Date(0),
    );
    expect(hub.hasConsumerGroup(name)).toBe(expected);
  });

  it('routes keys by hash and keyless events round-robin', () => {
    const hub = new LocalHub({ name: 'h', partitionCount: 4 }, limits, new Date(0));
    expect(hub.routeToPartition('node-a')).toBe(String(partitionForKey('node-a', 4)));
    expect(hub.routeToPartition('')).toBe(String(partitionForKey('', 4)));
    expect([1, 2, 3, 4, 5].map(() => hub.routeToPartition(undefined))).toEqual(['0', '1', '2', '3', '0']);
  });
});
