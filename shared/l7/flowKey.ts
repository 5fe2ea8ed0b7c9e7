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
  const source = endpoint(srcIp, srcPort);
  const destination = endpoint(dstIp, dstPort);
  const tag = String.fromCharCode(protocol, srcIp.length);
  return source <= destination
    ? { key: tag + source + destination, direction: 0 }
    : { key: tag + destination + source, direction: 1 };
}
