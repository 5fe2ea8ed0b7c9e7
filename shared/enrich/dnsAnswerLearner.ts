/**
 * Learns address-to-name mappings from the DNS responses a node observed, for the
 * {@link DnsNameCache}: independent of any configuration (the DNS packet need not be traced).
 *
 * What is learned from one response (docs/flows.md, "DNS names on flows"):
 * - only a standard query response (QR set, opcode 0) with exactly one question and `NOERROR`;
 * - the name is the question's name, lower-cased: the name the client asked. An answer's
 *   CNAME chain is followed from it (`www.example.com CNAME edge.cdn.net`, `edge.cdn.net A
 *   1.2.3.4` maps 1.2.3.4 to `www.example.com`), links in any order, at most 16;
 * - every A and AAAA answer whose owner is the question's name or a name of its chain; its
 *   lifetime is the smallest TTL along the chain (then clamped by the cache);
 * - the client is the response's destination address.
 *
 * DNS over UDP from port 53, and over TCP from port 53: a message in one segment, several in
 * one, or one spread over several in-order segments (large answer sets). The bytes of a message
 * still arriving are held per connection and observation scope, in sequence order only (a gap
 * drops the message; a retransmission is ignored), bounded by {@link TcpDnsBudget}. Damaged or
 * odd messages teach nothing and never throw: the shared parser reports them, and only records it
 * read whole count.
 */
import { parseDnsMessage } from '../l7/dns';
import { readDnsName } from '../l7/dnsName';
import { DnsType } from '../l7/dnsTypes';
import { IpProtocol, type DecodedPacket } from '../packet/decodedPacket';
import { flowMapKey } from '../packet/flowKey';
import type { DnsNameCache } from './dnsNameCache';
import { ipKey, type IpKey } from './ipKey';

/** The DNS server port responses are learned from. */
export const DNS_SERVER_PORT = 53;

/** Most CNAME links followed from the question's name. */
const MAX_CHAIN = 16;
/** Most address and most alias answers read per message (a hostile message may carry thousands). */
const MAX_ANSWERS = 256;

interface AliasAnswer {
  owner: string;
  target: string;
  ttl: number;
}

interface AddressAnswer {
  owner: string;
  address: IpKey;
  ttl: number;
}

/** A DNS-over-TCP message (length prefix included) still arriving on one connection. */
interface TcpDnsMessage {
  /** The prefix and the message, `need` bytes once whole. */
  bytes: Uint8Array;
  have: number;
  need: number;
  /** Sequence number the next in-order segment starts at. */
  nextSeq: number;
  lastMs: number;
}

/**
 * Bytes held for DNS-over-TCP messages still arriving, shared by the learners of a partition (so
 * their sum is bounded whatever the number of nodes): a message that would pass `maxBytes` is
 * not followed (counted in `skipped`).
 */
export interface TcpDnsBudget {
  usedBytes: number;
  readonly maxBytes: number;
  skipped: number;
}

/** Connections with a DNS-over-TCP message still arriving, per learner (node). */
const MAX_TCP_MESSAGES = 64;
/** A message not advanced for this long (packet time) is dropped. */
const TCP_MESSAGE_IDLE_MS = 30_000;

/** Learns from one node's DNS responses into its cache. */
export class DnsAnswerLearner {
  /** Connection (scope + flow key) ─► its message still arriving, oldest first. */
  private readonly tcpMessages = new Map<string, TcpDnsMessage>();
  /** Scratch of the message being read (reused: cleared per message). */
  private readonly aliases: AliasAnswer[] = [];
  private readonly addresses: AddressAnswer[] = [];
  private readonly onAnswer = (
    owner: string,
    type: number,
    ttl: number,
    message: Uint8Array,
    dataStart: number,
    dataEnd: number,
  ): void => {
    const length = dataEnd - dataStart;
    if (this.addresses.length >= MAX_ANSWERS || this.aliases.length >= MAX_ANSWERS) return;
    if ((type === DnsType.A && length === 4) || (type === DnsType.AAAA && length === 16)) {
      this.addresses.push({ owner: owner.toLowerCase(), address: ipKey(message, dataStart, length), ttl });
    } else if (type === DnsType.CNAME) {
      const target = readDnsName(message, dataStart);
      if (target !== undefined && target.next <= dataEnd)
        this.aliases.push({ owner: owner.toLowerCase(), target: target.name.toLowerCase(), ttl });
    }
  };

  /**
   * `budget`: the bytes the partition's learners may hold for DNS-over-TCP messages still arriving
   * (default: 1 MiB for this learner alone).
   */
  constructor(
    private readonly cache: DnsNameCache,
    private readonly budget: TcpDnsBudget = { usedBytes: 0, maxBytes: 1024 * 1024, skipped: 0 },
  ) {}

  /**
   * Learns from `packet` when it is a DNS response from port 53 (UDP, or TCP). `scope` keeps apart
   * the copies of one connection seen at several devices of the node (see `observationScope`).
   * Returns the mappings learned (0 for anything else).
   */
  learn(packet: DecodedPacket, scope = ''): number {
    if (packet.sourcePort !== DNS_SERVER_PORT) return 0;
    const payload = packet.payload;
    const client = packet.destinationIp;
    if (payload === undefined || client === undefined) return 0;
    const nowMs = packet.timestampSec * 1000 + packet.timestampNsec / 1e6;
    if (packet.protocol === IpProtocol.UDP) return this.learnMessage(payload, ipKey(client), nowMs);
    if (packet.protocol !== IpProtocol.TCP || payload.length === 0) return 0;
    // The common case first: one whole message in the segment, nothing held for the connection.
    if (
      this.tcpMessages.size === 0 &&
      payload.length >= 2 &&
      ((payload[0]! << 8) | payload[1]!) === payload.length - 2
    )
      return this.learnMessage(payload.subarray(2), ipKey(client), nowMs);
    return this.learnTcp(packet, payload, scope, ipKey(client), nowMs);
  }

