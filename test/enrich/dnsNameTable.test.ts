import { DnsNameTable } from '../../shared/enrich/dnsNameTable';
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
