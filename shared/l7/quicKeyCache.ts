import type { InitialKeys } from './quicInitial';
import { initialKeys } from './quicInitial';

/**
 * QUIC Initial keys by version, side and connection id, so the HKDF derivation (five HMACs) runs
 * once per connection rather than once per packet and attempt. Bounded: beyond `maxEntries` the
 * oldest entry is dropped. Keys are a pure function of their inputs, so a cached entry is exactly
 * what {@link initialKeys} would return.
 */
export class QuicKeyCache {
  private readonly entries = new Map<string, InitialKeys>();

  constructor(readonly maxEntries = 256) {}

  /** Entries held. */
  get size(): number {
    return this.entries.size;
  }

  /** The keys of {@link initialKeys}, derived at most once while cached. An `InitialKeySource`. */
  readonly keys = (version: number, dcid: Uint8Array, side: 'client' | 'server'): InitialKeys | undefined => {
    const id = cacheKey(version, dcid, side);
    const cached = this.entries.get(id);
    if (cached !== undefined) return cached;
    const derived = initialKeys(version, dcid, side);
    if (derived === undefined) return undefined;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(id, derived);
    return derived;
  };

  /** Forgets every entry. */
  clear(): void {
    this.entries.clear();
  }
}

function cacheKey(version: number, dcid: Uint8Array, side: 'client' | 'server'): string {
  let text = `${side === 'client' ? 'c' : 's'}${version}:`;
  for (let i = 0; i < dcid.length; i++) text += String.fromCharCode(dcid[i]!);
  return text;
}
