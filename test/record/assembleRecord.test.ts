import { createHash } from 'node:crypto';
import type { Endpoint } from '../../shared/enrich/identity';
import { TcpFlag } from '../../shared/packet/decodedPacket';
import { assembleTraceRecord } from '../../shared/record/assembleRecord';
import { packetFlowId } from '../../shared/packet/flowKey';
import { TRACE_RECORD_COLUMNS, type TraceRecord } from '../../shared/record/traceRecord';
import { packet, pod } from '../match/support/builders';

const context = { cluster: 'aks-prod', node: 'node-a' };
const configuration = { key: 'default/web-trace', captureLevel: 'FirstPacket' as const };
const web: Endpoint = pod(
  '10.0.1.5',
  'frontend',
  'web-1',
  { app: 'web' },
  { team: 'a' },
  {
    nodeName: 'node-a',
    workload: { kind: 'Deployment', name: 'web' },
    serviceNames: ['web', 'web-internal'],
  },
);
const dns: Endpoint = {
  ip: '10.96.0.10',
  kind: 'service',
  namespace: 'kube-system',
  name: 'kube-dns',
  labels: { x: 'y' },
};
const node: Endpoint = { ip: '192.168.1.4', kind: 'node', name: 'node-b', labels: { role: 'worker' } };

const syn = packet({
  src: '10.0.1.5',
  dst: '10.0.2.7',
  sport: 40000,
  dport: 80,
  sec: 1_700_000_000,
  nsec: 123_456_789,
  flags: TcpFlag.SYN,
  seq: 42,
  ack: 0,
  tracePoint: 'PodToNode',
  frame: 3,
});

