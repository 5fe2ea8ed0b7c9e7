import { parseEntityAddress } from '../../../shared/local/eventHubs/entityAddress';
import type { EntityAddress } from '../../../shared/local/eventHubs/entityAddress';

describe('parseEntityAddress', () => {
  it.each<[string, EntityAddress]>([
    ['$cbs', { kind: 'cbs' }],
    ['$management', { kind: 'management' }],
    ['hub/$management', { kind: 'management' }],
    ['retina-traces', { kind: 'hub', hub: 'retina-traces' }],
    ['retina-traces/', { kind: 'hub', hub: 'retina-traces' }],
    ['retina-traces/Partitions/3', { kind: 'partition', hub: 'retina-traces', partitionId: '3' }],
    [
      'retina-traces/ConsumerGroups/$Default/Partitions/0',
      { kind: 'consumer', hub: 'retina-traces', consumerGroup: '$Default', partitionId: '0' },
    ],
    [
      'amqps://ns.servicebus.windows.net/h/consumergroups/g/partitions/1',
      { kind: 'consumer', hub: 'h', consumerGroup: 'g', partitionId: '1' },
    ],
  ])('parses %j', (address, expected) => {
    expect(parseEntityAddress(address)).toEqual(expected);
  });

  it.each([
    undefined,
    '',
    '$other',
    'hub/Partitions',
    'hub/Partitions/',
    'hub/Things/1',
    'hub/ConsumerGroups/g',
    'a/b/c/d/e/f',
  ])('marks %j invalid with a reason', (address) => {
    const parsed = parseEntityAddress(address);
    expect(parsed.kind).toBe('invalid');
    expect(parsed.kind === 'invalid' ? parsed.reason : '').not.toBe('');
  });
});
