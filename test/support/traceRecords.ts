import type { TraceRecord } from '../../shared/record/traceRecord';

/** A realistic L3/L4 + HTTP trace record number `i` (distinct RecordId, spread over 2 nodes). */
export function makeRecord(i: number, overrides: Partial<TraceRecord> = {}): TraceRecord {
  const ns = 1_764_064_800_000_000_000n + BigInt(i) * 1_000_123n;
  const ms = Number(ns / 1_000_000n);
  return {
    TimeGenerated: new Date(ms).toISOString(),
    TimestampNs: ns.toString(),
    RecordId: `rec${i.toString(16).padStart(8, '0')}`,
    ClusterName: 'aks-test',
    NodeName: `node-${i % 2}`,
    TraceConfiguration: 'default/web-trace',
    CaptureLevel: 'AllPackets',
    TracePoint: 'NodeToPod',
    TrafficDirection: 'ingress',
    FlowId: `flow${i % 7}`,
    IpVersion: 4,
    Protocol: 'TCP',
    SourceIp: `10.0.${i % 250}.1`,
    DestinationIp: '10.244.1.17',
    SourcePort: 40000 + (i % 20000),
    DestinationPort: 8080,
    TcpFlags: 'PSH,ACK',
    TcpSeq: 3_000_000_000 + i,
    TcpAck: 12345,
    PacketBytes: 512,
    PayloadBytes: 446,
    SourceNamespace: 'frontend',
    SourcePodName: `web-${i % 5}`,
    DestinationNamespace: 'default',
    DestinationPodName: 'api-0',
    DestinationLabels: { app: 'api', tier: 'backend' },
    L7Protocol: 'HTTP',
    HttpMethod: 'GET',
    HttpPath: `/v1/items/${i}?q=1`,
    HttpHost: 'api.default.svc:8080',
    HttpVersion: 'HTTP/1.1',
    HttpUserAgent: 'curl/8.5.0',
    ...overrides,
  };
}

/** `count` records starting at `from`. */
export function makeRecords(count: number, from = 0): TraceRecord[] {
  return Array.from({ length: count }, (_, k) => makeRecord(from + k));
}