describe('assembleTraceRecord', () => {
  it('builds the golden TCP record with enrichment, in column order', () => {
    const record = assembleTraceRecord(syn, context, configuration, web, undefined);
    expect(record).toEqual({
      TimeGenerated: '2023-11-14T22:13:20.123456Z',
      TimestampNs: '1700000000123456789',
      RecordId: record.RecordId,
      ClusterName: 'aks-prod',
      NodeName: 'node-a',
      TraceConfiguration: 'default/web-trace',
      CaptureLevel: 'FirstPacket',
      TracePoint: 'PodToNode',
      TrafficDirection: 'egress',
      FlowId: record.FlowId,
      IpVersion: 4,
      Protocol: 'TCP',
      SourceIp: '10.0.1.5',
      DestinationIp: '10.0.2.7',
      SourcePort: 40000,
      DestinationPort: 80,
      TcpFlags: 'SYN',
      TcpSeq: 42,
      TcpAck: 0,
      PacketBytes: 27,
      PayloadBytes: 0,
      SourceNamespace: 'frontend',
      SourcePodName: 'web-1',
      SourceWorkload: 'Deployment/web',
      SourceServiceName: 'web',
      SourceNodeName: 'node-a',
      SourceLabels: { app: 'web' },
      // Community ID v1 by hand: SHA-1 of seed 0, 10.0.1.5, 10.0.2.7, proto 6, pad, 40000, 80.
      CommunityId: `1:${createHash('sha1').update(Buffer.from('00000a0001050a0002070600' + '9c400050', 'hex')).digest('base64')}`,
    });
    // The documented id schemes, recomputed independently.
    const sha = (...parts: (string | Uint8Array)[]) => {
      const h = createHash('sha256');
      for (const part of parts) h.update(part);
      return h.digest('hex');
    };
    expect(record.RecordId).toBe(
      sha('default/web-trace\0node-a\0PodToNode\u00001700000000123456789\0', syn.data).slice(0, 32),
    );
    expect(record.FlowId).toMatch(/^[0-9a-f]{16}$/);
    expect(record.FlowId).toBe(packetFlowId(syn));
    const order = TRACE_RECORD_COLUMNS.map(([name]) => name as string);
    const keys = Object.keys(record);
    expect(keys).toEqual(order.filter((name) => keys.includes(name)));
  });

  it('omits absent values: no undefined keys', () => {
    const icmp = packet({ src: '2001:db8::1', dst: '2001:db8::2', proto: 'ICMPv6' });
    const record = assembleTraceRecord(icmp, context, configuration, undefined, undefined, {
      L7Protocol: undefined,
    });
    expect(Object.values(record).some((v) => v === undefined)).toBe(false);
    expect(Object.keys(record)).toEqual([
      'TimeGenerated',
      'TimestampNs',
      'RecordId',
      'ClusterName',
      'NodeName',
      'TraceConfiguration',
      'CaptureLevel',
      'FlowId',
      'IpVersion',
      'Protocol',
      'SourceIp',
      'DestinationIp',
      'PacketBytes',
      'PayloadBytes',
    ]);
    expect(record.IpVersion).toBe(6);
    expect(record.Protocol).toBe('ICMPv6');
  });

  it.each<[string, Endpoint, Partial<TraceRecord>]>([
    ['service', dns, { DestinationNamespace: 'kube-system', DestinationServiceName: 'kube-dns' }],
    ['node', node, { DestinationNodeName: 'node-b' }],
    [
      'pod',
      web,
      {
        DestinationNamespace: 'frontend',
        DestinationPodName: 'web-1',
        DestinationWorkload: 'Deployment/web',
        DestinationServiceName: 'web',
        DestinationNodeName: 'node-a',
        DestinationLabels: { app: 'web' },
      },
    ],
  ])('destination enrichment of a %s', (_kind, endpoint, expected) => {
    const record = assembleTraceRecord(syn, context, configuration, undefined, endpoint);
    const enrichment = Object.fromEntries(
      Object.entries(record).filter(
        ([k]) => k.startsWith('Destination') && !['DestinationIp', 'DestinationPort'].includes(k),
      ),
    );
    expect(enrichment).toEqual(expected);
  });

  it('omits TcpFlags when no flag is set', () => {
    const none = packet({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, flags: 0 });
    expect('TcpFlags' in assembleTraceRecord(none, context, configuration, undefined, undefined)).toBe(false);
  });

  it('merges layer-7 fields and CaptureFrame on request', () => {
    const record = assembleTraceRecord(
      syn,
      context,
      { key: 'a/b', captureLevel: 'AllPackets' },
      undefined,
      undefined,
      { L7Protocol: 'HTTP', HttpMethod: 'GET', HttpPath: '/', HttpHost: undefined },
      { includeCaptureFrame: true },
    );
    expect(record.L7Protocol).toBe('HTTP');
    expect(record.HttpMethod).toBe('GET');
    expect('HttpHost' in record).toBe(false);
    expect(record.CaptureFrame).toBe(3);
    expect(record.CaptureLevel).toBe('AllPackets');
  });

  it('same packet and configuration give the same RecordId; the reply shares the FlowId', () => {
    const again = packet({
      src: '10.0.1.5',
      dst: '10.0.2.7',
      sport: 40000,
      dport: 80,
      sec: 1_700_000_000,
      nsec: 123_456_789,
      flags: TcpFlag.SYN,
      seq: 42,
      ack: 0,
      tracePoint: 'PodToNode',
      frame: 999,
    });
    const reply = packet({
      src: '10.0.2.7',
      dst: '10.0.1.5',
      sport: 80,
      dport: 40000,
      sec: 1_700_000_000,
      nsec: 223_456_789,
      flags: TcpFlag.SYN | TcpFlag.ACK,
      tracePoint: 'NodeToPod',
    });
    const a = assembleTraceRecord(syn, context, configuration, web, undefined);
    const b = assembleTraceRecord(again, context, configuration, web, undefined);
    const r = assembleTraceRecord(reply, context, configuration, undefined, web);
    expect(b.RecordId).toBe(a.RecordId);
    expect(r.RecordId).not.toBe(a.RecordId);
    expect(r.FlowId).toBe(a.FlowId);
    expect(r.TcpFlags).toBe('SYN,ACK');
    expect(r.TrafficDirection).toBe('ingress');
    expect(
      assembleTraceRecord(syn, context, { ...configuration, key: 'x/y' }, web, undefined).RecordId,
    ).not.toBe(a.RecordId);
  });
});
