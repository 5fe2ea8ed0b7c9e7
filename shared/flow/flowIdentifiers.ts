/**
 * `FlowId` and `CommunityId` of a packet (docs/record-schema.md). Both are functions of the flow's
 * 5-tuple alone and the same both ways, so for TCP and UDP they are computed once per flow and
 * then read back by the flow's key: a packet costs one map lookup instead of an FNV-1a and a SHA-1.
 */
import { packetCommunityId } from './communityId';
import { IpProtocol, type DecodedPacket } from '../packet/decodedPacket';
import { flowMapKey, packetFlowId } from '../packet/flowKey';

/** The flow identifiers of a packet's records; undefined where the column is absent. */
export interface FlowIdentifiers {
  readonly flowId: string | undefined;
  readonly communityId: string | undefined;
}

/** Flows remembered; past this the memory starts again from empty (a lookup then just recomputes). */
export const FLOW_IDENTIFIER_CACHE_SIZE = 8192;

const remembered = new Map<string, FlowIdentifiers>();

/**
 * The {@link FlowIdentifiers} of `packet`: always the same values as `packetFlowId` and
 * `packetCommunityId`. Only TCP and UDP packets with both ports and addresses of one family are
 * remembered: the key of any other packet (ICMP, whose Community ID depends on type and code; a
 * fragment without ports) does not determine both values.
 */
export function flowIdentifiers(packet: DecodedPacket): FlowIdentifiers {
  const { protocol, sourceIp, destinationIp } = packet;
  if (
    (protocol !== IpProtocol.TCP && protocol !== IpProtocol.UDP) ||
    packet.sourcePort === undefined ||
    packet.destinationPort === undefined ||
    sourceIp === undefined ||
    destinationIp === undefined ||
    sourceIp.length !== destinationIp.length
  )
    return computed(packet);
  const key = flowMapKey(packet)!;
  let identifiers = remembered.get(key);
  if (identifiers === undefined) {
    identifiers = computed(packet);
    if (remembered.size >= FLOW_IDENTIFIER_CACHE_SIZE) remembered.clear();
    remembered.set(key, identifiers);
  }
  return identifiers;
}

function computed(packet: DecodedPacket): FlowIdentifiers {
  return {
    flowId: packet.sourceIp && packet.destinationIp ? packetFlowId(packet) : undefined,
    communityId: packetCommunityId(packet),
  };
}
