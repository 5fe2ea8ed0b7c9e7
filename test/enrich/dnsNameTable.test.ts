import { DnsNameTable } from '../../shared/enrich/dnsNameTable';
import { craftFrame } from '../../shared/packet/craftFrame';
import { decodePacket } from '../../shared/packet/decodePacket';
import { LinkType } from '../../shared/packet/linkType';
import { DNS_NAME_FILTER_SIZE, DnsNameCache } from '../../shared/enrich/dnsNameCache';
import { ipKeyOfText } from '../../shared/enrich/ipKey';
import { parseIp } from '../../shared/net/ipAddress';

describe('DnsNameTable', () => {
  it('keeps one cache per node: a name learned on one node is unknown on another', () => {
    const table = new DnsNameTable({ maxAddresses: 1 });
    expect(table.stats()).toEqual({ addresses: 0, learned: 0, evicted: 0 });
    const one = table.forNode('node-1');
    expect(table.forNode('node-1')).toBe(one);
    one.cache.learn(ipKeyOfText('192.0.2.1')!, 'a.example', ipKeyOfText('10.0.0.5')!, 60, 0);
    one.cache.learn(ipKeyOfText('192.0.2.2')!, 'b.example', ipKeyOfText('10.0.0.5')!, 60, 0);
    const client = parseIp('10.0.0.5')!;
    expect(one.cache.nameFor(client, parseIp('192.0.2.2')!, 1)).toBe('b.example');
    expect(table.forNode('node-2').cache.nameFor(client, parseIp('192.0.2.2')!, 1)).toBeUndefined();
    expect(table.stats()).toEqual({ addresses: 1, learned: 2, evicted: 1 });
  });
});

describe('DnsNameTable bounds (node names come from the batches, so their number is not trusted)', () => {
  const client = '10.0.0.5';
  const learnAddresses = (table: DnsNameTable, node: string, count: number, from = 0): void => {
    const { cache } = table.forNode(node);
    for (let i = from; i < from + count; i++)
      cache.learn(ipKeyOfText(`198.51.${i >> 8}.${i & 255}`)!, `n${i}.example`, ipKeyOfText(client)!, 60, i);
  };
  const nameOn = (table: DnsNameTable, node: string, i: number): string | undefined =>
    table.forNode(node).cache.nameFor(parseIp(client)!, parseIp(`198.51.${i >> 8}.${i & 255}`)!, 1000);

  it("shrinks each node's share of the partition's addresses as nodes arrive, forgetting the oldest", () => {
    const table = new DnsNameTable({
      maxAddresses: 10,
      maxAddressesPerPartition: 10,
      minAddressesPerNode: 2,
    });
    learnAddresses(table, 'node-1', 10);
    expect(table.stats()).toEqual({ addresses: 10, learned: 10, evicted: 0 });
    table.forNode('node-2');
    // node-1 keeps its 5 most recent addresses; the 5 oldest are forgotten and counted.
    expect(table.stats()).toEqual({ addresses: 5, learned: 10, evicted: 5 });
    expect(nameOn(table, 'node-1', 0)).toBeUndefined();
    expect(nameOn(table, 'node-1', 9)).toBe('n9.example');
    learnAddresses(table, 'node-2', 8);
    expect(table.forNode('node-2').cache.stats().addresses).toBe(5);
    // Never below the smallest share, however many nodes.
    for (let n = 3; n <= 20; n++) table.forNode(`node-${n}`);
    expect(table.forNode('node-1').cache.addressLimit).toBe(2);
    expect(table.stats().addresses).toBe(4);
  });

  it('holds at most maxNodes nodes, forgetting the least recently seen with its names', () => {
    const table = new DnsNameTable({ maxNodes: 2 });
    learnAddresses(table, 'node-1', 3);
    learnAddresses(table, 'node-2', 3, 100);
    table.forNode('node-1'); // seen again: node-2 is now the least recently seen
    const node1 = table.forNode('node-1');
    table.forNode('node-3');
    expect(table.nodeStats()).toEqual({ nodes: 2, forgotten: 1 });
    expect(table.forNode('node-1')).toBe(node1);
    expect(table.stats()).toEqual({ addresses: 3, learned: 6, evicted: 3 });
    // node-2 starts again from nothing, and its old addresses no longer pass the shared filter.
    expect(nameOn(table, 'node-2', 100)).toBeUndefined();
    expect(nameOn(table, 'node-1', 2)).toBe('n2.example');
  });

  it('stays within its bounds when every batch names a new node', () => {
    const table = new DnsNameTable();
    for (let n = 0; n < 3000; n++) learnAddresses(table, `fake-${n}`, 60, (n * 60) % 60_000);
    const { nodes, forgotten } = table.nodeStats();
    expect(nodes).toBe(1000);
    expect(forgotten).toBe(2000);
    expect(table.stats().addresses).toBeLessThanOrEqual(100_000);
    expect(table.stats().learned).toBe(3000 * 60);
  });
});

describe('DnsNameCache with a shared filter', () => {
  it('leaves the filter as it found it once cleared, and refuses a filter of the wrong size', () => {
    const filter = new Uint8Array(DNS_NAME_FILTER_SIZE);
    const cache = new DnsNameCache({}, filter);
    cache.learn(ipKeyOfText('192.0.2.1')!, 'a.example', ipKeyOfText('10.0.0.5')!, 60, 0);
    cache.learn(ipKeyOfText('2001:db8::1')!, 'b.example', ipKeyOfText('10.0.0.5')!, 60, 0);
    expect(filter.some((count) => count > 0)).toBe(true);
    cache.clear();
    expect(filter.every((count) => count === 0)).toBe(true);
    expect(cache.stats()).toEqual({ addresses: 0, learned: 2, evicted: 2 });
    expect(() => new DnsNameCache({}, new Uint8Array(16))).toThrow(/65536 bytes, not 16/);
  });
});

describe('DnsNameTable and DNS over TCP', () => {
  it('bounds the bytes held for responses still arriving over all nodes, and frees them with a forgotten node', () => {
    const table = new DnsNameTable({ maxNodes: 1, maxTcpDnsBytes: 1000 });
    const partial = (node: string, destination: string, length: number): number => {
      const payload = new Uint8Array(300);
      payload[0] = (length - 2) >> 8;
      payload[1] = (length - 2) & 0xff;
      const data = craftFrame({
        source: '10.0.0.10',
        destination,
        transport: { protocol: 'tcp', sourcePort: 53, destinationPort: 40000, flags: 0x18, seq: 1 },
        payload,
      });
      return table
        .forNode(node)
        .learner.learn(
          decodePacket(
            { frame: 1, timestampSec: 1, timestampNsec: 0, originalLength: data.length, data },
            LinkType.ETHERNET,
          ),
        );
    };
    partial('node-1', '10.244.1.5', 800);
    expect(table.tcpStats()).toEqual({ heldBytes: 800, skipped: 0 });
    partial('node-1', '10.244.1.6', 800);
    expect(table.tcpStats()).toEqual({ heldBytes: 800, skipped: 1 });
    // node-2 arrives: node-1 is forgotten with what it held.
    partial('node-2', '10.244.1.5', 600);
    expect(table.tcpStats()).toEqual({ heldBytes: 600, skipped: 1 });
  });
});
