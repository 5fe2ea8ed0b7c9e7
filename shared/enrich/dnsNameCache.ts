/**
 * The DNS names one node's pods resolved, by address: what `DestinationFqdn` and `SourceFqdn`
 * are read from (docs/flows.md, "DNS names on flows"). Fed with the answers of DNS responses the
 * node observed ({@link DnsAnswerLearner}); read per record. Bounded: at most `maxAddresses`
 * addresses (least recently learned or used evicted first) and `maxNamesPerAddress` names per
 * address. Time is the packet clock of the node, never the wall clock.
 */
import { ipKey, type IpKey } from './ipKey';

/** Bounds and TTL clamping of a {@link DnsNameCache}. */
export interface DnsNameCacheOptions {
  /** Most addresses held per node; the least recently learned or used is evicted. Default 10 000. */
  maxAddresses?: number;
  /** Most names (per client) held per address; the least recently learned is replaced. Default 4. */
  maxNamesPerAddress?: number;
  /** Shortest time a name is kept, whatever its TTL says, in ms. Default 60 000 (1 min). */
  minTtlInMs?: number;
  /** Longest time a name is kept, whatever its TTL says, in ms. Default 3 600 000 (1 h). */
  maxTtlInMs?: number;
}

/** Reads the name a client resolved for an address. */
export interface DnsNameLookup {
  /**
   * The name `client` resolved for `address` (4 or 16 bytes each) valid at packet time `nowMs`:
   * the most recent lookup by `client`, else the most recent by anyone on the node; undefined
   * when none is known.
   */
  nameFor(client: Uint8Array, address: Uint8Array, nowMs: number): string | undefined;
}

/** Counters of a {@link DnsNameCache}. */
export interface DnsNameCacheStats {
  /** Addresses held now. */
  addresses: number;
  /** Address-to-name mappings learned or refreshed from DNS answers. */
  learned: number;
  /** Names forgotten before their TTL ran out because a bound was reached. */
  evicted: number;
}

interface NameCandidate {
  name: string;
  /** Who asked: the destination address of the DNS response. */
  client: IpKey;
  learnedMs: number;
  expiresMs: number;
}

interface AddressNames {
  candidates: NameCandidate[];
  /** Packet time of the last move to the young end of the map. */
  touchedMs: number;
}

/** Bytes of the address filter of a cache (one count per 16-bit bucket). */
export const DNS_NAME_FILTER_SIZE = 0x10000;

/** A lookup hit moves its address to the young end at most this often (packet time). */
const TOUCH_MS = 1000;
/** A count that reached this stays (its bucket is then always looked up: never a wrong miss). */
const STUCK = 255;

/**
 * The filter bucket of an address: its 16-bit words folded by XOR, so addresses that differ
 * anywhere (not only in the last bytes, as `::1`-style IPv6 addresses do) mostly differ here.
 */
function bucketOf(address: Uint8Array): number {
  let bucket = 0;
  for (let i = 0; i + 1 < address.length; i += 2) bucket ^= (address[i]! << 8) | address[i + 1]!;
  return bucket;
}

/** The filter bucket of an {@link IpKey}: the same fold of the same words. */
function bucketOfKey(key: IpKey): number {
  if (typeof key === 'number') return ((key >>> 16) ^ key) & 0xffff;
  let bucket = 0;
  for (let i = 0; i < key.length; i++) bucket ^= key.charCodeAt(i);
  return bucket;
}

/** Per-node cache of resolved names by address. */
export class DnsNameCache implements DnsNameLookup {
  /** Address ─► names, least recently learned or used first. */
  private readonly addresses = new Map<IpKey, AddressNames>();
  private readonly maxNamesPerAddress: number;
  private readonly minTtlInMs: number;
  private readonly maxTtlInMs: number;
  /** Newest packet time seen (to tell a still-valid eviction from the removal of an expired name). */
  private clockMs = -Infinity;
  private learned = 0;
  private evicted = 0;
  /**
   * Addresses held per {@link bucketOf} bucket (created with the first address, or shared by the
   * caches of a partition): a lookup of an address in an empty bucket, most packets, costs one
   * array read instead of building its key.
   */
  private buckets: Uint8Array | undefined;
  private maxAddresses: number;

  /**
   * `filter`: a {@link DNS_NAME_FILTER_SIZE}-byte address filter shared with other caches (those of
   * one partition's nodes), so that many nodes do not each hold one; absent, the cache makes its own.
   */
  constructor(options: DnsNameCacheOptions = {}, filter?: Uint8Array) {
    if (filter !== undefined && filter.length !== DNS_NAME_FILTER_SIZE)
      throw new RangeError(`a DNS name filter holds ${DNS_NAME_FILTER_SIZE} bytes, not ${filter.length}`);
    this.buckets = filter;
    this.maxAddresses = Math.max(1, options.maxAddresses ?? 10_000);
    this.maxNamesPerAddress = Math.max(1, options.maxNamesPerAddress ?? 4);
    this.minTtlInMs = Math.max(0, options.minTtlInMs ?? 60_000);
    this.maxTtlInMs = Math.max(this.minTtlInMs, options.maxTtlInMs ?? 3_600_000);
  }

