/**
 * The DNS name caches of one partition, one per node: a partition carries the batches of several
 * nodes, and a name is only ever taken from answers the same node observed (pod IPs and the
 * resolvers they ask are per node; another node's view would mix clocks and clients).
 *
 * Node names come from the batches (what the agents say), so their number is not trusted: the
 * table holds at most `maxNodes` nodes (the least recently seen is forgotten first) and at most
 * `maxAddressesPerPartition` addresses over all of them, by lowering each node's share as nodes
 * arrive (never below `minAddressesPerNode`). The address filter is one for the whole partition.
 */
import { DnsAnswerLearner, type TcpDnsBudget } from './dnsAnswerLearner';
import {
  DNS_NAME_FILTER_SIZE,
  DnsNameCache,
  type DnsNameCacheOptions,
  type DnsNameCacheStats,
} from './dnsNameCache';

/** One node's cache and the learner feeding it. */
export interface NodeDnsNames {
  readonly cache: DnsNameCache;
  readonly learner: DnsAnswerLearner;
}

/** Bounds of a {@link DnsNameTable}: each node's cache, and the partition's whole. */
export interface DnsNameTableOptions extends DnsNameCacheOptions {
  /** Most nodes held; the least recently seen node's names are forgotten first. Default 1 000. */
  maxNodes?: number;
  /** Most addresses held over all nodes (each node's share shrinks as nodes arrive). Default 100 000. */
  maxAddressesPerPartition?: number;
  /** The smallest share of a node, whatever the number of nodes. Default 100. */
  minAddressesPerNode?: number;
  /** Bytes held for DNS-over-TCP responses still arriving, over all nodes. Default 4 MiB. */
  maxTcpDnsBytes?: number;
}

/** Per-partition DNS name caches, by node. */
export class DnsNameTable {
  /** Node ─► its names, least recently seen first. */
  private readonly nodes = new Map<string, NodeDnsNames>();
  private readonly filter = new Uint8Array(DNS_NAME_FILTER_SIZE);
  private readonly maxNodes: number;
  private readonly maxAddressesPerNode: number;
  private readonly maxAddressesPerPartition: number;
  private readonly minAddressesPerNode: number;
  private lastNode: string | undefined;
  /** Counters of the caches of nodes no longer held. */
  private readonly retired: DnsNameCacheStats = { addresses: 0, learned: 0, evicted: 0 };
  private nodesForgotten = 0;
  private readonly tcpBudget: TcpDnsBudget;

  /** `options` bound each node's cache and the table as a whole. */
  constructor(private readonly options: DnsNameTableOptions = {}) {
    this.maxNodes = Math.max(1, Math.floor(options.maxNodes ?? 1_000));
    this.maxAddressesPerNode = Math.max(1, Math.floor(options.maxAddresses ?? 10_000));
    this.maxAddressesPerPartition = Math.max(1, Math.floor(options.maxAddressesPerPartition ?? 100_000));
    this.minAddressesPerNode = Math.max(1, Math.floor(options.minAddressesPerNode ?? 100));
    this.tcpBudget = {
      usedBytes: 0,
      maxBytes: Math.max(0, options.maxTcpDnsBytes ?? 4 * 1024 * 1024),
      skipped: 0,
    };
  }

  /** The cache of `node`, created on first use; the same object on every later call while it is held. */
  forNode(node: string): NodeDnsNames {
    let names = this.nodes.get(node);
    if (names !== undefined) {
      if (node !== this.lastNode) {
        // Seen again: to the young end, so the nodes still sending are the last forgotten.
        this.nodes.delete(node);
        this.nodes.set(node, names);
        this.lastNode = node;
      }
      return names;
    }
    if (this.nodes.size >= this.maxNodes) this.forgetOldestNode();
    const cache = new DnsNameCache(
      { ...this.options, maxAddresses: this.shareOf(this.nodes.size + 1) },
      this.filter,
    );
    names = { cache, learner: new DnsAnswerLearner(cache, this.tcpBudget) };
    this.nodes.set(node, names);
    this.lastNode = node;
    const share = this.shareOf(this.nodes.size);
    for (const held of this.nodes.values())
      if (held.cache.addressLimit > share) held.cache.limitAddresses(share);
    return names;
  }

  /** Counters summed over every node, including the nodes forgotten since. */
  stats(): DnsNameCacheStats {
    const total: DnsNameCacheStats = {
      addresses: 0,
      learned: this.retired.learned,
      evicted: this.retired.evicted,
    };
    for (const { cache } of this.nodes.values()) {
      const stats = cache.stats();
      total.addresses += stats.addresses;
      total.learned += stats.learned;
      total.evicted += stats.evicted;
    }
    return total;
  }

  /** Nodes held now, and nodes forgotten because `maxNodes` was reached. */
  nodeStats(): { nodes: number; forgotten: number } {
    return { nodes: this.nodes.size, forgotten: this.nodesForgotten };
  }

  /** Bytes held for DNS-over-TCP responses still arriving, and responses not followed for want of room. */
  tcpStats(): { heldBytes: number; skipped: number } {
    return { heldBytes: this.tcpBudget.usedBytes, skipped: this.tcpBudget.skipped };
  }

  /** A node's share of the partition's addresses when `nodeCount` nodes are held. */
  private shareOf(nodeCount: number): number {
    const fair = Math.floor(this.maxAddressesPerPartition / Math.max(1, nodeCount));
    return Math.min(this.maxAddressesPerNode, Math.max(this.minAddressesPerNode, fair));
  }

  private forgetOldestNode(): void {
    for (const [node, { cache, learner }] of this.nodes) {
      cache.clear();
      learner.clear();
      const stats = cache.stats();
      this.retired.learned += stats.learned;
      this.retired.evicted += stats.evicted;
      this.nodes.delete(node);
      if (this.lastNode === node) this.lastNode = undefined;
      this.nodesForgotten++;
      return;
    }
  }
}
