/**
 * A flow key private to layer 7: protocol plus both endpoints in a canonical order, so both
 * directions of a connection share one key, and which side the packet came from.
 */
export interface L7FlowKey {
  key: string;
  /** 0 when the packet goes from the lower endpoint to the higher one, else 1. */
  direction: 0 | 1;
}

/** Address and port packed two bytes per UTF-16 unit: short keys, no spread, no array. */
function endpoint(ip: Uint8Array, port: number): string {
  if (ip.length === 4) return String.fromCharCode((ip[0]! << 8) | ip[1]!, (ip[2]! << 8) | ip[3]!, port);
  if (ip.length === 16) {
    // prettier-ignore
    return String.fromCharCode(
      (ip[0]! << 8) | ip[1]!, (ip[2]! << 8) | ip[3]!, (ip[4]! << 8) | ip[5]!, (ip[6]! << 8) | ip[7]!,
      (ip[8]! << 8) | ip[9]!, (ip[10]! << 8) | ip[11]!, (ip[12]! << 8) | ip[13]!, (ip[14]! << 8) | ip[15]!,
      port,
    );
  }
  let text = '';
  for (let i = 0; i + 1 < ip.length; i += 2) text += String.fromCharCode((ip[i]! << 8) | ip[i + 1]!);
  return text + String.fromCharCode(port);
}

/** The {@link L7FlowKey} of a packet between `(srcIp, srcPort)` and `(dstIp, dstPort)`. */
export function l7FlowKey(
  protocol: number,
  srcIp: Uint8Array,
  srcPort: number,
  dstIp: Uint8Array,
  dstPort: number,
): L7FlowKey {
  if (srcIp.length === 4 && dstIp.length === 4) return ipv4Key(protocol, srcIp, srcPort, dstIp, dstPort);
  const source = endpoint(srcIp, srcPort);
  const destination = endpoint(dstIp, dstPort);
  const tag = String.fromCharCode(protocol, srcIp.length);
  return source <= destination
    ? { key: tag + source + destination, direction: 0 }
    : { key: tag + destination + source, direction: 1 };
}

/**
 * The same key as the general path for two IPv4 endpoints, built in one `fromCharCode` after
 * comparing the endpoints' UTF-16 units as numbers: no intermediate strings per packet.
 */
function ipv4Key(
  protocol: number,
  srcIp: Uint8Array,
  srcPort: number,
  dstIp: Uint8Array,
  dstPort: number,
): L7FlowKey {
  const s0 = (srcIp[0]! << 8) | srcIp[1]!;
  const s1 = (srcIp[2]! << 8) | srcIp[3]!;
  const s2 = port16(srcPort);
  const d0 = (dstIp[0]! << 8) | dstIp[1]!;
  const d1 = (dstIp[2]! << 8) | dstIp[3]!;
  const d2 = port16(dstPort);
  const forward = s0 !== d0 ? s0 < d0 : s1 !== d1 ? s1 < d1 : s2 <= d2;
  return forward
    ? { key: String.fromCharCode(protocol, 4, s0, s1, s2, d0, d1, d2), direction: 0 }
    : { key: String.fromCharCode(protocol, 4, d0, d1, d2, s0, s1, s2), direction: 1 };
}

/** The UTF-16 unit `String.fromCharCode(port)` stores (ports are 16-bit; this keeps it exact for any number). */
function port16(port: number): number {
  return port & 0xffff;
}
