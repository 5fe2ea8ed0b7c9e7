import { crc32c, internetChecksum, sumWords, finishChecksum } from '../../shared/packet/checksum';
import { craftFragments, craftFrame, type CraftSpec } from '../../shared/packet/craftFrame';
import { LinkType } from '../../shared/packet/linkType';

/** Verifies a transport checksum over the pseudo-header: the folded sum must be zero. */
function pseudoValid(ip: Uint8Array, protocol: number, segment: Uint8Array): boolean {
  const v6 = ip[0]! >> 4 === 6;
  const source = v6 ? ip.subarray(8, 24) : ip.subarray(12, 16);
  const destination = v6 ? ip.subarray(24, 40) : ip.subarray(16, 20);
  const sum = sumWords(segment, sumWords(destination, sumWords(source)) + protocol + segment.length);
  return finishChecksum(sum) === 0;
}

describe('craftFrame', () => {
  it.each([
    [
      'TCP v4',
      {
        source: '10.1.2.3',
        destination: '10.3.2.1',
        transport: {
          protocol: 'tcp',
          sourcePort: 1,
          destinationPort: 2,
          options: Uint8Array.of(1, 1, 1),
        } as const,
        payload: 'odd',
      },
      6,
    ],
    [
      'UDP v4',
      {
        source: '10.1.2.3',
        destination: '10.3.2.1',
        transport: { protocol: 'udp', sourcePort: 1, destinationPort: 2 } as const,
        payload: 'x',
      },
      17,
    ],
    [
      'TCP v6',
      {
        source: '2001:db8::1',
        destination: '2001:db8::2',
        transport: { protocol: 'tcp', sourcePort: 1, destinationPort: 2 } as const,
        payload: 'hello',
      },
      6,
    ],
    [
      'UDP v6',
      {
        source: '2001:db8::1',
        destination: '2001:db8::2',
        transport: { protocol: 'udp', sourcePort: 1, destinationPort: 2 } as const,
      },
      17,
    ],
    [
      'ICMPv6',
      {
        source: 'fe80::1',
        destination: 'ff02::1',
        transport: { protocol: 'icmpv6', type: 128, code: 0 } as const,
        payload: 'ping',
      },
      58,
    ],
  ] as [string, CraftSpec, number][])('%s has valid IP and transport checksums', (_name, spec, protocol) => {
    const ip = craftFrame({ ...spec, linkType: LinkType.RAW });
    const v6 = spec.source.includes(':');
    if (!v6) expect(internetChecksum(ip.subarray(0, 20))).toBe(0);
    expect(pseudoValid(ip, protocol, ip.subarray(v6 ? 40 : 20))).toBe(true);
  });

  it('ICMP checksum covers the message', () => {
    const ip = craftFrame({
      source: '10.0.0.1',
      destination: '10.0.0.2',
      transport: { protocol: 'icmp', type: 8, code: 0, rest: 0x00010002 },
      payload: 'abc',
      linkType: LinkType.RAW,
    });
    expect(internetChecksum(ip.subarray(20))).toBe(0);
  });

  it('SCTP carries a CRC-32C over the packet with the checksum field zeroed', () => {
    const ip = Buffer.from(
      craftFrame({
        source: '10.0.0.1',
        destination: '10.0.0.2',
        transport: { protocol: 'sctp', sourcePort: 5, destinationPort: 6 },
        payload: 'data',
        linkType: LinkType.RAW,
      }),
    );
    const sctp = Buffer.from(ip.subarray(20));
    const stored = sctp.readUInt32LE(8);
    sctp.writeUInt32LE(0, 8);
    expect(crc32c(sctp)).toBe(stored);
  });

  it.each([
    ['Ethernet', LinkType.ETHERNET, 14],
    ['SLL', LinkType.LINUX_SLL, 16],
    ['SLL2', LinkType.LINUX_SLL2, 20],
    ['NULL', LinkType.NULL, 4],
    ['LOOP', LinkType.LOOP, 4],
    ['raw', LinkType.RAW, 0],
  ])('%s link header is %s bytes', (_name, linkType, size) => {
    const frame = craftFrame({
      source: '10.0.0.1',
      destination: '10.0.0.2',
      transport: { protocol: 'udp', sourcePort: 1, destinationPort: 2 },
      linkType,
    });
    expect(frame.length).toBe(size + 28);
  });

  it('splits fragments on 8-byte boundaries with More Fragments on all but the last', () => {
    const frames = craftFragments(
      {
        source: '10.0.0.1',
        destination: '10.0.0.2',
        transport: { protocol: 'udp', sourcePort: 1, destinationPort: 2 },
        payload: 'y'.repeat(100),
        linkType: LinkType.RAW,
      },
      30,
    );
    const fields = frames.map((f) => [Buffer.from(f).readUInt16BE(6), f.length - 20]);
    expect(fields).toEqual([
      [0x2000 | 0, 24],
      [0x2000 | 3, 24],
      [0x2000 | 6, 24],
      [0x2000 | 9, 24],
      [12, 12],
    ]);
  });

  it('rejects an address that does not parse', () => {
    expect(() => craftFrame({ source: 'nope', destination: '10.0.0.1', transport: { protocol: 6 } })).toThrow(
      'not an IP address: nope',
    );
  });
});
