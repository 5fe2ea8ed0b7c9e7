import { craftFrame, type CraftExtension } from '../../shared/packet/craftFrame';
import { decodePacket } from '../../shared/packet/decodePacket';
import { LinkType } from '../../shared/packet/linkType';

describe('IPv6 extension header chains', () => {
  it.each([
    ['none', []],
    ['hop-by-hop', [{ type: 0 }]],
    ['routing', [{ type: 43 }]],
    ['destination options', [{ type: 60 }]],
    ['authentication header', [{ type: 51 }]],
    ['long hop-by-hop (24 bytes)', [{ type: 0, body: new Uint8Array(22) }]],
    ['hop-by-hop, routing, destination options, AH', [{ type: 0 }, { type: 43 }, { type: 60 }, { type: 51 }]],
    ['mobility then destination options', [{ type: 135 }, { type: 60 }]],
  ] as [string, CraftExtension[]][])('%s → TCP ports found', (_name, extensions) => {
    const data = craftFrame({
      source: '2001:db8::1',
      destination: '2001:db8::2',
      extensions,
      transport: { protocol: 'tcp', sourcePort: 443, destinationPort: 50000, flags: 0x12 },
      payload: 'abc',
    });
    const packet = decodePacket(
      { frame: 1, timestampSec: 0, timestampNsec: 0, originalLength: data.length, data },
      LinkType.ETHERNET,
    );
    expect([
      packet.protocol,
      packet.sourcePort,
      packet.destinationPort,
      packet.tcpFlags,
      packet.payloadLength,
      packet.malformed,
    ]).toEqual([6, 443, 50000, 0x12, 3, undefined]);
  });

  it('stops at No Next Header (59) with no transport', () => {
    const data = craftFrame({
      source: '::1',
      destination: '::2',
      extensions: [{ type: 60 }],
      transport: { protocol: 59 },
      linkType: LinkType.RAW,
    });
    const packet = decodePacket(
      { frame: 1, timestampSec: 0, timestampNsec: 0, originalLength: data.length, data },
      LinkType.RAW,
    );
    expect([packet.protocol, packet.sourcePort, packet.payloadLength, packet.malformed]).toEqual([
      59,
      undefined,
      0,
      undefined,
    ]);
  });

  it('treats an atomic fragment (offset 0, no more fragments) as a whole datagram (RFC 6946)', () => {
    const inner = craftFrame({
      source: '::1',
      destination: '::2',
      transport: { protocol: 'udp', sourcePort: 7, destinationPort: 9 },
      linkType: LinkType.RAW,
    });
    const bytes = Buffer.alloc(inner.length + 8);
    bytes.set(inner.subarray(0, 40), 0);
    bytes.writeUInt16BE(inner.length - 40 + 8, 4);
    bytes[6] = 44;
    bytes[40] = 17;
    bytes.writeUInt32BE(99, 44);
    bytes.set(inner.subarray(40), 48);
    const packet = decodePacket(
      { frame: 1, timestampSec: 0, timestampNsec: 0, originalLength: bytes.length, data: bytes },
      LinkType.RAW,
    );
    expect([packet.fragment, packet.sourcePort, packet.destinationPort]).toEqual([undefined, 7, 9]);
  });
});