  /** Forgets every message still arriving (the node left the partition's table), giving its bytes back. */
  clear(): void {
    for (const message of this.tcpMessages.values()) this.budget.usedBytes -= message.bytes.length;
    this.tcpMessages.clear();
  }

  /** Messages still arriving, for tests and counters. */
  get pendingTcpMessages(): number {
    return this.tcpMessages.size;
  }

  private learnTcp(
    packet: DecodedPacket,
    payload: Uint8Array,
    scope: string,
    client: IpKey,
    nowMs: number,
  ): number {
    const seq = packet.tcpSeq;
    const key = flowMapKey(packet);
    if (seq === undefined || key === undefined) return 0;
    this.expire(nowMs);
    const connection = scope + key;
    let learned = 0;
    let rest = payload;
    let restSeq = seq;
    const held = this.tcpMessages.get(connection);
    if (held !== undefined) {
      const offset = (restSeq - held.nextSeq) | 0;
      if (offset > 0) {
        // A gap: the message cannot be completed in order, and where the next one starts is lost.
        this.drop(connection, held);
        return 0;
      } else {
        // Bytes already held (a retransmission, or its overlap) are skipped.
        if (-offset >= rest.length) return 0;
        rest = rest.subarray(-offset);
        restSeq = held.nextSeq;
        const taken = Math.min(rest.length, held.need - held.have);
        held.bytes.set(rest.subarray(0, taken), held.have);
        held.have += taken;
        held.nextSeq = (restSeq + taken) >>> 0;
        held.lastMs = nowMs;
        rest = rest.subarray(taken);
        restSeq = (restSeq + taken) >>> 0;
        if (held.have < held.need) return 0;
        this.drop(connection, held);
        learned += this.learnMessage(held.bytes.subarray(2), client, nowMs);
      }
    }
    // What is left starts messages: whole ones are learned at once, the last one may be held.
    while (rest.length >= 2) {
      const need = ((rest[0]! << 8) | rest[1]!) + 2;
      if (need < 14) return learned; // shorter than a DNS header: not a message start
      if (rest.length >= need) {
        learned += this.learnMessage(rest.subarray(2, need), client, nowMs);
        rest = rest.subarray(need);
        restSeq = (restSeq + need) >>> 0;
        continue;
      }
      this.hold(connection, need, rest, restSeq, nowMs);
      return learned;
    }
    return learned;
  }

  private hold(connection: string, need: number, start: Uint8Array, seq: number, nowMs: number): void {
    if (this.budget.usedBytes + need > this.budget.maxBytes) {
      this.budget.skipped++;
      return;
    }
    if (this.tcpMessages.size >= MAX_TCP_MESSAGES) {
      const oldest = this.tcpMessages.entries().next();
      if (!oldest.done) this.drop(oldest.value[0], oldest.value[1]);
    }
    const bytes = new Uint8Array(need);
    bytes.set(start, 0);
    this.budget.usedBytes += need;
    this.tcpMessages.set(connection, {
      bytes,
      have: start.length,
      need,
      nextSeq: (seq + start.length) >>> 0,
      lastMs: nowMs,
    });
  }

  private drop(connection: string, message: TcpDnsMessage): void {
    this.tcpMessages.delete(connection);
    this.budget.usedBytes -= message.bytes.length;
  }

  /** Drops messages not advanced for {@link TCP_MESSAGE_IDLE_MS} of packet time. */
  private expire(nowMs: number): void {
    for (const [connection, message] of this.tcpMessages) {
      if (nowMs - message.lastMs < TCP_MESSAGE_IDLE_MS) continue;
      this.drop(connection, message);
    }
  }

  /** Learns from one DNS message (without a TCP length prefix) sent to `client` at packet time `nowMs`. */
  learnMessage(message: Uint8Array, client: IpKey, nowMs: number): number {
    // Header checks first: a query, another opcode, an error (the NXDOMAIN answers of search-path
    // expansion are most of a cluster's DNS), several questions or no answer cost no parse.
    if (message.length < 12 || (message[2]! & 0x80) === 0 || (message[2]! & 0x78) !== 0) return 0;
    if ((message[3]! & 0x0f) !== 0) return 0;
    if (((message[4]! << 8) | message[5]!) !== 1 || ((message[6]! << 8) | message[7]!) === 0) return 0;
    this.aliases.length = 0;
    this.addresses.length = 0;
    const parsed = parseDnsMessage(message, this.onAnswer, false);
    if (!parsed.ok || parsed.fields.DnsResponseCode !== 'NOERROR') return 0;
    const query = parsed.fields.DnsQuery;
    if (query === undefined || query === '.' || this.addresses.length === 0) return 0;
    const name = query.toLowerCase();
    const chain = [name];
    let chainTtl = Infinity;
    for (let grown = true; grown && chain.length <= MAX_CHAIN;) {
      grown = false;
      for (const alias of this.aliases) {
        if (chain.length > MAX_CHAIN) break;
        if (chain.includes(alias.owner) && !chain.includes(alias.target)) {
          chain.push(alias.target);
          chainTtl = Math.min(chainTtl, alias.ttl);
          grown = true;
        }
      }
    }
    let learned = 0;
    for (const answer of this.addresses) {
      if (!chain.includes(answer.owner)) continue;
      this.cache.learn(answer.address, name, client, Math.min(answer.ttl, chainTtl), nowMs);
      learned++;
    }
    return learned;
  }
}
