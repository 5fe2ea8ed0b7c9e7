/**
 * Layer 2: finds where the network layer starts and which protocol it is, for every supported link
 * type. Sets `etherType` (and VLAN fields) on the packet; returns the network-layer offset, or -1
 * after recording why in `malformed`.
 */
import type { DecodedPacket } from './decodedPacket';
import { EtherType as EtherTypes, LinkType as LinkTypes } from './linkType';

// Imports bound once to module constants: CommonJS output of esbuild/tsx turns each use of an
// import into a getter call, which costs measurably on a per-packet path.
const EtherType = EtherTypes;
const LinkType = LinkTypes;

/** Records a malformation on the link layer and returns -1. */
function bad(out: DecodedPacket, reason: string): number {
  out.malformed ??= { layer: 'link', reason };
  return -1;
}

/** Maps a BSD address family (AF_INET, the several AF_INET6 values) to an EtherType; 0 when unknown. */
function familyToEtherType(family: number): number {
  if (family === 2) return EtherType.IPV4;
  // AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS), 10 (Linux), 23 (Windows).
  if (family === 24 || family === 28 || family === 30 || family === 10 || family === 23)
    return EtherType.IPV6;
  return 0;
}

/** Decodes the link header of `data` for `linkType`. */
export function decodeLinkLayer(out: DecodedPacket, data: Uint8Array, linkType: number): number {
  const length = data.length;
  switch (linkType) {
    case LinkType.ETHERNET: {
      if (length < 14) return bad(out, `Ethernet header needs 14 bytes, ${length} captured`);
      let offset = 12;
      let type = (data[12]! << 8) | data[13]!;
      let depth = 0;
      while (type === EtherType.VLAN || type === EtherType.QINQ || type === EtherType.QINQ_OLD) {
        if (offset + 6 > length)
          return bad(out, `802.1Q tag ${depth + 1} is cut short at byte ${offset + 2}`);
        if (depth === 0) out.vlanId = ((data[offset + 2]! << 8) | data[offset + 3]!) & 0x0fff;
        depth++;
        offset += 4;
        type = (data[offset]! << 8) | data[offset + 1]!;
      }
      if (depth > 0) out.vlanDepth = depth;
      out.etherType = type;
      return offset + 2;
    }
    case LinkType.LINUX_SLL: {
      if (length < 16) return bad(out, `Linux cooked (SLL) header needs 16 bytes, ${length} captured`);
      out.etherType = (data[14]! << 8) | data[15]!;
      return 16;
    }
    case LinkType.LINUX_SLL2: {
      if (length < 20) return bad(out, `Linux cooked v2 (SLL2) header needs 20 bytes, ${length} captured`);
      out.etherType = (data[0]! << 8) | data[1]!;
      return 20;
    }
    case LinkType.RAW:
    case LinkType.RAW_DLT12:
    case LinkType.RAW_DLT14: {
      if (length < 1) return bad(out, 'raw IP frame is empty');
      const version = data[0]! >> 4;
      if (version === 4) out.etherType = EtherType.IPV4;
      else if (version === 6) out.etherType = EtherType.IPV6;
      else return bad(out, `raw IP frame starts with IP version ${version}`);
      return 0;
    }
    case LinkType.IPV4:
      out.etherType = EtherType.IPV4;
      return 0;
    case LinkType.IPV6:
      out.etherType = EtherType.IPV6;
      return 0;
    case LinkType.NULL:
    case LinkType.LOOP: {
      if (length < 4) return bad(out, `loopback header needs 4 bytes, ${length} captured`);
      const be = ((data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!) >>> 0;
      // NULL uses the capturing host's byte order: a family in the high half means little-endian.
      const family = linkType === LinkType.NULL && (be & 0xffff0000) !== 0 ? data[0]! | (data[1]! << 8) : be;
      const type = familyToEtherType(family);
      if (type === 0) return bad(out, `loopback address family ${family} is not IPv4 or IPv6`);
      out.etherType = type;
      return 4;
    }
    default:
      return bad(out, `link type ${linkType} is not supported`);
  }
}
