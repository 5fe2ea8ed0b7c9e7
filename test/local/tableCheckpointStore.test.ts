import { TableClient } from '@azure/data-tables';
import type { PartitionOwnership } from '@azure/event-hubs';
import { checkpointPartitionKey, TableCheckpointStore } from '../../shared/local/tableCheckpointStore';
import { useAzurite } from '../support/azurite';

const azurite = useAzurite();
let tables = 0;

function newStore(): TableCheckpointStore {
  tables += 1;
  return new TableCheckpointStore(
    TableClient.fromConnectionString(azurite().connectionString, `Checkpoints${tables}`, {
      allowInsecureConnection: true,
    }),
  );
}

const NS = 'localhost';
const HUB = 'retina-traces';
const GROUP = '$Default';
const claim = (partitionId: string, ownerId: string, etag?: string): PartitionOwnership => ({
  fullyQualifiedNamespace: NS,
  eventHubName: HUB,
  consumerGroup: GROUP,
  partitionId,
  ownerId,
  ...(etag !== undefined ? { etag } : {}),
});

describe('TableCheckpointStore on Azurite', () => {
  it('lists nothing for a new consumer group', async () => {
    const store = newStore();
    expect(await store.listOwnership(NS, HUB, GROUP)).toEqual([]);
    expect(await store.listCheckpoints(NS, HUB, GROUP)).toEqual([]);
  });

  it('claims unowned partitions once, and only with the current etag afterwards', async () => {
    const store = newStore();
    const first = await store.claimOwnership([claim('0', 'a'), claim('1', 'a')]);
    expect(first.map((o) => [o.partitionId, o.ownerId])).toEqual([
      ['0', 'a'],
      ['1', 'a'],
    ]);
    for (const o of first) {
      expect(o.etag).toBeTruthy();
      expect(o.lastModifiedTimeInMs).toBeGreaterThan(0);
    }
    // Another consumer that saw no owner loses the race to create the claim.
    expect(await store.claimOwnership([claim('0', 'b')])).toEqual([]);
    const stolen = await store.claimOwnership([claim('1', 'b', first[1]!.etag)]);
    expect(stolen.map((o) => o.ownerId)).toEqual(['b']);
    // The first owner's etag is stale now.
    expect(await store.claimOwnership([claim('1', 'a', first[1]!.etag)])).toEqual([]);
    const listed = await store.listOwnership(NS, HUB, GROUP);
    expect(listed.map((o) => [o.partitionId, o.ownerId, o.etag])).toEqual([
      ['0', 'a', first[0]!.etag],
      ['1', 'b', stolen[0]!.etag],
    ]);
    expect(listed[1]!.lastModifiedTimeInMs).toBe(stolen[0]!.lastModifiedTimeInMs);
  });

  it('keeps the latest checkpoint per partition, with sequence numbers beyond 32 bits', async () => {
    const store = newStore();
    const base = { fullyQualifiedNamespace: NS, eventHubName: HUB, consumerGroup: GROUP };
    await store.updateCheckpoint({ ...base, partitionId: '0', sequenceNumber: 5, offset: '500' });
    await store.updateCheckpoint({ ...base, partitionId: '0', sequenceNumber: 9, offset: '900' });
    await store.updateCheckpoint({
      ...base,
      partitionId: '3',
      sequenceNumber: 2 ** 40,
      offset: '123456789012',
    });
    expect(await store.listCheckpoints(NS, HUB, GROUP)).toEqual([
      { ...base, partitionId: '0', sequenceNumber: 9, offset: '900' },
      { ...base, partitionId: '3', sequenceNumber: 2 ** 40, offset: '123456789012' },
    ]);
  });

  it.each([
    ['no sequence number', { sequenceNumber: Number.NaN, offset: '1' }],
    ['an empty offset', { sequenceNumber: 1, offset: '' }],
  ])('refuses a checkpoint with %s', async (_name, fields) => {
    const store = newStore();
    await expect(
      store.updateCheckpoint({
        fullyQualifiedNamespace: NS,
        eventHubName: HUB,
        consumerGroup: GROUP,
        partitionId: '0',
        ...fields,
      }),
    ).rejects.toMatchObject({ code: 'CHECKPOINT_INVALID' });
    expect(await store.listCheckpoints(NS, HUB, GROUP)).toEqual([]);
  });

  it('keeps hubs and consumer groups apart, whatever characters they use, and resets one', async () => {
    const store = newStore();
    const groups = ['$Default', 'team/a#1?', 'TEAM-B'];
    for (const [i, group] of groups.entries()) {
      await store.updateCheckpoint({
        fullyQualifiedNamespace: NS,
        eventHubName: HUB,
        consumerGroup: group,
        partitionId: '0',
        sequenceNumber: i,
        offset: String(i),
      });
      await store.claimOwnership([{ ...claim('0', `owner-${i}`), consumerGroup: group }]);
    }
    await store.updateCheckpoint({
      fullyQualifiedNamespace: NS,
      eventHubName: 'other',
      consumerGroup: '$Default',
      partitionId: '0',
      sequenceNumber: 7,
      offset: '7',
    });
    for (const [i, group] of groups.entries()) {
      expect((await store.listCheckpoints(NS, HUB, group)).map((c) => c.sequenceNumber)).toEqual([i]);
      expect((await store.listOwnership(NS, HUB, group)).map((o) => o.ownerId)).toEqual([`owner-${i}`]);
    }
    expect(await store.reset(NS, HUB, 'team/a#1?')).toBe(2);
    expect(await store.listCheckpoints(NS, HUB, 'team/a#1?')).toEqual([]);
    expect((await store.listCheckpoints(NS, 'other', '$Default')).map((c) => c.sequenceNumber)).toEqual([7]);
    expect((await store.listCheckpoints(NS, HUB, '$Default')).map((c) => c.sequenceNumber)).toEqual([0]);
  });

  it.each([
    ['localhost', 'hub', '$Default', 'localhost:hub:%24default'],
    ['ns.servicebus.windows.net', 'a/b', 'g#?\\', 'ns.servicebus.windows.net:a%2Fb:g%23%3F%5C'],
    ['', '', '', '::'],
  ])('builds a valid PartitionKey for %s/%s/%s', (ns, hub, group, key) => {
    expect(checkpointPartitionKey(ns, hub, group)).toBe(key);
    expect(key).not.toMatch(/[/\\#?]/);
  });
});
