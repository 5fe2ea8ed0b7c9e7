import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { DecodedPacket } from '../../shared/packet/decodedPacket';
import { recordId } from '../../shared/record/recordIds';
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

describe('recordId over a run of records (the repeated part of the prefix is kept between calls)', () => {
  it('is the SHA-256 of the scheme for any sequence of configurations, nodes, trace points and timestamps', () => {
    const text = fc.oneof(
      fc.constantFrom('ns/a', 'ns/b', 'é/ü', '', 'x'.repeat(2100)),
      fc.string({ unit: 'binary', maxLength: 8 }),
    );
    const call = fc.record({
      key: text,
      node: fc.constantFrom('n1', 'n2', 'nœud'),
      tracePoint: fc.constantFrom(undefined, 'PodToNode', 'NodeToPod'),
      ns: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String), fc.constantFrom('0', '1:5', '٣')),
      size: fc.oneof(fc.nat(200), fc.constant(70_000)),
    });
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 12 }), (calls) => {
        for (const { key, node, tracePoint, ns, size } of calls) {
          const p = { ...packet(base), data: new Uint8Array(size).map((_, i) => (i * 7) & 0xff) };
          if (tracePoint !== undefined) p.tracePoint = tracePoint;
          const expected = createHash('sha256')
            .update(`${key}\0${node}\0${tracePoint ?? ''}\0${ns}\0`)
            .update(p.data)
            .digest('hex')
            .slice(0, 32);
          expect(recordId(key, node, p, ns)).toBe(expected);
        }
      }),
      { numRuns: 500 },
    );
  });
});
