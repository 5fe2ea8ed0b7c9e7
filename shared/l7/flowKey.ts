/**
 * A flow key private to layer 7: protocol plus both endpoints in a canonical order, so both
 * directions of a connection share one key, and which side the packet came from.
 */
export interface L7FlowKey {
  key: string;
  /** 0 when the packet goes from the lower endpoint to the higher one, else 1. */
  direction: 0 | 1;
}

function endpoint(ip: Uint8Array, port: number): string {
  return String.fromCharCode(...ip, port >> 8, port & 0xff);
}

/** The {@link L7FlowKey} of a packet between `(srcIp, srcPort)` and `(dstIp, dstPort)`. */
export function l7FlowKey(protocol: number, srcIp: Uint8Array, srcPort: number, dstIp: Uint8Array, dstPort: number): L7FlowKey {
  const source = endpoint(srcIp, srcPort);
  const destination = endpoint(dstIp, dstPort);
  const tag = String.fromCharCode(protocol, srcIp.length);
  return source <= destination
    ? { key: tag + source + destination, direction: 0 }
    : { key: tag + destination + source, direction: 1 };
}
