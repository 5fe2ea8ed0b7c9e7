/**
 * Deterministic identifiers of records and flows.
 */
import { createHash } from 'node:crypto';
import type { DecodedPacket } from '../packet/decodedPacket';
import { sourceEndFirst } from '../flow/flowTuple';

/**
 * `RecordId`: 32 hex digits (128 bits) of SHA-256 over the configuration key, node, trace point,
 * timestamp in ns and the captured frame bytes. The same packet traced by the same configuration
 * gets the same id whatever batch it arrived in (frame numbers and batch boundaries are not part
 * of it), so re-delivered batches overwrite instead of duplicating.
 */
export function recordId(
  configurationKey: string,
  node: string,
  packet: DecodedPacket,
  timestampNsText: string,
): string {
  return createHash('sha256')
    .update(`${configurationKey}\u0000${node}\u0000${packet.tracePoint ?? ''}\u0000${timestampNsText}\u0000`)
    .update(packet.data)
    .digest('hex')
    .slice(0, 32);
}

/**
 * `FlowId`: 16 hex digits (64 bits) of SHA-256 over the normalised 5-tuple
 * `protocol|lowIp|lowPort|highIp|highPort` (ends ordered by address bytes, then port): the same
 * for both directions of one connection, on every node. Undefined without IP addresses.
 */
export function flowId(packet: DecodedPacket, sourceIpText: string, destinationIpText: string): string | undefined {
  if (!packet.sourceIp || !packet.destinationIp) return undefined;
  const sport = packet.sourcePort ?? 0;
  const dport = packet.destinationPort ?? 0;
  const tuple = sourceEndFirst(packet)
    ? `${packet.protocol ?? ''}|${sourceIpText}|${sport}|${destinationIpText}|${dport}`
    : `${packet.protocol ?? ''}|${destinationIpText}|${dport}|${sourceIpText}|${sport}`;
  return createHash('sha256').update(tuple).digest('hex').slice(0, 16);
}
