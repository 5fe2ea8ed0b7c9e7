import type { DecodedPacket } from '../../shared/packet/decodedPacket';
import { decodeLinkLayer } from '../../shared/packet/linkLayer';
import { LinkType } from '../../shared/packet/linkType';

const blank = (): DecodedPacket => ({
  frame: 1,
  timestampSec: 0,
  timestampNsec: 0,
  direction: 'unknown',
  originalLength: 0,
  data: new Uint8Array(0),
});
const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/ /g, ''), 'hex'));

describe('decodeLinkLayer', () => {
  it.each([
    [
      'Ethernet IPv4',
      LinkType.ETHERNET,
      hex('000000000000 000000000000 0800 45'),
      14,
      0x0800,
      undefined,
      undefined,
    ],
    [
      'Ethernet ARP',
      LinkType.ETHERNET,
      hex('000000000000 000000000000 0806'),
      14,
      0x0806,
      undefined,
      undefined,
    ],
    ['802.1Q id 0', LinkType.ETHERNET, hex('000000000000 000000000000 8100 0000 86dd'), 18, 0x86dd, 0, 1],
    [
      '802.1ad + 802.1Q',
      LinkType.ETHERNET,
      hex('000000000000 000000000000 88a8 e064 8100 002a 0800'),
      22,
      0x0800,
      100,
      2,
    ],
    [
      '0x9100 stack of three',
      LinkType.ETHERNET,
      hex('000000000000 000000000000 9100 0001 9100 0002 8100 0003 0800'),
      26,
      0x0800,
      1,
      3,
    ],
    [
      'SLL',
      LinkType.LINUX_SLL,
      hex('0000 0001 0006 000000000000 0000 0800'),
      16,
      0x0800,
      undefined,
      undefined,
    ],
    [
      'SLL2',
      LinkType.LINUX_SLL2,
      hex('86dd 0000 00000002 0001 00 06 000000000000 0000'),
      20,
      0x86dd,
      undefined,
      undefined,
    ],
    ['NULL little-endian AF_INET', LinkType.NULL, hex('02000000'), 4, 0x0800, undefined, undefined],
    ['NULL big-endian AF_INET6 (30)', LinkType.NULL, hex('0000001e'), 4, 0x86dd, undefined, undefined],
    ['NULL little-endian AF_INET6 (24)', LinkType.NULL, hex('18000000'), 4, 0x86dd, undefined, undefined],
    ['LOOP AF_INET6 (24)', LinkType.LOOP, hex('00000018'), 4, 0x86dd, undefined, undefined],
    ['raw IPv6', LinkType.RAW, hex('60'), 0, 0x86dd, undefined, undefined],
    ['LINKTYPE_IPV4', LinkType.IPV4, hex(''), 0, 0x0800, undefined, undefined],
    ['LINKTYPE_IPV6', LinkType.IPV6, hex(''), 0, 0x86dd, undefined, undefined],
    ['empty Ethernet', LinkType.ETHERNET, hex(''), -1, undefined, undefined, undefined],
    ['unknown link type', 9999, hex('00'), -1, undefined, undefined, undefined],
  ])('%s', (_name, linkType, data, offset, etherType, vlanId, vlanDepth) => {
    const out = blank();
    expect(decodeLinkLayer(out, data, linkType)).toBe(offset);
    expect([out.etherType, out.vlanId, out.vlanDepth]).toEqual([etherType, vlanId, vlanDepth]);
    expect(out.malformed === undefined).toBe(offset >= 0);
  });
});
