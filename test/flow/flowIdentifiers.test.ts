import fc from 'fast-check';
import { packetCommunityId } from '../../shared/flow/communityId';
import { FLOW_IDENTIFIER_CACHE_SIZE, flowIdentifiers } from '../../shared/flow/flowIdentifiers';
import type { DecodedPacket } from '../../shared/packet/decodedPacket';
import { packetFlowId } from '../../shared/packet/flowKey';
import { packet, packetWithoutIp } from '../match/support/builders';

/** The identifiers computed from the packet alone, as before they were remembered per flow. */
const direct = (p: DecodedPacket) => ({
  flowId: p.sourceIp && p.destinationIp ? packetFlowId(p) : undefined,
  communityId: packetCommunityId(p),
});

describe('flowIdentifiers', () => {
  it('always gives what FlowId and Community ID computed from the packet give, both directions', () => {
    const address = fc.oneof(
      fc.ipV4(),
      fc.ipV6(),
      fc.constantFrom('10.0.0.1', '10.0.0.2', '0.0.0.0', '::', '2001:db8::1'),
    );
    const port = fc.oneof(fc.nat(65535), fc.constant(0));
    const protocol = fc.constantFrom<'TCP' | 'UDP' | 'ICMP' | 'ICMPv6' | 'SCTP' | number>(
      'TCP',
      'UDP',
      'ICMP',
      'ICMPv6',
      'SCTP',
      47,
    );
    fc.assert(
      fc.property(address, address, port, port, protocol, (src, dst, sport, dport, proto) => {
        fc.pre(src.includes(':') === dst.includes(':'));
        const forward = packet({ src, dst, sport, dport, proto });
        const reverse = packet({ src: dst, dst: src, sport: dport, dport: sport, proto });
        expect(flowIdentifiers(forward)).toEqual(direct(forward));
        expect(flowIdentifiers(reverse)).toEqual(direct(reverse));
        expect(flowIdentifiers(forward)).toEqual(direct(forward));
      }),
      { numRuns: 3000 },
    );
  });

  it.each<[string, (p: DecodedPacket) => DecodedPacket]>([
    [
      'a TCP fragment without ports (no Community ID) and a TCP flow with ports 0',
      (p) => ({ ...p, sourcePort: undefined, destinationPort: undefined, fragment: true }),
    ],
    ['an ICMP echo, whose Community ID depends on the type', (p) => ({ ...p, protocol: 1, icmpType: 8 })],
    ['an ICMP echo reply', (p) => ({ ...p, protocol: 1, icmpType: 0 })],
  ])('keeps apart packets whose flow key alone does not tell: %s', (_name, variant) => {
    const flow = packet({ src: '10.0.0.1', dst: '10.0.0.2', sport: 0, dport: 0 });
    const other = variant(packet({ src: '10.0.0.1', dst: '10.0.0.2', sport: 0, dport: 0 }));
    for (const p of [flow, other, flow, other]) expect(flowIdentifiers(p)).toEqual(direct(p));
    expect(direct(other)).not.toEqual(direct(flow));
  });

  it('stays right past its bound (the memory starts again)', () => {
    for (let i = 0; i < FLOW_IDENTIFIER_CACHE_SIZE * 2 + 10; i++) {
      const p = packet({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1024 + (i % 60000), dport: i % 7 });
      expect(flowIdentifiers(p)).toEqual(direct(p));
    }
  });

  it('gives no FlowId or Community ID without addresses', () => {
    const bare = packetWithoutIp();
    expect(flowIdentifiers(bare)).toEqual({ flowId: undefined, communityId: undefined });
  });
});
