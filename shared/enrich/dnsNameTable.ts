/**
 * The DNS name caches of one partition, one per node: a partition carries the batches of several
 * nodes, and a name is only ever taken from answers the same node observed (pod IPs and the
 * resolvers they ask are per node; another node's view would mix clocks and clients).
 */
import { DnsAnswerLearner } from './dnsAnswerLearner';
import { DnsNameCache, type DnsNameCacheOptions, type DnsNameCacheStats } from './dnsNameCache';

/** One node's cache and the learner feeding it. */
export interface NodeDnsNames {
  readonly cache: DnsNameCache;
  readonly learner: DnsAnswerLearner;
}

/** Per-partition DNS name caches, by node. */
export class DnsNameTable {
  private readonly nodes = new Map<string, NodeDnsNames>();

  /** `options` apply to each node's cache. */
  constructor(private readonly options: DnsNameCacheOptions = {}) {}

  /** The cache of `node`, created on first use; the same object on every later call. */
  forNode(node: string): NodeDnsNames {
    let names = this.nodes.get(node);
    if (names === undefined) {
      const cache = new DnsNameCache(this.options);
      names = { cache, learner: new DnsAnswerLearner(cache) };
      this.nodes.set(node, names);
    }
    return names;
  }

  /** Counters summed over every node. */
  stats(): DnsNameCacheStats {
    const total: DnsNameCacheStats = { addresses: 0, learned: 0, evicted: 0 };
    for (const { cache } of this.nodes.values()) {
      const stats = cache.stats();
      total.addresses += stats.addresses;
      total.learned += stats.learned;
      total.evicted += stats.evicted;
    }
    return total;
  }
}
