/**
 * Deterministic identifiers of records and flows.
 */
import * as crypto from 'node:crypto';
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
  const prefix = `${configurationKey}\u0000${node}\u0000${packet.tracePoint ?? ''}\u0000${timestampNsText}\u0000`;
  const data = packet.data;
  // One-shot hashing of one scratch buffer is about twice as fast as a Hash object per record.
  if (oneShot && prefix.length <= MAX_PREFIX_CHARS && data.length <= SCRATCH_BYTES - MAX_PREFIX_CHARS * 3) {
    const n = scratch.write(prefix, 0, 'utf8');
    scratch.set(data, n);
    return oneShot('sha256', scratch.subarray(0, n + data.length), 'hex').slice(0, 32);
  }
  return createHash('sha256').update(prefix).update(data).digest('hex').slice(0, 32);
}

const MAX_PREFIX_CHARS = 2048;
const SCRATCH_BYTES = 65536 + MAX_PREFIX_CHARS * 3;
const scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
// `crypto.hash` exists from Node 20.12 / 21.7; older runtimes use createHash.
const oneShot = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'hex') => string }).hash;

/**
 * `FlowId`: 16 hex digits, a 64-bit hash ({@link hash64Hex}) of the normalised 5-tuple text
 * `protocol|lowIp|lowPort|highIp|highPort` (ends ordered by address bytes, then port): the same
 * for both directions of one connection, on every node and in every batch. Undefined without IP
 * addresses.
 */
export function flowId(
  packet: DecodedPacket,
  sourceIpText: string,
  destinationIpText: string,
): string | undefined {
  if (!packet.sourceIp || !packet.destinationIp) return undefined;
  const sport = packet.sourcePort ?? 0;
  const dport = packet.destinationPort ?? 0;
  const tuple = sourceEndFirst(packet)
    ? `${packet.protocol ?? ''}|${sourceIpText}|${sport}|${destinationIpText}|${dport}`
    : `${packet.protocol ?? ''}|${destinationIpText}|${dport}|${sourceIpText}|${sport}`;
  return hash64Hex(tuple);
}

/**
 * A fast, non-cryptographic 64-bit string hash as 16 hex digits (the cyrb53 construction, keeping
 * both 32-bit lanes). Used for flow ids, where speed matters and collisions only merge two flows'
 * ids, never lose records.
 */
export function hash64Hex(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
}
