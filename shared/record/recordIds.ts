/**
 * Deterministic identifiers of records and flows.
 */
import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import type { DecodedPacket } from '../packet/decodedPacket';

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
