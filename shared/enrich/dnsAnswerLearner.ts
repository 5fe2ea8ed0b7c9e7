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
 * DNS over UDP from port 53, and over TCP from port 53 when one segment holds the whole
 * message (its length prefix equals the rest of the segment). Damaged or odd messages teach
 * nothing and never throw: the shared parser reports them, and only records it read whole count.
 */
import { parseDnsMessage } from '../l7/dns';
import { readDnsName } from '../l7/dnsName';
import { DnsType } from '../l7/dnsTypes';
import { IpProtocol, type DecodedPacket } from '../packet/decodedPacket';
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

/** Learns from one node's DNS responses into its cache. */
export class DnsAnswerLearner {
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

  constructor(private readonly cache: DnsNameCache) {}

  /**
   * Learns from `packet` when it is a DNS response from port 53 (UDP, or TCP with the whole
   * message in the segment). Returns the mappings learned (0 for anything else).
   */
  learn(packet: DecodedPacket): number {
    if (packet.sourcePort !== DNS_SERVER_PORT) return 0;
    const payload = packet.payload;
    const client = packet.destinationIp;
    if (payload === undefined || client === undefined) return 0;
    let message: Uint8Array;
    if (packet.protocol === IpProtocol.UDP) message = payload;
    else if (packet.protocol === IpProtocol.TCP) {
      if (payload.length < 2 || ((payload[0]! << 8) | payload[1]!) !== payload.length - 2) return 0;
      message = payload.subarray(2);
    } else return 0;
    return this.learnMessage(message, ipKey(client), packet.timestampSec * 1000 + packet.timestampNsec / 1e6);
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
