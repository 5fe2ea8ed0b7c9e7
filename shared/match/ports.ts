/**
 * Port rules: the packet's transport protocol and destination port against `ports[]` (OR-ed).
 */
import type { PortProtocol, PortRule } from '../config/model';
import type { Endpoint } from '../enrich/identity';
import { IpProtocol } from '../packet/decodedPacket';
import { wellKnownPort } from './wellKnownPorts';

/** A compiled port dimension. `port` is -1 when the packet has none (ICMP, later fragments). */
export type PortPredicate = (protocol: number, port: number, destination: Endpoint | undefined) => boolean;

/** Protocol number of a rule's protocol. */
export const PORT_PROTOCOL_NUMBER: Readonly<Record<PortProtocol, number>> = {
  TCP: IpProtocol.TCP,
  UDP: IpProtocol.UDP,
  SCTP: IpProtocol.SCTP,
};

/** Largest numeric range a rule may span and still be indexed port by port. */
export const MAX_INDEXED_RANGE = 64;

/** A compiled port dimension plus the (protocol, port) keys it can match, when enumerable. */
export interface CompiledPorts {
  predicate: PortPredicate;
  /** Index keys `protocol * 65536 + port`; undefined when the rules cannot be enumerated. */
  indexKeys: number[] | undefined;
}

/** The index key of a protocol and port. */
export function portIndexKey(protocol: number, port: number): number {
  return protocol * 65536 + port;
}

/**
 * Compiles port rules; undefined when there are none (any port matches).
 *
 * A rule without `port` matches every port of its protocol. A numeric `port` with `endPort` is an
 * inclusive range. A named port resolves through the destination identity's `ports` when the
 * identity carries them, otherwise by well-known name ({@link wellKnownPort}).
 */
export function compilePorts(rules: readonly PortRule[]): CompiledPorts | undefined {
  if (rules.length === 0) return undefined;
  const predicates: PortPredicate[] = [];
  let indexKeys: number[] | undefined = [];
  for (const rule of rules) {
    const protocol = PORT_PROTOCOL_NUMBER[rule.protocol];
    const port = rule.port;
    if (port === undefined) {
      predicates.push((p) => p === protocol);
      indexKeys = undefined;
    } else if (typeof port === 'number') {
      const end = rule.endPort ?? port;
      predicates.push((p, dport) => p === protocol && dport >= port && dport <= end);
      if (indexKeys && end - port < MAX_INDEXED_RANGE) {
        for (let q = port; q <= end; q++) indexKeys.push(portIndexKey(protocol, q));
      } else {
        indexKeys = undefined;
      }
    } else {
      const name = port;
      const proto = rule.protocol;
      const fallback = wellKnownPort(name, proto);
      predicates.push((p, dport, destination) => {
        if (p !== protocol || dport < 0) return false;
        const named = destination?.ports;
        if (named) {
          for (const candidate of named) {
            if (candidate.name === name && candidate.protocol === proto && candidate.port === dport)
              return true;
          }
          return false;
        }
        return dport === fallback;
      });
      // Container ports vary per pod, so named rules are never indexed.
      indexKeys = undefined;
    }
  }
  const first = predicates[0];
  const predicate: PortPredicate =
    predicates.length === 1 && first
      ? first
      : (p, dport, destination) => {
          for (const candidate of predicates) if (candidate(p, dport, destination)) return true;
          return false;
        };
  return { predicate, indexKeys };
}
