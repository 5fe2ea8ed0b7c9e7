/**
 * One target compiled into a total predicate: from AND to AND ports AND trace points, each
 * dimension absent when the target does not constrain it (cilium `pkg/hubble/filters` style).
 */
import type { Peer, TraceTarget } from '../config/model';
import type { Endpoint } from '../enrich/identity';
import { compilePeers } from './peers';
import { compilePorts } from './ports';
import { compileTracePoints } from './tracePoints';

/**
 * Tests one direction of a packet: `source*` and `destination*` as given, `port` the destination
 * port (-1 when none). The caller tests the reversed direction by swapping the arguments.
 */
export type DirectionPredicate = (
  sourceIp: Uint8Array | undefined,
  source: Endpoint | undefined,
  destinationIp: Uint8Array | undefined,
  destination: Endpoint | undefined,
  protocol: number,
  port: number,
) => boolean;

/** A compiled target. */
export interface CompiledTarget {
  /** The trace-point dimension, checked once per packet (it is the same in both directions). */
  tracePoint: (bit: number) => boolean;
  /** from AND to AND ports for one direction. */
  direction: DirectionPredicate;
  /** (protocol, destination port) index keys, or undefined when the ports cannot be enumerated. */
  indexKeys: number[] | undefined;
  /** CIDRs of the `to` side when every `to` entry is an ipBlock (an address index can hold it). */
  toBlocks: string[] | undefined;
  /** CIDRs of the `from` side when every `from` entry is an ipBlock. */
  fromBlocks: string[] | undefined;
}

function blocksOf(peers: readonly Peer[]): string[] | undefined {
  if (peers.length === 0) return undefined;
  const cidrs: string[] = [];
  for (const peer of peers) {
    if (!peer.ipBlock) return undefined;
    cidrs.push(peer.ipBlock.cidr);
  }
  return cidrs;
}

/** Compiles a target once. */
export function compileTarget(target: TraceTarget): CompiledTarget {
  const from = compilePeers(target.from);
  const to = compilePeers(target.to);
  const ports = compilePorts(target.ports);
  const portPredicate = ports?.predicate;
  const direction: DirectionPredicate = (sourceIp, source, destinationIp, destination, protocol, port) =>
    (from === undefined || from(sourceIp, source)) &&
    (to === undefined || to(destinationIp, destination)) &&
    (portPredicate === undefined || portPredicate(protocol, port, destination));
  return {
    tracePoint: compileTracePoints(target.tracePoints, target.tracePointsRestricted),
    direction,
    indexKeys: ports?.indexKeys,
    toBlocks: blocksOf(target.to),
    fromBlocks: blocksOf(target.from),
  };
}
