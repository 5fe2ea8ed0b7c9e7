import { createHash } from 'node:crypto';
import { formatIp } from '../../shared/net/ipAddress';
import type { DecodedPacket } from '../../shared/packet/decodedPacket';
import { flowId, hash64Hex, recordId } from '../../shared/record/recordIds';
import { packet, type PacketSpec } from '../match/support/builders';

const base: PacketSpec = {
  src: '10.0.0.1',
  dst: '10.0.0.2',
  sport: 40000,
  dport: 80,
  sec: 100,
  nsec: 5,
  payload: 'GET /',
};
const id = (p: DecodedPacket, config = 'ns/a', node = 'n1') =>
  recordId(config, node, p, `${p.timestampSec}:${p.timestampNsec}`);
const fid = (p: DecodedPacket) => flowId(p, formatIp(p.sourceIp!), formatIp(p.destinationIp!));

describe('recordId', () => {
  it('is 32 hex digits and deterministic across batches (frame number ignored)', () => {
    const a = id(packet({ ...base, frame: 1 }));
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(id(packet({ ...base, frame: 77 }))).toBe(a);
  });

  it.each<[string, () => string]>([
    ['other configuration', () => id(packet(base), 'ns/b')],
    ['other node', () => id(packet(base), 'ns/a', 'n2')],
    ['other timestamp', () => id(packet({ ...base, nsec: 6 }))],
    ['other bytes', () => id(packet({ ...base, payload: 'GET /x' }))],
    ['other trace point', () => id(packet({ ...base, tracePoint: 'NodeToPod' }))],
    ['empty payload', () => id(packet({ ...base, payload: '' }))],
  ])('changes with %s', (_name, other) => {
    expect(other()).not.toBe(id(packet(base)));
  });
});

describe('recordId scheme', () => {
  it.each([
    ['small frame (one-shot path)', 60, 'ns/a'],
    ['frame larger than the scratch buffer (streaming path)', 80_000, 'ns/a'],
    ['very long configuration key', 60, `ns/${'x'.repeat(3000)}`],
  ])('%s: SHA-256 of key, node, trace point, ns and bytes', (_name, size, key) => {
    const p = packet(base);
    const big = { ...p, data: new Uint8Array(size).map((_, i) => i & 0xff) };
    const expected = createHash('sha256')
      .update(`${key}\0n1\0\0${'123'}\0`)
      .update(big.data)
      .digest('hex')
      .slice(0, 32);
    expect(recordId(key, 'n1', big, '123')).toBe(expected);
  });
});

describe('flowId', () => {
  it.each<[PacketSpec, PacketSpec]>([
    [base, { ...base, src: base.dst, dst: base.src, sport: base.dport, dport: base.sport }],
    [
      { src: '2001:db8::9', dst: '2001:db8::1', sport: 5, dport: 6, proto: 'UDP' },
      { src: '2001:db8::1', dst: '2001:db8::9', sport: 6, dport: 5, proto: 'UDP' },
    ],
    [
      { src: '10.0.0.1', dst: '10.0.0.2', proto: 'ICMP' },
      { src: '10.0.0.2', dst: '10.0.0.1', proto: 'ICMP' },
    ],
  ])('is symmetric: %j', (a, b) => {
    expect(fid(packet(a))).toMatch(/^[0-9a-f]{16}$/);
    expect(fid(packet(a))).toBe(fid(packet(b)));
  });

  it.each<[string, PacketSpec]>([
    ['other port', { ...base, sport: 40001 }],
    ['other protocol', { ...base, proto: 'UDP' }],
    ['other address', { ...base, dst: '10.0.0.3' }],
  ])('differs for %s', (_name, other) => {
    expect(fid(packet(other))).not.toBe(fid(packet(base)));
  });

  it('is undefined without addresses', () => {
    const bare: DecodedPacket = {
      frame: 1,
      timestampSec: 0,
      timestampNsec: 0,
      direction: 'unknown',
      originalLength: 0,
      data: new Uint8Array(),
    };
    expect(flowId(bare, '', '')).toBeUndefined();
  });
});

describe('hash64Hex', () => {
  it.each([
    ['', 16],
    ['a', 16],
    ['6|10.0.0.1|1|10.0.0.2|2', 16],
  ])('%j gives %i hex digits, deterministically', (text, length) => {
    expect(hash64Hex(text)).toMatch(new RegExp(`^[0-9a-f]{${length}}$`));
    expect(hash64Hex(text)).toBe(hash64Hex(text));
  });

  it('spreads 100 000 distinct tuples without collisions', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++)
      seen.add(hash64Hex(`6|10.0.${i >> 8}.${i & 255}|${40000 + (i % 7)}|10.1.0.1|80`));
    expect(seen.size).toBe(100_000);
  });
});