  /**
   * Records that `client` resolved `name` to `address` at packet time `nowMs`, valid for
   * `ttlSeconds` clamped to the floor and cap.
   */
  learn(address: IpKey, name: string, client: IpKey, ttlSeconds: number, nowMs: number): void {
    if (nowMs > this.clockMs) this.clockMs = nowMs;
    const lifetimeMs = Math.min(this.maxTtlInMs, Math.max(this.minTtlInMs, ttlSeconds * 1000));
    const expiresMs = nowMs + lifetimeMs;
    this.learned++;
    let entry = this.addresses.get(address);
    if (entry === undefined) {
      entry = { candidates: [{ name, client, learnedMs: nowMs, expiresMs }], touchedMs: nowMs };
      this.addresses.set(address, entry);
      const buckets = (this.buckets ??= new Uint8Array(DNS_NAME_FILTER_SIZE));
      const bucket = bucketOfKey(address);
      if (buckets[bucket]! < STUCK) buckets[bucket]!++;
      if (this.addresses.size > this.maxAddresses) this.evictOldest();
      return;
    }
    this.addresses.delete(address);
    this.addresses.set(address, entry);
    entry.touchedMs = nowMs;
    const candidates = entry.candidates;
    for (const candidate of candidates) {
      if (candidate.name === name && candidate.client === client) {
        if (nowMs >= candidate.learnedMs) candidate.learnedMs = nowMs;
        if (expiresMs > candidate.expiresMs) candidate.expiresMs = expiresMs;
        return;
      }
    }
    const live = candidates.filter((candidate) => candidate.expiresMs > nowMs);
    if (live.length >= this.maxNamesPerAddress) {
      let oldest = 0;
      for (let i = 1; i < live.length; i++) if (live[i]!.learnedMs < live[oldest]!.learnedMs) oldest = i;
      live.splice(oldest, 1);
      this.evicted++;
    }
    live.push({ name, client, learnedMs: nowMs, expiresMs });
    entry.candidates = live;
  }

  nameFor(client: Uint8Array, address: Uint8Array, nowMs: number): string | undefined {
    // Most packets go to addresses nobody resolved (pods, services): one array read, nothing else.
    const buckets = this.buckets;
    if (buckets === undefined || buckets[bucketOf(address)] === 0) return undefined;
    const key = ipKey(address);
    const entry = this.addresses.get(key);
    if (entry === undefined) return undefined;
    const clientKey = ipKey(client);
    let own: NameCandidate | undefined;
    let anyone: NameCandidate | undefined;
    const candidates = entry.candidates;
    for (let i = 0; i < candidates.length; i++) {
      const candidate = candidates[i]!;
      if (candidate.expiresMs <= nowMs) continue;
      if (anyone === undefined || candidate.learnedMs > anyone.learnedMs) anyone = candidate;
      if (candidate.client === clientKey && (own === undefined || candidate.learnedMs > own.learnedMs))
        own = candidate;
    }
    const found = own ?? anyone;
    if (found !== undefined && nowMs - entry.touchedMs >= TOUCH_MS) {
      entry.touchedMs = nowMs;
      this.addresses.delete(key);
      this.addresses.set(key, entry);
    }
    return found?.name;
  }

  /** True while no address is held: records need no lookup at all. */
  get empty(): boolean {
    return this.addresses.size === 0;
  }

  /** Current counters. */
  stats(): DnsNameCacheStats {
    return { addresses: this.addresses.size, learned: this.learned, evicted: this.evicted };
  }

  /** The most addresses held now. */
  get addressLimit(): number {
    return this.maxAddresses;
  }

  /**
   * Changes the most addresses held (at least 1); lowering it evicts the least recently learned or
   * used addresses at once, counting their still-valid names as evicted.
   */
  limitAddresses(maxAddresses: number): void {
    this.maxAddresses = Math.max(1, Math.floor(maxAddresses));
    while (this.addresses.size > this.maxAddresses) this.evictOldest();
  }

  /** Forgets every address (its node left the partition's table), counting still-valid names as evicted. */
  clear(): void {
    while (this.addresses.size > 0) this.evictOldest();
  }

  /** Drops the least recently learned or used address, counting its names that were still valid. */
  private evictOldest(): void {
    for (const [key, entry] of this.addresses) {
      this.addresses.delete(key);
      const bucket = bucketOfKey(key);
      if (this.buckets !== undefined && this.buckets[bucket]! < STUCK) this.buckets[bucket]!--;
      for (const candidate of entry.candidates) if (candidate.expiresMs > this.clockMs) this.evicted++;
      return;
    }
  }
}
