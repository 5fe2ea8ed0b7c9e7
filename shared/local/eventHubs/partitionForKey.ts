/**
 * Maps a partition key to a partition index with 32-bit FNV-1a over the key's UTF-8 bytes, modulo the
 * partition count. Stable across runs and processes, so one key always lands on one partition (what
 * `FirstPacket` state relies on). It is not the service's hash: on Azure the same key may land on a
 * different partition id, but it is likewise always the same one.
 */
export function partitionForKey(partitionKey: string, partitionCount: number): number {
  if (partitionCount <= 1) return 0;
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(partitionKey, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitionCount;
}
