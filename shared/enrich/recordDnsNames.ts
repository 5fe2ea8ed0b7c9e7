/**
 * Puts the node's resolved DNS names on a packet or layer-7 record (docs/flows.md, "DNS names on
 * flows"): `DestinationFqdn`, the name the packet's source resolved for its destination, and
 * `SourceFqdn`, the name its destination resolved for its source, as known at the packet's time.
 */
import type { DecodedPacket } from '../packet/decodedPacket';
import type { TraceRecord } from '../record/traceRecord';
import type { DnsNameLookup } from './dnsNameCache';

/** Adds `DestinationFqdn` / `SourceFqdn` to `record` when `names` knows them (nothing otherwise). */
export function addDnsNames(record: TraceRecord, packet: DecodedPacket, names: DnsNameLookup): void {
  const sip = packet.sourceIp;
  const dip = packet.destinationIp;
  if (sip === undefined || dip === undefined) return;
  const nowMs = packet.timestampSec * 1000 + packet.timestampNsec / 1e6;
  const source = names.nameFor(dip, sip, nowMs);
  if (source !== undefined) record.SourceFqdn = source;
  const destination = names.nameFor(sip, dip, nowMs);
  if (destination !== undefined) record.DestinationFqdn = destination;
}
