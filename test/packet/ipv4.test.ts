import { craftIpPacket } from '../../shared/packet/craftFrame';
import type { DecodedPacket } from '../../shared/packet/decodedPacket';
import { decodeIpv4 } from '../../shared/packet/ipv4';

const blank = (): DecodedPacket => ({
  frame: 1,
  timestampSec: 0,
  timestampNsec: 0,
  direction: 'unknown',
  originalLength: 0,
  data: new Uint8Array(0),
});
const spec = {
  source: '192.0.2.1',
  destination: '192.0.2.2',
  ttl: 9,
  ipId: 0xbeef,
  transport: { protocol: 17 },
} as const;

describe('decodeIpv4', () => {
  it.each([
    ['whole datagram', undefined, undefined, undefined, undefined],
    ['first fragment', { offset: 0, more: true }, true, 0, true],
    ['middle fragment', { offset: 1480, more: true }, true, 1480, true],
    ['last fragment', { offset: 2960, more: false }, true, 2960, false],
  ])('%s', (_name, fragment, isFragment, offset, more) => {
    const body = new Uint8Array(16).fill(7);
    const data = craftIpPacket(spec, body, 17, fragment);
    const out = blank();
    expect(decodeIpv4(out, data, 0, data.length)).toBe(data.length);
    expect([out.ipVersion, out.ttl, out.protocol, out.payloadLength, out.payload?.length]).toEqual([
      4, 9, 17, 16, 16,
    ]);
    expect([out.fragment, out.fragmentOffset, out.moreFragments, out.fragmentId]).toEqual([
      isFragment,
      offset,
      more,
      isFragment ? 0xbeef : undefined,
    ]);
  });

  it('skips IPv4 options using the header length', () => {
    const plain = Buffer.from(craftIpPacket(spec, Uint8Array.of(1, 2, 3, 4), 17));
    const withOptions = Buffer.concat([plain.subarray(0, 20), Buffer.from([1, 1, 1, 0]), plain.subarray(20)]);
    withOptions[0] = 0x46;
    withOptions.writeUInt16BE(withOptions.length, 2);
    const out = blank();
    decodeIpv4(out, withOptions, 0, withOptions.length);
    expect(Array.from(out.payload!)).toEqual([1, 2, 3, 4]);
  });

  it.each([
    ['empty', new Uint8Array(0), 'IPv4 header needs 20 bytes, 0 captured'],
    ['IPv6 bytes', Uint8Array.from([0x60, ...new Uint8Array(39)]), 'IPv4 header has version 6'],
  ])('%s is malformed', (_name, data, reason) => {
    const out = blank();
    expect(decodeIpv4(out, data, 0, data.length)).toBe(-1);
    expect(out.malformed).toEqual({ layer: 'network', reason });
  });
});
