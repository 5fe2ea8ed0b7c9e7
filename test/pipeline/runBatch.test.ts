import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { IdentityLookup, IdentitySnapshot } from '../../shared/enrich/identity';
import { EMPTY_IDENTITY_LOOKUP } from '../../shared/enrich/identityStore';
import { demoBatches, DEMO_CLUSTER } from '../../shared/local/demo/demoCluster';
import { compileConfigurations, type ConfigurationMatcher } from '../../shared/match/configurationMatcher';
import { craftFragments, craftFrame, type CraftSpec } from '../../shared/packet/craftFrame';
import { TcpFlag, type TracePoint } from '../../shared/packet/decodedPacket';
import { createPartitionState, type PartitionState } from '../../shared/pipeline/partitionState';
import { PERMISSIVE_CONFIGURATION_KEY } from '../../shared/pipeline/permissiveConfiguration';
import { runBatch, type BatchResult, type BatchRuntime } from '../../shared/pipeline/runBatch';
import { TRACE_RECORD_COLUMNS, type TraceRecord } from '../../shared/record/traceRecord';
import { describeWithSharedData, hasSharedData, sharedPath } from '../support/sharedData';
import { TSHARK_DIFFERENCES } from '../packet/tsharkDifferences';
import {
  arpFrame,
  brief,
  buildBatch,
  configurationsFromYaml,
  demoLookup,
  identityLookup,
  localSamplesMatcher,
  permissiveMatcher,
  recordsFor,
  recordsOf,
  sampleConfigurations,
  splitBatch,
  type FrameSpec,
} from './support/pipelineFixtures';

const START_MS = Date.UTC(2026, 0, 15, 9, 30, 0);
const [NODE_1, NODE_2] = demoBatches(START_MS);

function run(
  capture: Uint8Array,
  matcher: ConfigurationMatcher,
  identities: IdentityLookup,
  state: PartitionState = createPartitionState(),
  extra: Partial<BatchRuntime> = {},
  node = 'aks-node-1',
): BatchResult {
  return runBatch({ cluster: DEMO_CLUSTER, node, capture }, { matcher, identities, state, ...extra });
}

let demo: IdentityLookup;
beforeAll(async () => {
  demo = await demoLookup();
});

