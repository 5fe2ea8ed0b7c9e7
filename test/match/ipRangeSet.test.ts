import { compileIpBlocks } from '../../shared/match/ipRangeSet';
import { parseIp } from '../../shared/net/ipAddress';

const set = (...blocks: [string, ...string[]][]) =>
  compileIpBlocks(blocks.map(([cidr, ...except]) => ({ cidr, except })));

describe('compileIpBlocks', () => {
  const s = set(
    ['10.0.0.0/8', '10.1.0.0/16', '10.2.3.4'],
    ['10.1.2.0/24'],
    ['192.168.0.0/24'],
    ['2001:db8::/32', '2001:db8:1::/48'],
  );
  it.each([
    ['10.0.0.0', true],
    ['10.255.255.255', true],
    ['9.255.255.255', false],
    ['11.0.0.0', false],
    ['10.1.0.1', false],
    ['10.1.2.200', true],
    ['10.2.3.4', false],
    ['10.2.3.3', true],
    ['10.2.3.5', true],
    ['192.168.0.255', true],
    ['192.168.1.0', false],
    ['2001:db8::1', true],
    ['2001:db8:1::1', false],
    ['2001:db8:2::1', true],
    ['2001:db9::', false],
    ['2001:db7:ffff:ffff:ffff:ffff:ffff:ffff', false],
    ['::ffff:10.0.0.1', false],
  ])('%s → %s', (address, expected) => {
    expect(s.has(parseIp(address)!)).toBe(expected);
  });

  it('merges overlapping and adjacent ranges', () => {
    expect(set(['10.0.0.0/25'], ['10.0.0.128/25'], ['10.0.0.0/24']).rangeCount).toBe(1);
    expect(s.rangeCount).toBe(7);
  });

  it.each([
    ['empty set', set(), '10.0.0.1', false],
    ['unparseable block ignored', set(['nonsense']), '10.0.0.1', false],
    ['except of another version ignored', set(['10.0.0.0/8', '::/0']), '10.0.0.1', true],
    ['0.0.0.0/0 covers everything IPv4', set(['0.0.0.0/0']), '255.255.255.255', true],
    ['::/0 covers the top IPv6 address', set(['::/0']), 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', true],
    ['except equal to cidr empties it', set(['10.0.0.0/8', '10.0.0.0/8']), '10.0.0.1', false],
    ['wrong length address', set(['0.0.0.0/0']), '', false],
  ])('%s', (_name, ipSet, address, expected) => {
    const bytes = address === '' ? new Uint8Array(5) : parseIp(address)!;
    expect(ipSet.has(bytes)).toBe(expected);
  });
});
