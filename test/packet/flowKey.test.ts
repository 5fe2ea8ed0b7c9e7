import { craftFrame, type CraftSpec } from '../../shared/packet/craftFrame';
import { decodePacket } from '../../shared/packet/decodePacket';
import { flowId, flowKey, formatFlowKey, packetFlowId } from '../../shared/packet/flowKey';
import { LinkType } from '../../shared/packet/linkType';

const decode = (spec: CraftSpec) => {
  const data = craftFrame(spec);
  return decodePacket(
    { frame: 1, timestampSec: 0, timestampNsec: 0, originalLength: data.length, data },
    LinkType.ETHERNET,
  );
};

/** Reference FNV-1a 64 with BigInt, to check the number arithmetic. */
function fnv1a64(bytes: number[]): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return hash.toString(16).padStart(16, '0');
}

const swap = (spec: CraftSpec): CraftSpec => {
  const t = spec.transport as { sourcePort?: number; destinationPort?: number };
  return {
    ...spec,
    source: spec.destination,
    destination: spec.source,
    transport: {
      ...spec.transport,
      ...(t.sourcePort === undefined ? {} : { sourcePort: t.destinationPort, destinationPort: t.sourcePort }),
    },
  };
};

describe('flow keys', () => {
  it.each([
    [
      'TCP v4',
      {
        source: '10.0.0.9',
        destination: '10.0.0.1',
        transport: { protocol: 'tcp', sourcePort: 40000, destinationPort: 80 },
      },
      'TCP 10.0.0.1:80 <-> 10.0.0.9:40000',
    ],
    [
      'UDP v6',
      {
        source: '2001:db8::2',
        destination: '2001:db8::1',
        transport: { protocol: 'udp', sourcePort: 53, destinationPort: 5353 },
      },
      'UDP [2001:db8::1]:5353 <-> [2001:db8::2]:53',
    ],
    [
      'same address, ports decide',
      {
        source: '10.0.0.1',
        destination: '10.0.0.1',
        transport: { protocol: 'udp', sourcePort: 9, destinationPort: 7 },
      },
      'UDP 10.0.0.1:7 <-> 10.0.0.1:9',
    ],
    [
      'ICMP has port 0',
      { source: '10.0.0.2', destination: '10.0.0.1', transport: { protocol: 'icmp', type: 8, code: 0 } },
      'ICMP 10.0.0.1:0 <-> 10.0.0.2:0',
    ],
    [
      'SCTP',
      {
        source: '10.0.0.1',
        destination: '10.0.0.2',
        transport: { protocol: 'sctp', sourcePort: 1, destinationPort: 2 },
      },
      'SCTP 10.0.0.1:1 <-> 10.0.0.2:2',
    ],
    [
      'unnamed protocol',
      { source: '10.0.0.1', destination: '10.0.0.2', transport: { protocol: 47 } },
      '47 10.0.0.1:0 <-> 10.0.0.2:0',
    ],
  ] as [string, CraftSpec, string][])('%s: same key and FlowId both ways', (_name, spec, text) => {
    const forward = flowKey(decode(spec))!;
    const reverse = flowKey(decode(swap(spec)))!;
    expect(formatFlowKey(forward)).toBe(text);
    expect(formatFlowKey(reverse)).toBe(text);
    expect(flowId(forward)).toBe(flowId(reverse));
    expect(flowId(forward)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('FlowId is FNV-1a 64 over version, protocol, A, port A, B, port B', () => {
    const key = {
      ipVersion: 4 as const,
      protocol: 6,
      addressA: Uint8Array.of(10, 0, 0, 1),
      portA: 443,
      addressB: Uint8Array.of(10, 255, 0, 2),
      portB: 65535,
    };
    expect(flowId(key)).toBe(fnv1a64([4, 6, 10, 0, 0, 1, 1, 187, 10, 255, 0, 2, 255, 255]));
  });

  it.each([
    ['different ports', { sourcePort: 1, destinationPort: 2 }, { sourcePort: 1, destinationPort: 3 }],
    [
      'different protocol',
      { sourcePort: 1, destinationPort: 2 },
      { sourcePort: 1, destinationPort: 2, tcp: true },
    ],
  ])('distinct flows differ: %s', (_name, a, b) => {
    const make = (t: { sourcePort: number; destinationPort: number; tcp?: boolean }) =>
      decode({
        source: '10.0.0.1',
        destination: '10.0.0.2',
        transport: {
          protocol: t.tcp ? 'tcp' : 'udp',
          sourcePort: t.sourcePort,
          destinationPort: t.destinationPort,
        },
      });
    expect(packetFlowId(make(a))).not.toBe(packetFlowId(make(b)));
  });

  it('has no key without an IP layer', () => {
    const packet = decodePacket(
      { frame: 1, timestampSec: 0, timestampNsec: 0, originalLength: 0, data: new Uint8Array(0) },
      LinkType.ETHERNET,
    );
    expect(flowKey(packet)).toBeUndefined();
    expect(packetFlowId(packet)).toBeUndefined();
  });
});