describe('runBatch on the demo cluster with the samples/local configurations', () => {
  it.each([
    {
      node: NODE_1!,
      packets: 60,
      matched: 60,
      matchedBy: {
        'kube-system/cluster-dns': 6,
        'shop/shop-http': 34,
        'shop/egress-tls': 20,
        'default/uplink-debug': 10,
      },
      recordsBy: {
        'kube-system/cluster-dns': 6,
        'shop/shop-http': 14,
        'shop/egress-tls': 8,
        'default/uplink-debug': 10,
      },
      destinations: {
        'loganalytics/TRACES_LOGANALYTICS': 6,
        'azuretable/TRACES_AZURETABLE': 14,
        'opentelemetry/TRACES_OPENTELEMETRY': 8,
        'stdout/TRACES_STDOUT': 10,
      },
      l7: 18,
      // checkout.shop.svc.cluster.local and example.com (the NXDOMAIN for payments teaches nothing).
      dnsNames: 2,
    },
    {
      node: NODE_2!,
      packets: 34,
      matched: 34,
      matchedBy: { 'shop/shop-http': 34 },
      recordsBy: { 'shop/shop-http': 14 },
      destinations: { 'azuretable/TRACES_AZURETABLE': 14 },
      l7: 8,
      dnsNames: 0,
    },
  ])(
    '$node.node: exact counts per configuration and destination',
    ({ node, packets, matched, matchedBy, recordsBy, destinations, l7, dnsNames }) => {
      const result = run(node.capture, localSamplesMatcher(), demo, undefined, {}, node.node);
      expect(result.problems).toEqual([]);
      expect(result.counts).toEqual({
        packets,
        decoded: packets,
        malformed: 0,
        nonIp: 0,
        fragmentsHeld: 0,
        captureProblems: 0,
        matched,
        matchedByConfiguration: matchedBy,
        recordsByConfiguration: recordsBy,
        recordsByDestination: destinations,
        l7Messages: l7,
        l7Unanswered: 0,
        flowEvictions: 0,
        tcpConnectionEvictions: 0,
        failed: 0,
        flowRecords: 0,
        retainedPackets: 0,
        dnsNamesLearned: dnsNames,
        dnsNameEvictions: 0,
      });
      const delivered = Object.fromEntries(
        result.deliveries.map((d) => [`${d.destination}/${d.connection}`, d.records.length]),
      );
      expect(delivered).toEqual(destinations);
      for (const delivery of result.deliveries) {
        for (const record of delivery.records) {
          expect(record.NodeName).toBe(node.node);
          expect(record.ClusterName).toBe(DEMO_CLUSTER);
        }
      }
    },
  );

  it('records the first packet per flow and trace point plus every HTTP message (FirstPacket + layer 7)', () => {
    const result = run(NODE_1!.capture, localSamplesMatcher(), demo);
    expect(recordsFor(result, 'shop/shop-http').map(brief)).toEqual([
      'PodToNode 10.244.1.10:51000>10.0.12.34:8080 SYN',
      'NodeToPod 10.0.12.34:8080>10.244.1.10:51000 SYN,ACK',
      'PodToNode 10.244.1.10:51000>10.0.12.34:8080 PSH,ACK HTTP:GET',
      'NodeToPod 10.0.12.34:8080>10.244.1.10:51000 PSH,ACK HTTP:200',
      'PodToNode 10.244.1.10:51002>10.0.12.34:8080 SYN',
      'NodeToPod 10.0.12.34:8080>10.244.1.10:51002 SYN,ACK',
      'PodToNode 10.244.1.10:51002>10.0.12.34:8080 PSH,ACK HTTP:POST',
      'NodeToPod 10.0.12.34:8080>10.244.1.10:51002 PSH,ACK HTTP:500',
      // gRPC over h2c: one segment carries the preface, SETTINGS and the GetQuote call; the second
      // call (PlaceOrder) and its trailers-only response follow on the same connection.
      'PodToNode 10.244.1.10:51006>10.0.12.34:8080 SYN',
      'NodeToPod 10.0.12.34:8080>10.244.1.10:51006 SYN,ACK',
      'PodToNode 10.244.1.10:51006>10.0.12.34:8080 PSH,ACK HTTP:POST',
      'NodeToPod 10.0.12.34:8080>10.244.1.10:51006 PSH,ACK HTTP:200',
      'PodToNode 10.244.1.10:51006>10.0.12.34:8080 PSH,ACK HTTP:POST',
      'NodeToPod 10.0.12.34:8080>10.244.1.10:51006 PSH,ACK HTTP:200',
    ]);
    expect(recordsFor(result, 'shop/egress-tls').map(brief)).toEqual([
      'PodToNode 10.244.1.10:51004>93.184.215.14:443 SYN',
      'NodeToNetwork 10.224.0.4:61000>93.184.215.14:443 SYN',
      'NodeToPod 93.184.215.14:443>10.244.1.10:51004 SYN,ACK',
      'NetworkToNode 93.184.215.14:443>10.224.0.4:61000 SYN,ACK',
      'PodToNode 10.244.1.10:51004>93.184.215.14:443 PSH,ACK TLS:ClientHello',
      'NodeToNetwork 10.224.0.4:61000>93.184.215.14:443 PSH,ACK TLS:ClientHello',
      'NodeToPod 93.184.215.14:443>10.244.1.10:51004 PSH,ACK TLS:ServerHello',
      'NetworkToNode 93.184.215.14:443>10.224.0.4:61000 PSH,ACK TLS:ServerHello',
    ]);
    // AllPackets at the uplink only: every packet there, none from the pod's veth.
    const uplink = recordsFor(result, 'default/uplink-debug');
    expect(uplink).toHaveLength(10);
    expect(new Set(uplink.map((r) => r.TracePoint))).toEqual(new Set(['NodeToNetwork', 'NetworkToNode']));
    expect(uplink.every((r) => r.CaptureLevel === 'AllPackets' && r.L7Protocol === undefined)).toBe(true);
  });

  const find = (records: TraceRecord[], test: (r: TraceRecord) => boolean): TraceRecord => {
    const found = records.filter(test);
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it.each<[string, (r: TraceRecord) => boolean, Partial<TraceRecord>]>([
    [
      'HTTP GET from the frontend pod to the checkout service',
      (r) => r.HttpMethod === 'GET' && r.HttpStatusCode === undefined,
      {
        TraceConfiguration: 'shop/shop-http',
        CaptureLevel: 'FirstPacket',
        TracePoint: 'PodToNode',
        TrafficDirection: 'egress',
        Protocol: 'TCP',
        IpVersion: 4,
        SourceIp: '10.244.1.10',
        SourcePort: 51000,
        DestinationIp: '10.0.12.34',
        DestinationPort: 8080,
        SourceNamespace: 'shop',
        SourcePodName: 'frontend-7d9f8b6c5-x2x4q',
        SourceWorkload: 'Deployment/frontend',
        SourceServiceName: 'frontend',
        SourceNodeName: 'aks-node-1',
        SourceLabels: { app: 'frontend', tier: 'web' },
        DestinationNamespace: 'shop',
        DestinationServiceName: 'checkout',
        L7Protocol: 'HTTP',
        HttpPath: '/api/cart?session=REDACTED&token=REDACTED',
        HttpHost: 'checkout.shop.svc.cluster.local',
        HttpVersion: 'HTTP/1.1',
        HttpUserAgent: 'frontend/2.3 (node)',
        PayloadBytes: 189,
      },
    ],
    [
      'HTTP 500 from the checkout service back to the frontend',
      (r) => r.HttpStatusCode === 500,
      {
        TracePoint: 'NodeToPod',
        TrafficDirection: 'ingress',
        SourceIp: '10.0.12.34',
        SourcePort: 8080,
        SourceServiceName: 'checkout',
        DestinationPodName: 'frontend-7d9f8b6c5-x2x4q',
        DestinationLabels: { app: 'frontend', tier: 'web' },
        HttpContentType: 'application/json',
        L7Protocol: 'HTTP',
      },
    ],
    [
      'DNS NXDOMAIN response',
      (r) => r.DnsResponseCode === 'NXDOMAIN',
      {
        TraceConfiguration: 'kube-system/cluster-dns',
        Protocol: 'UDP',
        SourceIp: '10.0.0.10',
        SourcePort: 53,
        SourceServiceName: 'kube-dns',
        SourceNamespace: 'kube-system',
        DnsIsResponse: true,
        DnsQuery: 'payments.shop.svc.cluster.local',
        DnsQueryType: 'A',
        DnsId: 0x3c4d,
      },
    ],
    [
      'DNS answer for example.com',
      (r) => r.DnsQuery === 'example.com' && r.DnsIsResponse === true,
      { DnsResponseCode: 'NOERROR', DnsAnswers: [{ type: 'A', value: '93.184.215.14', ttl: 300 }] },
    ],
    [
      'TLS ClientHello at the uplink after SNAT',
      (r) => r.TlsHandshake === 'ClientHello' && r.TracePoint === 'NodeToNetwork',
      {
        TraceConfiguration: 'shop/egress-tls',
        SourceIp: '10.224.0.4',
        SourcePort: 61000,
        SourceNodeName: 'aks-node-1',
        TlsServerName: 'example.com',
        TlsVersion: 'TLS1.3',
        TlsAlpn: ['h2', 'http/1.1'],
        Ja4: 't13d0910h2_f91f431d341e_723c724467bb',
        Ja3: 'b5a1008f6f5c42507ef11536ccf0e699',
      },
    ],
    [
      'TLS ServerHello at the pod',
      (r) => r.TlsHandshake === 'ServerHello' && r.TracePoint === 'NodeToPod',
      {
        TlsCipherSuite: 'TLS_AES_128_GCM_SHA256',
        Ja3s: 'f4febc55ea12b31ae17cfb7e614afda8',
        TlsVersion: 'TLS1.3',
      },
    ],
  ])('%s carries its enrichment and layer-7 columns', (_name, test, expected) => {
    const record = find(recordsOf(run(NODE_1!.capture, localSamplesMatcher(), demo)), test);
    expect(record).toMatchObject(expected);
    expect(record.RecordId).toMatch(/^[0-9a-f]{32}$/);
    expect(record.TimestampNs).toMatch(/^17684\d{14}$/);
    expect(record.TimeGenerated.startsWith('2026-01-15T09:30:00.')).toBe(true);
  });

  it('omits enrichment for unknown addresses (the external site) instead of writing empty values', () => {
    const record = find(
      recordsOf(run(NODE_1!.capture, localSamplesMatcher(), demo)),
      (r) => r.TlsHandshake === 'ClientHello' && r.TracePoint === 'PodToNode',
    );
    for (const column of [
      'DestinationNamespace',
      'DestinationPodName',
      'DestinationLabels',
      'DestinationNodeName',
    ]) {
      expect(record).not.toHaveProperty(column);
    }
    const bare = recordsOf(run(NODE_1!.capture, localSamplesMatcher(), EMPTY_IDENTITY_LOOKUP));
    // Without identities the namespace selectors cannot match: only the CIDR-based configurations emit.
    expect(new Set(bare.map((r) => r.TraceConfiguration))).toEqual(
      new Set(['shop/egress-tls', 'default/uplink-debug']),
    );
    expect(bare.some((r) => 'SourcePodName' in r || 'SourceNamespace' in r)).toBe(false);
  });
});

describe('RecordId stability', () => {
  const byId = (result: BatchResult[]): Map<string, TraceRecord> => {
    const map = new Map<string, TraceRecord>();
    for (const record of result.flatMap(recordsOf)) {
      expect(map.has(record.RecordId)).toBe(false);
      map.set(record.RecordId, record);
    }
    return map;
  };

  it('gives the same ids (and records) on two independent runs', () => {
    const first = byId([run(NODE_1!.capture, localSamplesMatcher(), demo)]);
    const second = byId([run(NODE_1!.capture, localSamplesMatcher(), demo)]);
    expect(first.size).toBe(38);
    expect([...second.entries()]).toEqual([...first.entries()]);
  });

  it.each<[string, number[]]>([
    ['two halves', [23]],
    ['four parts cutting through handshakes and HTTP exchanges', [4, 9, 17, 33]],
    ['every packet alone', Array.from({ length: 59 }, (_, i) => i + 1)],
    ['one batch (no cut)', []],
  ])('gives the same records whatever the batch split (%s)', (_name, cuts) => {
    const whole = byId([run(NODE_1!.capture, localSamplesMatcher(), demo)]);
    const state = createPartitionState();
    const matcher = localSamplesMatcher();
    const parts = splitBatch(NODE_1!.capture, cuts).map((capture) => run(capture, matcher, demo, state));
    expect(parts).toHaveLength(cuts.length + 1);
    expect(parts.reduce((sum, p) => sum + p.counts.packets, 0)).toBe(60);
    const split = byId(parts);
    expect([...split.keys()].sort()).toEqual([...whole.keys()].sort());
    for (const [id, record] of whole) expect(split.get(id)).toEqual(record);
  });

  it('differs per configuration and per node for the same packet', () => {
    const twin = compileConfigurations([
      ...sampleConfigurations('samples/local/uplink-debug-stdout.yaml'),
      ...sampleConfigurations('samples/local/uplink-debug-stdout.yaml').map((c) => ({
        ...c,
        key: 'default/twin',
      })),
    ]);
    const onNode1 = recordsOf(run(NODE_1!.capture, twin, demo));
    const onNode3 = recordsOf(run(NODE_1!.capture, twin, demo, undefined, {}, 'aks-node-3'));
    expect(onNode1).toHaveLength(20);
    const ids = new Set([...onNode1, ...onNode3].map((r) => r.RecordId));
    expect(ids.size).toBe(40);
  });
});

describe('FirstPacket state across the batches of one partition', () => {
  // The same flows (same 5-tuples and sequence numbers) again, 1 s later.
  const [LATER] = demoBatches(START_MS + 1000);

  it.each<[string, boolean, number | undefined, number, string[]]>([
    [
      'state carried: only layer-7 records',
      true,
      undefined,
      8,
      ['GET', '200', 'POST', '500', 'POST', '200', 'POST', '200'],
    ],
    [
      'fresh state (instance restart): first packets again',
      false,
      undefined,
      14,
      ['GET', '200', 'POST', '500', 'POST', '200', 'POST', '200'],
    ],
    [
      'state carried but flows idle past the timeout: first packets again',
      true,
      500,
      14,
      ['GET', '200', 'POST', '500', 'POST', '200', 'POST', '200'],
    ],
  ])('%s', (_name, carry, idleTimeoutInMs, expected, l7) => {
    const options = idleTimeoutInMs === undefined ? {} : { captureLevel: { idleTimeoutInMs } };
    const state = createPartitionState(options);
    const matcher = localSamplesMatcher();
    const first = run(NODE_1!.capture, matcher, demo, state);
    expect(first.counts.recordsByConfiguration['shop/shop-http']).toBe(14);
    const second = run(LATER!.capture, matcher, demo, carry ? state : createPartitionState(options));
    const http = recordsFor(second, 'shop/shop-http');
    expect(http).toHaveLength(expected);
    expect(
      http
        .filter((r) => r.L7Protocol === 'HTTP')
        .map((r) => (r.HttpStatusCode === undefined ? r.HttpMethod : String(r.HttpStatusCode))),
    ).toEqual(l7);
    // DNS answers are all layer 7 and AllPackets ignores flow state: both the same either way.
    expect(second.counts.recordsByConfiguration['kube-system/cluster-dns']).toBe(6);
    expect(second.counts.recordsByConfiguration['default/uplink-debug']).toBe(10);
    expect(second.counts.recordsByConfiguration['shop/egress-tls']).toBe(expected === 8 ? 4 : 8);
  });
});

describe('capture levels and layer 7 (issue 5)', () => {
  const client = '10.1.0.7';
  const server = '10.2.0.9';
  const yaml = (captureLevel: string, includeLayer7Data: boolean) => `
apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata: {name: web, namespace: t}
spec:
  traceConfigurations:
    - captureLevel: ${captureLevel}
      includeLayer7Data: ${includeLayer7Data}
      to: [{ipBlock: {cidr: ${server}/32}}]
      ports: [{port: 80}]
  outputConfiguration: {destination: stdout}
`;
  // Two interleaved HTTP connections with a keep-alive second request on the first one.
  const frames = (): FrameSpec[] => {
    const out: FrameSpec[] = [];
    let t = 1_800_000_000_000_000_000n;
    const seq = new Map<string, number>();
    const send = (port: number, fromClient: boolean, flags: number, payload = '') => {
      const key = `${port}${fromClient ? 'c' : 's'}`;
      const mine = seq.get(key) ?? (fromClient ? 1000 : 5000) + port;
      const theirs = seq.get(`${port}${fromClient ? 's' : 'c'}`) ?? (fromClient ? 5000 : 1000) + port;
      const spec: CraftSpec = {
        source: fromClient ? client : server,
        destination: fromClient ? server : client,
        transport: {
          protocol: 'tcp',
          sourcePort: fromClient ? port : 80,
          destinationPort: fromClient ? 80 : port,
          seq: mine,
          ack: (flags & TcpFlag.ACK) !== 0 ? theirs : 0,
          flags,
        },
        payload,
      };
      seq.set(key, mine + payload.length + ((flags & (TcpFlag.SYN | TcpFlag.FIN)) !== 0 ? 1 : 0));
      t += 1_000_000n;
      out.push({ tracePoint: fromClient ? 'NodeToPod' : 'PodToNode', frame: spec, timeNs: t });
    };
    const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: web\r\n\r\n`;
    const ok = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';
    send(40001, true, TcpFlag.SYN);
    send(40002, true, TcpFlag.SYN);
    send(40001, false, TcpFlag.SYN | TcpFlag.ACK);
    send(40002, false, TcpFlag.SYN | TcpFlag.ACK);
    send(40001, true, TcpFlag.ACK);
    send(40002, true, TcpFlag.ACK);
    send(40001, true, TcpFlag.PSH | TcpFlag.ACK, get('/a'));
    send(40002, true, TcpFlag.PSH | TcpFlag.ACK, get('/b'));
    send(40002, false, TcpFlag.PSH | TcpFlag.ACK, ok);
    send(40001, false, TcpFlag.PSH | TcpFlag.ACK, ok);
    send(40001, true, TcpFlag.PSH | TcpFlag.ACK, get('/c'));
    send(40001, false, TcpFlag.PSH | TcpFlag.ACK, ok);
    return out;
  };

  it.each<[string, string, boolean, string[]]>([
    [
      'FirstPacket without layer 7: one record per flow and trace point',
      'FirstPacket',
      false,
      [
        'NodeToPod 10.1.0.7:40001>10.2.0.9:80 SYN',
        'NodeToPod 10.1.0.7:40002>10.2.0.9:80 SYN',
        'PodToNode 10.2.0.9:80>10.1.0.7:40001 SYN,ACK',
        'PodToNode 10.2.0.9:80>10.1.0.7:40002 SYN,ACK',
      ],
    ],
    [
      'FirstPacket with layer 7: first packets plus one record per HTTP message',
      'FirstPacket',
      true,
      [
        'NodeToPod 10.1.0.7:40001>10.2.0.9:80 SYN',
        'NodeToPod 10.1.0.7:40002>10.2.0.9:80 SYN',
        'PodToNode 10.2.0.9:80>10.1.0.7:40001 SYN,ACK',
        'PodToNode 10.2.0.9:80>10.1.0.7:40002 SYN,ACK',
        'NodeToPod 10.1.0.7:40001>10.2.0.9:80 PSH,ACK HTTP:GET',
        'NodeToPod 10.1.0.7:40002>10.2.0.9:80 PSH,ACK HTTP:GET',
        'PodToNode 10.2.0.9:80>10.1.0.7:40002 PSH,ACK HTTP:200',
        'PodToNode 10.2.0.9:80>10.1.0.7:40001 PSH,ACK HTTP:200',
        'NodeToPod 10.1.0.7:40001>10.2.0.9:80 PSH,ACK HTTP:GET',
        'PodToNode 10.2.0.9:80>10.1.0.7:40001 PSH,ACK HTTP:200',
      ],
    ],
    ['AllPackets without layer 7: every packet, no layer-7 columns', 'AllPackets', false, []],
  ])('%s', (_name, level, l7, expected) => {
    const matcher = compileConfigurations(configurationsFromYaml(yaml(level, l7)));
    const result = run(buildBatch(frames()), matcher, EMPTY_IDENTITY_LOOKUP);
    const records = recordsOf(result);
    expect(result.counts.matched).toBe(12);
    if (level === 'AllPackets') {
      expect(records).toHaveLength(12);
      expect(records.some((r) => r.L7Protocol !== undefined)).toBe(false);
      expect(result.counts.l7Messages).toBe(0);
    } else {
      expect(records.map(brief)).toEqual(expected);
      expect(result.counts.l7Messages).toBe(l7 ? 6 : 0);
    }
    expect(records.every((r) => r.CaptureLevel === level)).toBe(true);
  });

  it('AllPackets with layer 7 puts the message on the packet that completes it and keeps one record per packet', () => {
    const matcher = compileConfigurations(configurationsFromYaml(yaml('AllPackets', true)));
    const records = recordsOf(run(buildBatch(frames()), matcher, EMPTY_IDENTITY_LOOKUP));
    expect(records).toHaveLength(12);
    expect(records.filter((r) => r.L7Protocol === 'HTTP').map((r) => r.HttpStatusCode ?? r.HttpPath)).toEqual(
      ['/a', '/b', 200, 200, '/c', 200],
    );
  });

  it('layer 7 of one configuration does not leak into another that did not ask for it', () => {
    const both = [
      ...configurationsFromYaml(yaml('AllPackets', true)),
      ...configurationsFromYaml(yaml('AllPackets', false)).map((c) => ({ ...c, key: 't/plain' })),
    ];
    const result = run(buildBatch(frames()), compileConfigurations(both), EMPTY_IDENTITY_LOOKUP);
    expect(recordsFor(result, 't/plain').some((r) => r.L7Protocol !== undefined)).toBe(false);
    expect(recordsFor(result, 't/web').filter((r) => r.L7Protocol !== undefined)).toHaveLength(6);
    // Both go to stdout: one delivery, ids distinct per configuration.
    expect(result.deliveries).toHaveLength(1);
    expect(new Set(recordsOf(result).map((r) => r.RecordId)).size).toBe(24);
  });
});

describe('a same-node connection seen at two trace points', () => {
  // Client and server pods on one node: every packet leaves the client's veth (PodToNode) and
  // enters the server's (NodeToPod) with the same 5-tuple.
  const frames = (): FrameSpec[] => {
    const out: FrameSpec[] = [];
    let t = 1_800_000_500_000_000_000n;
    // Leaving the sender's veth (PodToNode) and entering the receiver's (NodeToPod).
    const both = (forward: boolean, flags: number, seq: number, ack: number, payload = '') => {
      for (const tracePoint of ['PodToNode', 'NodeToPod'] as const) {
        t += 1000n;
        out.push({
          tracePoint,
          device: (tracePoint === 'PodToNode') === forward ? 'vetha' : 'vethb',
          timeNs: t,
          frame: {
            source: forward ? '10.244.1.1' : '10.244.1.2',
            destination: forward ? '10.244.1.2' : '10.244.1.1',
            transport: {
              protocol: 'tcp',
              sourcePort: forward ? 40000 : 80,
              destinationPort: forward ? 80 : 40000,
              flags,
              seq,
              ack,
            },
            payload,
          },
        });
      }
    };
    const request = 'GET /same-node HTTP/1.1\r\nHost: b\r\n\r\n';
    const response = 'HTTP/1.1 204 No Content\r\n\r\n';
    both(true, TcpFlag.SYN, 100, 0);
    both(false, TcpFlag.SYN | TcpFlag.ACK, 500, 101);
    both(true, TcpFlag.ACK, 101, 501);
    both(true, TcpFlag.PSH | TcpFlag.ACK, 101, 501, request);
    both(false, TcpFlag.PSH | TcpFlag.ACK, 501, 101 + request.length, response);
    return out;
  };

  it('parses layer 7 at each trace point, not only at the first that saw the segment', () => {
    const records = recordsOf(run(buildBatch(frames()), permissiveMatcher(), EMPTY_IDENTITY_LOOKUP));
    expect(records).toHaveLength(10);
    expect(
      records
        .filter((r) => r.L7Protocol === 'HTTP')
        .map((r) => `${r.TracePoint} ${r.HttpStatusCode ?? r.HttpPath}`),
    ).toEqual(['PodToNode /same-node', 'NodeToPod /same-node', 'PodToNode 204', 'NodeToPod 204']);
  });

  it('reassembles a fragmented datagram at each trace point', () => {
    const spec: CraftSpec = {
      source: '10.244.1.1',
      destination: '10.244.1.2',
      transport: { protocol: 'udp', sourcePort: 5000, destinationPort: 6000 },
      payload: new Uint8Array(200).fill(7),
    };
    const pieces = craftFragments(spec, 80, 9);
    const interleaved: FrameSpec[] = pieces.flatMap((frame, i) => [
      { tracePoint: 'PodToNode' as const, frame, timeNs: 10n + BigInt(i) * 2n },
      { tracePoint: 'NodeToPod' as const, frame, timeNs: 11n + BigInt(i) * 2n },
    ]);
    const result = run(buildBatch(interleaved), permissiveMatcher(), EMPTY_IDENTITY_LOOKUP);
    expect(result.problems).toEqual([]);
    expect(recordsOf(result).map((r) => `${r.TracePoint} ${r.PayloadBytes}`)).toEqual([
      'PodToNode 200',
      'NodeToPod 200',
    ]);
  });
});

describe('flow-table bounds', () => {
  it('counts FirstPacket flows evicted because the table was full; their next packet is reported again', () => {
    const yaml = `
apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata: {name: first, namespace: t}
spec:
  traceConfigurations:
    - captureLevel: FirstPacket
      ports: [{port: 80}]
  outputConfiguration: {destination: stdout}
`;
    const packet = (port: number, t: bigint): FrameSpec => ({
      tracePoint: 'PodToNode',
      timeNs: t,
      frame: {
        source: '10.9.0.1',
        destination: '10.9.0.2',
        transport: { protocol: 'tcp', sourcePort: port, destinationPort: 80, flags: TcpFlag.ACK },
      },
    });
    // Flows 1, 2, 3 (3 evicts 1), then 1 again (reported again, evicts 2), then 3 (still tracked).
    const ports = [1, 2, 3, 1, 3];
    const state = createPartitionState({ captureLevel: { maxFlows: 2 } });
    const matcher = compileConfigurations(configurationsFromYaml(yaml));
    const result = run(
      buildBatch(ports.map((p, i) => packet(p, BigInt(i)))),
      matcher,
      EMPTY_IDENTITY_LOOKUP,
      state,
    );
    expect(recordsOf(result).map((r) => r.SourcePort)).toEqual([1, 2, 3, 1]);
    expect(result.counts.flowEvictions).toBe(2);
    const next = run(buildBatch([packet(2, 10n)]), matcher, EMPTY_IDENTITY_LOOKUP, state);
    expect(recordsOf(next).map((r) => r.SourcePort)).toEqual([2]);
    expect(next.counts.flowEvictions).toBe(1);
  });
});

describe('nodes with different clocks in one partition', () => {
  it('records a FirstPacket flow once per batch run even when another node of the partition is 15 minutes ahead', () => {
    const yaml = `
apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata: {name: first, namespace: t}
spec:
  traceConfigurations:
    - captureLevel: FirstPacket
      ports: [{port: 80}]
  outputConfiguration: {destination: stdout}
`;
    const packet = (source: string, t: bigint): FrameSpec => ({
      tracePoint: 'PodToNode',
      timeNs: t,
      frame: {
        source,
        destination: '10.9.0.2',
        transport: { protocol: 'tcp', sourcePort: 40000, destinationPort: 80, flags: TcpFlag.ACK },
      },
    });
    const ahead = 900_000_000_000n;
    const state = createPartitionState();
    const matcher = compileConfigurations(configurationsFromYaml(yaml));
    const records: (string | undefined)[] = [];
    for (let second = 0n; second < 4n; second += 1n) {
      for (const [node, source, offset] of [
        ['node-a', '10.9.0.1', ahead],
        ['node-b', '10.9.0.3', 0n],
      ] as const) {
        const result = run(
          buildBatch([packet(source, offset + second * 1_000_000_000n)]),
          matcher,
          EMPTY_IDENTITY_LOOKUP,
          state,
          {},
          node,
        );
        records.push(...recordsOf(result).map((r) => `${r.NodeName} ${r.SourceIp}`));
      }
    }
    expect(records).toEqual(['node-a 10.9.0.1', 'node-b 10.9.0.3']);
  });
});

describe('reply-direction matching', () => {
  const config = (name: string, body: string) => `
apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata: {name: ${name}, namespace: t}
spec:
  traceConfigurations:
    - captureLevel: AllPackets
${body}
  outputConfiguration: {destination: stdout}
`;
  it.each<[string, string, number]>([
    [
      'frontend → checkout service on 8080: both directions of all three connections',
      '      from: [{ipBlock: {cidr: 10.244.1.10/32}}]\n      to: [{ipBlock: {cidr: 10.0.12.34/32}}]\n      ports: [{port: 8080}]',
      34,
    ],
    [
      'the reverse (service → frontend on 8080) matches nothing: ports are the destination port',
      '      from: [{ipBlock: {cidr: 10.0.12.34/32}}]\n      to: [{ipBlock: {cidr: 10.244.1.10/32}}]\n      ports: [{port: 8080}]',
      0,
    ],
    [
      'pods labelled app=frontend to kube-dns by selector: queries and answers',
      '      from: [{namespaceSelector: {matchLabels: {team: shop}}, podSelector: {matchLabels: {app: frontend}}}]\n      to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]\n      ports: [{port: 53, protocol: UDP}]',
      6,
    ],
    [
      'to the external site only at the uplink',
      '      to: [{ipBlock: {cidr: 93.184.215.14/32}}]\n      tracePoints: [NodeToNetwork, NetworkToNode]',
      10,
    ],
    ['port 9999 matches nothing', '      ports: [{port: 9999}]', 0],
  ])('%s', (_name, body, matched) => {
    const spec = config('c', body.replace('      tracePoints', '  tracePoints'));
    const result = run(NODE_1!.capture, compileConfigurations(configurationsFromYaml(spec)), demo);
    expect(result.counts.matchedByConfiguration['t/c'] ?? 0).toBe(matched);
    expect(result.counts.recordsByConfiguration['t/c'] ?? 0).toBe(matched);
  });
});

describe('damaged input', () => {
  const t0 = 1_750_000_000_000_000_000n;
  const syn = (port: number): CraftSpec => ({
    source: '10.1.0.1',
    destination: '10.1.0.2',
    transport: { protocol: 'tcp', sourcePort: port, destinationPort: 80, flags: TcpFlag.SYN },
  });
  const truncatedIpv4 = Buffer.from(craftFrame(syn(2))).subarray(0, 14 + 12);
  const badDataOffset = Buffer.from(craftFrame(syn(4)));
  badDataOffset[14 + 20 + 12] = 0x20;
  const frames: FrameSpec[] = [
    { tracePoint: 'PodToNode', frame: syn(1), timeNs: t0 },
    { tracePoint: 'PodToNode', frame: truncatedIpv4, timeNs: t0 + 1n },
    { tracePoint: 'PodToNode', frame: syn(3), timeNs: t0 + 2n },
    { tracePoint: 'PodToNode', frame: badDataOffset, timeNs: t0 + 3n },
    { tracePoint: 'PodToNode', frame: syn(5), timeNs: t0 + 4n },
    { tracePoint: 'PodToNode', frame: arpFrame(), timeNs: t0 + 5n },
    { tracePoint: 'PodToNode', frame: syn(7), timeNs: t0 + 6n },
  ];

  it('counts damaged packets, names their frames, and still records every other packet', () => {
    const result = run(buildBatch(frames), permissiveMatcher(), EMPTY_IDENTITY_LOOKUP, undefined, {
      includeCaptureFrame: true,
    });
    expect(result.counts).toMatchObject({
      packets: 7,
      malformed: 2,
      nonIp: 1,
      decoded: 5,
      captureProblems: 0,
    });
    expect(result.problems).toEqual([
      'frame 2: network layer: IPv4 header needs 20 bytes, 12 captured',
      'frame 4: transport layer: TCP data offset 2 is below the minimum of 5',
    ]);
    const records = recordsOf(result);
    // The bad data offset still has usable addresses and ports: it is recorded, the rest of the
    // TCP header is not trusted (no payload length).
    expect(records.map((r) => [r.CaptureFrame, r.SourcePort])).toEqual([
      [1, 1],
      [3, 3],
      [4, 4],
      [5, 5],
      [7, 7],
    ]);
    expect(records.find((r) => r.CaptureFrame === 4)).not.toHaveProperty('PayloadBytes');
  });

  it('bounds the problem list but keeps complete counts', () => {
    const many: FrameSpec[] = Array.from({ length: 30 }, (_, i) => ({
      frame: truncatedIpv4,
      timeNs: t0 + BigInt(i),
    }));
    const result = run(buildBatch(many), permissiveMatcher(), EMPTY_IDENTITY_LOOKUP, undefined, {
      maxProblems: 5,
    });
    expect(result.counts.malformed).toBe(30);
    expect(result.problems).toHaveLength(5);
    expect(result.problems[4]).toMatch(/^frame 5: network layer:/);
    expect(result.deliveries).toEqual([]);
  });

  it('keeps the packets before a truncated capture container and reports the damage', () => {
    const whole = buildBatch(frames.filter((f) => !(f.frame instanceof Uint8Array)));
    const cut = whole.subarray(0, whole.length - 30);
    const result = run(cut, permissiveMatcher(), EMPTY_IDENTITY_LOOKUP);
    expect(result.counts.packets).toBe(3);
    expect(result.counts.captureProblems).toBe(1);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatch(/after frame 3/);
    expect(recordsOf(result).map((r) => r.SourcePort)).toEqual([1, 3, 5]);
  });

  it.each<[string, Uint8Array, RegExp]>([
    ['empty bytes', new Uint8Array(0), /empty/i],
    ['not a capture', Buffer.from('hello, this is not a capture file at all'), /68 65 6c 6c|magic|format/i],
    ['broken gzip', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3]), /gzip/i],
  ])('reports an unreadable batch (%s) without throwing', (_name, bytes, message) => {
    const result = run(bytes, permissiveMatcher(), EMPTY_IDENTITY_LOOKUP);
    expect(result.counts.packets).toBe(0);
    expect(result.counts.captureProblems).toBeGreaterThanOrEqual(1);
    expect(result.problems[0]).toMatch(message);
    expect(result.deliveries).toEqual([]);
  });

  it('reads a gzip-compressed batch', () => {
    const result = run(gzipSync(NODE_1!.capture), localSamplesMatcher(), demo);
    expect(result.counts.packets).toBe(60);
    expect(recordsOf(result)).toHaveLength(38);
  });
});

describe('IP fragments', () => {
  const t0 = 1_750_000_100_000_000_000n;
  const query = Buffer.concat([
    Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1]),
    Buffer.from([7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0, 0, 1, 0, 1]),
    // An EDNS OPT record padded so the datagram needs several fragments.
    Buffer.from([0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0x80, 0, 12, 0, 0x7c]),
    Buffer.alloc(0x7c),
  ]);
  const spec: CraftSpec = {
    source: '10.244.1.10',
    destination: '10.0.0.10',
    transport: { protocol: 'udp', sourcePort: 40111, destinationPort: 53 },
    payload: query,
  };
  const fragments = craftFragments(spec, 64, 77);
  const at = (order: number[]): FrameSpec[] =>
    order.map((i, k) => ({ tracePoint: 'PodToNode', frame: fragments[i]!, timeNs: t0 + BigInt(k) * 1000n }));

  it('splits the datagram into several fragments', () => {
    expect(fragments.length).toBeGreaterThanOrEqual(3);
  });

  it.each<[string, number[]]>([
    ['in order', fragments.map((_, i) => i)],
    ['reversed', fragments.map((_, i) => fragments.length - 1 - i)],
  ])('reassembles fragments %s into one record with the DNS query', (_name, order) => {
    const result = run(buildBatch(at(order)), permissiveMatcher(), demo, undefined, {
      includeCaptureFrame: true,
    });
    expect(result.counts.packets).toBe(fragments.length);
    expect(result.counts.fragmentsHeld).toBe(fragments.length - 1);
    const records = recordsOf(result);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      CaptureFrame: fragments.length,
      SourcePort: 40111,
      DestinationPort: 53,
      SourcePodName: 'frontend-7d9f8b6c5-x2x4q',
      L7Protocol: 'DNS',
      DnsId: 0x1234,
      DnsQuery: 'example.com',
      PayloadBytes: query.length,
    });
  });

  it('reassembles a datagram whose fragments arrive in two batches of the same partition', () => {
    const state = createPartitionState();
    const frames = at(fragments.map((_, i) => i));
    const first = run(buildBatch(frames.slice(0, 1)), permissiveMatcher(), demo, state);
    expect(first.counts.fragmentsHeld).toBe(1);
    expect(first.deliveries).toEqual([]);
    const second = run(buildBatch(frames.slice(1)), permissiveMatcher(), demo, state);
    expect(recordsOf(second).map((r) => r.DnsQuery)).toEqual(['example.com']);
  });
});

describe('trace points of plain captures', () => {
  const restricted = `
apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata: {name: restricted, namespace: t}
spec:
  traceConfigurations:
    - captureLevel: AllPackets
      ports: [{port: 80}]
  tracePoints: [NodeToPod]
  outputConfiguration: {destination: stdout}
`;
  const plain: FrameSpec[] = [
    {
      frame: {
        source: '10.1.0.1',
        destination: '10.1.0.2',
        transport: { protocol: 'tcp', sourcePort: 9, destinationPort: 80 },
      },
      timeNs: 1n,
    },
  ];
  it.each<[string, TracePoint | undefined, number, string | undefined]>([
    ['no trace point: a restricting configuration does not match', undefined, 0, undefined],
    ['--trace-point NodeToPod: it matches and the record names it', 'NodeToPod', 1, 'NodeToPod'],
    ['--trace-point PodToNode: still outside the configuration', 'PodToNode', 0, undefined],
  ])('%s', (_name, defaultTracePoint, count, tracePoint) => {
    const matcher = compileConfigurations(configurationsFromYaml(restricted));
    const result = run(
      buildBatch(plain),
      matcher,
      EMPTY_IDENTITY_LOOKUP,
      undefined,
      defaultTracePoint === undefined ? {} : { defaultTracePoint },
    );
    const records = recordsOf(result);
    expect(records).toHaveLength(count);
    expect(records[0]?.TracePoint).toBe(tracePoint);
  });

  it('the permissive configuration traces packets without a trace point', () => {
    const records = recordsOf(run(buildBatch(plain), permissiveMatcher(), EMPTY_IDENTITY_LOOKUP));
    expect(records).toHaveLength(1);
    expect(records[0]).not.toHaveProperty('TracePoint');
    expect(records[0]!.TraceConfiguration).toBe(PERMISSIVE_CONFIGURATION_KEY);
  });
});

describe("the Docs page's example configuration end to end", () => {
  // from 10.0.0.0/16 except 10.0.0.5, to namespaces labelled label=value, TCP 80, trace points
  // pod (PodToNode + NodeToPod) and NodeToPod; FirstPacket with layer 7.
  const POD = '10.244.3.3';
  const snapshot: IdentitySnapshot = {
    cluster: DEMO_CLUSTER,
    generatedAt: '2026-01-01T00:00:00Z',
    complete: true,
    endpoints: [
      {
        ip: POD,
        kind: 'pod',
        namespace: 'web',
        name: 'web-0',
        labels: { app: 'web' },
        namespaceLabels: { label: 'value' },
        nodeName: 'aks-node-1',
      },
      { ip: '10.244.4.4', kind: 'pod', namespace: 'other', name: 'other-0', namespaceLabels: {} },
    ],
  };
  const t0 = 1_760_000_000_000_000_000n;
  const frames = (): FrameSpec[] => {
    const out: FrameSpec[] = [];
    let t = t0;
    const tcp = (
      tracePoint: TracePoint,
      source: string,
      destination: string,
      sport: number,
      dport: number,
      flags: number,
      seq: number,
      ack: number,
      payload = '',
    ) => {
      t += 100_000n;
      out.push({
        tracePoint,
        timeNs: t,
        frame: {
          source,
          destination,
          transport: { protocol: 'tcp', sourcePort: sport, destinationPort: dport, flags, seq, ack },
          payload,
        },
      });
    };
    const conversation = (
      client: string,
      server: string,
      port: number,
      tracePoints: [TracePoint, TracePoint],
    ) => {
      const [inbound, outbound] = tracePoints;
      const request = `GET /index.html HTTP/1.1\r\nHost: web.web\r\nUser-Agent: curl/8.5.0\r\n\r\n`;
      const response = 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n';
      tcp(inbound, client, server, 33000, port, TcpFlag.SYN, 100, 0);
      tcp(outbound, server, client, port, 33000, TcpFlag.SYN | TcpFlag.ACK, 900, 101);
      tcp(inbound, client, server, 33000, port, TcpFlag.ACK, 101, 901);
      tcp(inbound, client, server, 33000, port, TcpFlag.PSH | TcpFlag.ACK, 101, 901, request);
      tcp(
        outbound,
        server,
        client,
        port,
        33000,
        TcpFlag.PSH | TcpFlag.ACK,
        901,
        101 + request.length,
        response,
      );
      tcp(inbound, client, server, 33000, port, TcpFlag.ACK, 101 + request.length, 901 + response.length);
    };
    conversation('10.0.1.7', POD, 80, ['NodeToPod', 'PodToNode']); // traced
    conversation('10.0.0.5', POD, 80, ['NodeToPod', 'PodToNode']); // excepted source
    conversation('10.1.0.7', POD, 80, ['NodeToPod', 'PodToNode']); // outside the CIDR
    conversation('10.0.1.7', '10.244.4.4', 80, ['NodeToPod', 'PodToNode']); // namespace without the label
    conversation('10.0.1.7', POD, 8080, ['NodeToPod', 'PodToNode']); // another port
    conversation('10.0.1.8', POD, 80, ['NetworkToNode', 'NodeToNetwork']); // trace points not listed
    return out;
  };

  it('traces exactly the first packets and HTTP messages of the one matching connection', async () => {
    const matcher = compileConfigurations(sampleConfigurations('samples/retina-docs-example.yaml'));
    const result = run(buildBatch(frames()), matcher, await identityLookup(snapshot));
    expect(result.counts.packets).toBe(36);
    expect(result.counts.matched).toBe(6);
    expect(result.deliveries.map((d) => [d.destination, d.connection])).toEqual([
      ['stdout', 'TRACES_STDOUT'],
    ]);
    const records = recordsOf(result);
    expect(records.map(brief)).toEqual([
      'NodeToPod 10.0.1.7:33000>10.244.3.3:80 SYN',
      'PodToNode 10.244.3.3:80>10.0.1.7:33000 SYN,ACK',
      'NodeToPod 10.0.1.7:33000>10.244.3.3:80 PSH,ACK HTTP:GET',
      'PodToNode 10.244.3.3:80>10.0.1.7:33000 PSH,ACK HTTP:404',
    ]);
    expect(records.every((r) => r.TraceConfiguration === 'default/example-trace-configuration')).toBe(true);
    expect(records[2]).toMatchObject({
      CaptureLevel: 'FirstPacket',
      TrafficDirection: 'ingress',
      DestinationNamespace: 'web',
      DestinationPodName: 'web-0',
      DestinationLabels: { app: 'web' },
      HttpPath: '/index.html',
      HttpHost: 'web.web',
      HttpUserAgent: 'curl/8.5.0',
    });
    expect(records[2]).not.toHaveProperty('SourceNamespace');
  });
});

interface ManifestRow {
  file: string;
  packets: number;
}

function publicCaptures(): ManifestRow[] {
  if (!hasSharedData('captures/MANIFEST.tsv')) return [];
  const lines = readFileSync(sharedPath('captures', 'MANIFEST.tsv'), 'utf8').split('\n');
  const header = lines.find((line) => line.startsWith('group\t'))!.split('\t');
  return lines
    .filter((line) => line.startsWith('public\t'))
    .map((line) => {
      const cells = line.split('\t');
      return { file: cells[header.indexOf('file')]!, packets: Number(cells[header.indexOf('packets')]) };
    });
}

function oracleFrames(file: string): number {
  return (
    readFileSync(sharedPath('captures', 'oracle', `${file}.tsv`), 'utf8')
      .replace(/\n$/, '')
      .split('\n').length - 1
  );
}

const REQUIRED: readonly (keyof TraceRecord)[] = [
  'TimeGenerated',
  'TimestampNs',
  'RecordId',
  'ClusterName',
  'NodeName',
  'TraceConfiguration',
  'CaptureLevel',
  'IpVersion',
  'Protocol',
  'SourceIp',
  'DestinationIp',
  'PacketBytes',
];

describeWithSharedData(
  'captures/oracle',
  'the public real captures through the permissive configuration',
  () => {
    const rows = publicCaptures();

    it('covers the manifest', () => {
      expect(rows.length).toBeGreaterThanOrEqual(40);
    });

    it.each(rows)('$file', ({ file, packets }) => {
      const capture = readFileSync(sharedPath('captures', 'public', file));
      const result = runBatch(
        { cluster: 'public', node: file, capture },
        { matcher: permissiveMatcher(), identities: EMPTY_IDENTITY_LOOKUP, state: createPartitionState() },
      );
      const nonPackets = TSHARK_DIFFERENCES.find((d) => d.file === file)?.nonPacketFrames.length ?? 0;
      expect(result.counts.packets).toBe(oracleFrames(file) - nonPackets);
      // The manifest counts packets as capinfos does (pcapng Custom Blocks are not packets).
      expect(result.counts.packets).toBe(packets);
      expect(result.counts.captureProblems).toBe(0);
      const traceable = result.counts.decoded - result.counts.fragmentsHeld;
      expect(result.counts.matched).toBe(traceable);
      const records = recordsOf(result);
      // One record per traced packet, plus one per further message a packet completes (id suffix -n).
      // And one per request reported unanswered (L7Unanswered, docs/layer7.md "Latency").
      const extra = records.filter((r) => /-\d+$/.test(r.RecordId) || r.L7Unanswered === true).length;
      expect(records.length).toBe(traceable + extra);
      expect(result.counts.l7Messages + result.counts.l7Unanswered).toBe(
        records.filter((r) => r.L7Protocol !== undefined).length,
      );
      const columns = new Set<string>(TRACE_RECORD_COLUMNS.map(([name]) => name));
      const violations: string[] = [];
      for (const [index, record] of records.entries()) {
        for (const column of REQUIRED)
          if (record[column] === undefined) violations.push(`${index}: no ${column}`);
        for (const key of Object.keys(record))
          if (!columns.has(key)) violations.push(`${index}: unknown ${key}`);
        if (!/^[0-9a-f]{32}(-\d+)?$/.test(record.RecordId))
          violations.push(`${index}: RecordId ${record.RecordId}`);
      }
      expect(violations.slice(0, 10)).toEqual([]);
    });
  },
);

describe('runBatch isolation of unexpected failures', () => {
  it('skips only the packet whose processing throws, naming its frame, and keeps every other record', async () => {
    const permissive = permissiveMatcher();
    // A matcher whose predicate fails on one packet stands in for any bug deeper in the pipeline.
    const flaky: ConfigurationMatcher = {
      size: permissive.size,
      match: (packet, source, destination) => {
        if (packet.frame === 3) throw new Error('predicate exploded');
        return permissive.match(packet, source, destination);
      },
    };
    const result = run(NODE_2!.capture, flaky, await demoLookup(), undefined, {}, 'aks-node-2');
    expect(result.counts.failed).toBe(1);
    expect(result.counts.packets).toBe(NODE_2!.packets);
    expect(result.problems).toEqual(['frame 3: skipped after an internal error: predicate exploded']);
    const frames = recordsOf(
      run(NODE_2!.capture, flaky, await demoLookup(), undefined, { includeCaptureFrame: true }, 'aks-node-2'),
    ).map((r) => r.CaptureFrame);
    expect(frames).toHaveLength(NODE_2!.packets - 1);
    expect(frames).not.toContain(3);
  });
});
