import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writePcap } from '../../shared/capture/pcapWriter';
import type { CommandIo } from '../../shared/cli/command';
import { COMMANDS } from '../../shared/cli/commands';
import { formatTable, TABLE_HEADER, tableRow, type InspectedRecord } from '../../shared/cli/inspectOutput';
import { runCli } from '../../shared/cli/run';
import { demoBatches, demoIdentities, DEMO_CLUSTER } from '../../shared/local/demo/demoCluster';
import { craftFrame, type CraftSpec } from '../../shared/packet/craftFrame';
import { TcpFlag } from '../../shared/packet/decodedPacket';

const ROOT = join(__dirname, '..', '..');

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

let scratch: string;

async function inspect(args: string[], extra: Partial<CommandIo> = {}): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['inspect', ...args], COMMANDS, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: {},
    cwd: ROOT,
    ...extra,
  });
  return { code, stdout, stderr };
}

function ndjson(out: Captured): InspectedRecord[] {
  return out.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as InspectedRecord);
}

const at = (name: string): string => join(scratch, name);

// A plain capture (no trace points): an IPv4 HTTP request/response and one IPv6 UDP datagram.
function plainPcap(): Uint8Array {
  const tcp = (fromClient: boolean, flags: number, seq: number, ack: number, payload = ''): CraftSpec => ({
    source: fromClient ? '192.168.1.5' : '192.168.1.80',
    destination: fromClient ? '192.168.1.80' : '192.168.1.5',
    transport: {
      protocol: 'tcp',
      sourcePort: fromClient ? 50500 : 80,
      destinationPort: fromClient ? 80 : 50500,
      flags,
      seq,
      ack,
    },
    payload,
  });
  const request = 'GET /health HTTP/1.1\r\nHost: svc.local\r\n\r\n';
  const specs: CraftSpec[] = [
    tcp(true, TcpFlag.SYN, 10, 0),
    tcp(false, TcpFlag.SYN | TcpFlag.ACK, 70, 11),
    tcp(true, TcpFlag.ACK, 11, 71),
    tcp(true, TcpFlag.PSH | TcpFlag.ACK, 11, 71, request),
    tcp(false, TcpFlag.PSH | TcpFlag.ACK, 71, 11 + request.length, 'HTTP/1.1 204 No Content\r\n\r\n'),
    {
      source: '2001:db8::1',
      destination: '2001:db8::2',
      transport: { protocol: 'udp', sourcePort: 7000, destinationPort: 7001 },
      payload: 'x',
    },
  ];
  return writePcap(
    { linkType: 1 },
    specs.map((spec, i) => ({
      timestampSec: 1_700_000_000 + i,
      timestampNsec: 250_000_000,
      data: craftFrame(spec),
    })),
  );
}

const NODE_TO_POD_ONLY = `apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata: {name: inbound-web, namespace: web}
spec:
  traceConfigurations:
    - captureLevel: AllPackets
      includeLayer7Data: true
      ports: [{port: 80}]
  tracePoints: [NodeToPod]
  outputConfiguration: {destination: opentelemetry, connectionConfiguration: TRACES_COLLECTOR}
`;

const demo = demoBatches(Date.UTC(2026, 3, 1, 8, 0, 0))[0]!;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'tracectl-inspect-'));
  writeFileSync(at('node1.pcapng'), demo.capture);
  writeFileSync(at('node1.pcapng.gz'), gzipSync(demo.capture));
  writeFileSync(at('truncated.pcapng'), demo.capture.subarray(0, demo.capture.length - 40));
  writeFileSync(at('plain.pcap'), plainPcap());
  writeFileSync(at('ids.json'), JSON.stringify(demoIdentities('2026-04-01T07:59:00Z')));
  writeFileSync(at('ids-list.json'), JSON.stringify([demoIdentities('2026-04-01T07:59:00Z')]));
  writeFileSync(at('broken.json'), '{"cluster": "demo-cluster",');
  writeFileSync(
    at('not-identities.json'),
    JSON.stringify({ cluster: 'c', generatedAt: 'soon', endpoints: 3 }),
  );
  writeFileSync(at('notes.txt'), 'hello world, not a capture\n');
  writeFileSync(at('inbound.yaml'), NODE_TO_POD_ONLY);
  mkdirSync(at('a-directory'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('tracectl inspect', () => {
  it('traces every packet with layer 7 on when no -f is given, in frame order', async () => {
    const out = await inspect([at('node1.pcapng')]);
    expect(out.code).toBe(0);
    const records = ndjson(out);
    expect(records.map((r) => r.CaptureFrame)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(
      new Set(records.map((r) => `${r.TraceConfiguration} ${r.Destination} ${r.ClusterName} ${r.NodeName}`)),
    ).toEqual(new Set(['inspect/every-packet stdout inspect node1.pcapng']));
    expect(records.filter((r) => r.L7Protocol !== undefined)).toHaveLength(18);
    // The h2c connection to checkout: 2 gRPC calls, the second failing with grpc-status 14.
    expect(
      records
        .filter((r) => r.HttpVersion === '2')
        .map((r) => [r.Http2StreamId, r.GrpcService, r.GrpcMethod, r.GrpcStatusCode, r.GrpcMessage]),
    ).toEqual([
      [1, 'shop.checkout.v1.CheckoutService', 'GetQuote', undefined, undefined],
      [1, 'shop.checkout.v1.CheckoutService', 'GetQuote', 0, undefined],
      [3, 'shop.checkout.v1.CheckoutService', 'PlaceOrder', undefined, undefined],
      [3, 'shop.checkout.v1.CheckoutService', 'PlaceOrder', 14, 'payment backend unavailable'],
    ]);
    expect(out.stderr).toBe(
      `${at('node1.pcapng')}: 60 packets, 60 with IP, 0 damaged, 0 capture problems, 0 non-IP, 0 fragments held, 60 matched, 18 layer-7 messages\n` +
        '  inspect/every-packet: 60 packets matched, 60 records\n',
    );
  });

  it('reads a gzip-compressed capture to the same records', async () => {
    // The node defaults to the file name, which is part of RecordId: name it the same for both.
    const plain = await inspect([at('node1.pcapng'), '--node', 'aks-node-1']);
    const gzip = await inspect([at('node1.pcapng.gz'), '--node', 'aks-node-1']);
    expect(gzip.code).toBe(0);
    expect(ndjson(gzip)).toHaveLength(60);
    expect(gzip.stdout).toBe(plain.stdout);
  });

  it.each<[string, string[], number, Record<string, number>]>([
    [
      'a directory of configurations with identities',
      ['-f', 'samples/local', '--identities', 'IDS'],
      // 38 packet and layer-7 records, the 3 shop/shop-flows connections flushed at the end, and
      // shop/shop-sentinel's ASIM rows.
      65,
      {
        'azuretable/TRACES_AZURETABLE': 14,
        'loganalytics/TRACES_LOGANALYTICS': 9,
        'loganalytics/TRACES_SENTINEL': 24,
        'opentelemetry/TRACES_OPENTELEMETRY': 8,
        'stdout/TRACES_STDOUT': 10,
      },
    ],
    [
      'one file with identities',
      ['-f', 'samples/local/shop-http-azuretable.yaml', '--identities', 'IDS'],
      14,
      {
        'azuretable/TRACES_AZURETABLE': 14,
      },
    ],
    [
      'identities given as an array of snapshots',
      ['-f', 'samples/local/shop-http-azuretable.yaml', '--identities', 'IDS-LIST'],
      14,
      {
        'azuretable/TRACES_AZURETABLE': 14,
      },
    ],
    [
      'one file without identities: selectors cannot match',
      ['-f', 'samples/local/shop-http-azuretable.yaml'],
      0,
      {},
    ],
  ])('applies configurations: %s', async (_name, args, count, destinations) => {
    const resolved = args.map((a) =>
      a === 'IDS' ? at('ids.json') : a === 'IDS-LIST' ? at('ids-list.json') : a,
    );
    const out = await inspect([at('node1.pcapng'), ...resolved]);
    expect(out.code).toBe(0);
    const records = ndjson(out);
    expect(records).toHaveLength(count);
    const by: Record<string, number> = {};
    for (const r of records) by[r.Destination] = (by[r.Destination] ?? 0) + 1;
    expect(by).toEqual(destinations);
    const frames = records.map((r) => r.CaptureFrame ?? 0);
    expect(frames).toEqual([...frames].sort((a, b) => a - b));
    if (count > 0) {
      expect(records.every((r) => r.ClusterName === DEMO_CLUSTER)).toBe(true);
      const get = records.find((r) => r.HttpMethod === 'GET');
      expect(get).toMatchObject({
        SourcePodName: 'frontend-7d9f8b6c5-x2x4q',
        DestinationServiceName: 'checkout',
      });
      expect(out.stderr).toContain('  shop/shop-http: 34 packets matched, 14 records\n');
    } else {
      expect(out.stdout).toBe('');
      expect(out.stderr).toContain('  shop/shop-http: 0 packets matched, 0 records\n');
    }
  });

  it('names the cluster and node when asked', async () => {
    const out = await inspect([at('node1.pcapng'), '--cluster', 'prod-weu', '--node', 'aks-7']);
    const [first] = ndjson(out);
    expect(first).toMatchObject({ ClusterName: 'prod-weu', NodeName: 'aks-7' });
  });

  it('prints an aligned table with -o table', async () => {
    const out = await inspect([
      at('node1.pcapng'),
      '-f',
      'samples/local',
      '--identities',
      at('ids.json'),
      '-o',
      'table',
    ]);
    expect(out.code).toBe(0);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(66);
    expect(lines[0]).toMatch(/^FRAME +TIME +CONFIGURATION +POINT +SOURCE +DESTINATION +PROTO +SUMMARY$/);
    const get = lines.find((line) => line.includes('HTTP GET') && line.includes('shop/shop-http '));
    expect(get).toMatch(
      /^\d+ +08:00:00\.\d{3} +shop\/shop-http +PodToNode +10\.244\.1\.10:51000 \(frontend-7d9f8b6c5-x2x4q\) +10\.0\.12\.34:8080 \(checkout\) +TCP +HTTP GET checkout\.shop\.svc\.cluster\.local\/api\/cart\?session=REDACTED&token=REDACTED$/,
    );
    // Columns line up: SOURCE starts at the same offset on every line.
    const offset = lines[0]!.indexOf('SOURCE');
    expect(new Set(lines.slice(1).map((l) => l.slice(offset - 2, offset)))).toEqual(new Set(['  ']));
  });

  it.each<[string, string[], number, string | undefined]>([
    ['no trace point: a configuration restricted to NodeToPod matches nothing', [], 0, undefined],
    ['--trace-point NodeToPod', ['--trace-point', 'NodeToPod'], 5, 'NodeToPod'],
    ['--trace-point is case-insensitive', ['--trace-point', 'nodetopod'], 5, 'NodeToPod'],
    ['--trace-point PodToNode', ['--trace-point', 'PodToNode'], 0, undefined],
  ])('plain pcap with %s', async (_name, args, count, tracePoint) => {
    const out = await inspect([at('plain.pcap'), '-f', at('inbound.yaml'), ...args]);
    expect(out.code).toBe(0);
    const records = ndjson(out);
    expect(records).toHaveLength(count);
    if (count > 0) {
      expect(
        records.every(
          (r) => r.TracePoint === tracePoint && r.Destination === 'opentelemetry/TRACES_COLLECTOR',
        ),
      ).toBe(true);
      expect(records.map((r) => r.HttpStatusCode ?? r.HttpPath ?? r.TcpFlags)).toEqual([
        'SYN',
        'SYN,ACK',
        'ACK',
        '/health',
        204,
      ]);
    }
  });

  it('prints IPv6 endpoints in brackets in the table', async () => {
    const out = await inspect([at('plain.pcap'), '-o', 'table']);
    expect(out.stdout).toMatch(/\[2001:db8::1\]:7000 +\[2001:db8::2\]:7001 +UDP/);
  });

  it('keeps the packets before a truncated capture, reports the damage on stderr and exits 0', async () => {
    const out = await inspect([at('truncated.pcapng')]);
    expect(out.code).toBe(0);
    expect(ndjson(out).map((r) => r.CaptureFrame)).toEqual(Array.from({ length: 59 }, (_, i) => i + 1));
    expect(out.stderr).toMatch(new RegExp(`^${at('truncated.pcapng')}: .*after frame 59`, 'm'));
    expect(out.stderr).toContain(': 59 packets, 59 with IP, 0 damaged, 1 capture problems');
  });

  it.each<[string, () => string[], RegExp]>([
    [
      'a missing capture',
      () => [at('missing.pcap')],
      /^tracectl inspect: cannot read .*missing\.pcap: ENOENT: no such file or directory/,
    ],
    [
      'a directory',
      () => [at('a-directory')],
      /^tracectl inspect: cannot read .*a-directory: not a regular file\n$/,
    ],
    [
      'a file that is not a capture',
      () => [at('notes.txt')],
      /^tracectl inspect: .*notes\.txt: not a pcap or pcapng capture: the first bytes are \[68 65 6c 6c\]\n$/,
    ],
    [
      'an Errored configuration',
      () => [at('node1.pcapng'), '-f', 'samples/invalid/five-mistakes.yaml'],
      /samples\/invalid\/five-mistakes\.yaml document 1: default\/Web_Traces is Errored:\n {2}samples\/invalid\/five-mistakes\.yaml:5:9 metadata\.name: /,
    ],
    [
      'a missing configuration file',
      () => [at('node1.pcapng'), '-f', 'samples/nope.yaml'],
      /^tracectl inspect: cannot read samples\/nope\.yaml: ENOENT/,
    ],
    [
      'identities that are not JSON',
      () => [at('node1.pcapng'), '--identities', at('broken.json')],
      /^tracectl inspect: cannot read identities .*broken\.json: .*JSON/,
    ],
    [
      'a missing identities file',
      () => [at('node1.pcapng'), '--identities', at('none.json')],
      /^tracectl inspect: cannot read identities .*none\.json: ENOENT/,
    ],
    [
      'identities that are not a snapshot',
      () => [at('node1.pcapng'), '--identities', at('not-identities.json')],
      /not-identities\.json: not a valid identity snapshot:\n {2}\S+/,
    ],
    ['no capture', () => [], /^tracectl inspect: give exactly one CAPTURE file\n/],
    [
      'two captures',
      () => [at('plain.pcap'), at('plain.pcap')],
      /^tracectl inspect: give exactly one CAPTURE file\n/,
    ],
    [
      'a bad -o',
      () => [at('plain.pcap'), '-o', 'yaml'],
      /^tracectl inspect: -o must be ndjson or table, not 'yaml'/,
    ],
    [
      'a bad --trace-point',
      () => [at('plain.pcap'), '--trace-point', 'pod'],
      /^tracectl inspect: --trace-point must be one of PodToNode, NodeToPod/,
    ],
  ])('exits 2 for %s', async (_name, args, message) => {
    const out = await inspect(args());
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(message);
  });

  it('runs as a real process through bin/tracectl.js', () => {
    const result = spawnSync(
      process.execPath,
      [join(ROOT, 'bin', 'tracectl.js'), 'inspect', at('plain.pcap')],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    const records = lines.map((line) => JSON.parse(line) as InspectedRecord);
    expect(records.map((r) => r.CaptureFrame)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(records[3]).toMatchObject({ HttpMethod: 'GET', HttpPath: '/health', HttpHost: 'svc.local' });
    expect(result.stderr).toContain('plain.pcap: 6 packets, 6 with IP, 0 damaged');
  });
});

describe('inspect table output', () => {
  const base: InspectedRecord = {
    TimeGenerated: '2026-04-01T08:00:00.123456Z',
    TimestampNs: '1775030400123456000',
    RecordId: 'r',
    ClusterName: 'c',
    NodeName: 'n',
    Destination: 'stdout',
  };
  it.each<[string, Partial<InspectedRecord>, string[]]>([
    ['a bare record (no IP, no configuration)', {}, ['', '08:00:00.123', '', '', '', '', '', '']],
    [
      'TCP with flags and a pod name',
      {
        CaptureFrame: 3,
        TraceConfiguration: 'a/b',
        TracePoint: 'PodToNode',
        SourceIp: '10.0.0.1',
        SourcePort: 5,
        SourcePodName: 'p',
        DestinationIp: '10.0.0.2',
        DestinationPort: 80,
        Protocol: 'TCP',
        TcpFlags: 'SYN',
      },
      ['3', '08:00:00.123', 'a/b', 'PodToNode', '10.0.0.1:5 (p)', '10.0.0.2:80', 'TCP', 'SYN'],
    ],
    [
      'ICMPv6 without ports, node names',
      { SourceIp: 'fe80::1', DestinationIp: 'fe80::2', SourceNodeName: 'n1', Protocol: 'ICMPv6' },
      ['', '08:00:00.123', '', '', 'fe80::1 (n1)', 'fe80::2', 'ICMPv6', ''],
    ],
    [
      'DNS response',
      {
        L7Protocol: 'DNS',
        DnsIsResponse: true,
        DnsResponseCode: 'NXDOMAIN',
        DnsQueryType: 'AAAA',
        DnsQuery: 'x.y',
      },
      ['', '08:00:00.123', '', '', '', '', '', 'DNS NXDOMAIN AAAA x.y'],
    ],
    [
      'DNS query',
      { L7Protocol: 'DNS', DnsIsResponse: false, DnsQueryType: 'A', DnsQuery: 'x.y' },
      ['', '08:00:00.123', '', '', '', '', '', 'DNS A x.y'],
    ],
    [
      'HTTP response',
      { L7Protocol: 'HTTP', HttpStatusCode: 503 },
      ['', '08:00:00.123', '', '', '', '', '', 'HTTP 503'],
    ],
    [
      'HTTP/2 request',
      {
        L7Protocol: 'HTTP',
        HttpVersion: '2',
        Http2StreamId: 3,
        HttpMethod: 'GET',
        HttpHost: 'svc:8080',
        HttpPath: '/a',
      },
      ['', '08:00:00.123', '', '', '', '', '', 'HTTP/2 #3 GET svc:8080/a'],
    ],
    [
      'HTTP/2 response joined mid-connection',
      { L7Protocol: 'HTTP', HttpVersion: '2', Http2StreamId: 3, HttpStatusCode: 404, L7Partial: true },
      ['', '08:00:00.123', '', '', '', '', '', 'HTTP/2 #3 404 (partial)'],
    ],
    [
      'gRPC request',
      {
        L7Protocol: 'HTTP',
        HttpVersion: '2',
        Http2StreamId: 5,
        HttpMethod: 'POST',
        GrpcService: 'pkg.Svc',
        GrpcMethod: 'Get',
      },
      ['', '08:00:00.123', '', '', '', '', '', 'gRPC #5 pkg.Svc/Get'],
    ],
    [
      'gRPC response with an error status',
      {
        L7Protocol: 'HTTP',
        HttpVersion: '2',
        Http2StreamId: 5,
        HttpStatusCode: 200,
        GrpcService: 'pkg.Svc',
        GrpcMethod: 'Get',
        GrpcStatusCode: 5,
        GrpcMessage: 'not found',
      },
      ['', '08:00:00.123', '', '', '', '', '', 'gRPC #5 pkg.Svc/Get status 5 (not found)'],
    ],
    [
      'TLS ServerHello',
      { L7Protocol: 'TLS', TlsHandshake: 'ServerHello', Ja3s: 'abc' },
      ['', '08:00:00.123', '', '', '', '', '', 'TLS ServerHello  abc'],
    ],
    [
      'TCP segment with its analysis',
      { TcpFlags: 'PSH,ACK', TcpAnalysis: 'SpuriousRetransmission,WindowFull' },
      ['', '08:00:00.123', '', '', '', '', '', 'PSH,ACK [SpuriousRetransmission,WindowFull]'],
    ],
    [
      'TCP flow with its handshake and retransmissions',
      {
        CaptureLevel: 'FlowSummary' as const,
        FlowEndReason: 'fin' as const,
        FlowState: 'SF',
        PacketsFromSource: 6,
        PacketsFromDestination: 5,
        BytesFromSource: 400,
        BytesFromDestination: 300,
        TcpHandshakeRttNs: 20_500_000,
        TcpRetransmissionsFromSource: 1,
        TcpRetransmissionsFromDestination: 0,
      },
      [
        '',
        '08:00:00.123',
        '',
        '',
        '',
        '',
        '',
        'flow fin SF 6/5 packets 400/300 bytes handshake 20.500 ms retransmissions 1/0',
      ],
    ],
  ])('renders %s', (_name, fields, row) => {
    expect(tableRow({ ...base, ...fields })).toEqual(row);
  });

  it('pads every column but the last to its widest cell', () => {
    expect(formatTable([TABLE_HEADER, ['1', 't', 'a/b', 'P', 's', 'd', 'TCP', 'x']])).toBe(
      'FRAME  TIME  CONFIGURATION  POINT  SOURCE  DESTINATION  PROTO  SUMMARY\n' +
        '1      t     a/b            P      s       d            TCP    x\n',
    );
  });
});

describe('tracectl inspect on damaged gzip', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'inspect-gzip-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['truncated', (gz: Buffer) => gz.subarray(0, Math.floor(gz.length / 2))],
    [
      'with a bad checksum',
      (gz: Buffer) => Buffer.concat([gz.subarray(0, gz.length - 8), Buffer.alloc(8, 0xff)]),
    ],
  ])('%s: a clear message and exit 2, promptly', async (_label, damage) => {
    const path = join(dir, `${_label}.pcap.gz`);
    writeFileSync(
      path,
      damage(
        gzipSync(
          writePcap(
            { linkType: 1 },
            Array.from({ length: 300 }, (_, i) => ({
              timestampSec: i,
              timestampNsec: 0,
              data: Uint8Array.from({ length: 600 }, (_, j) => (i * 31 + j * 7) % 256),
            })),
          ),
        ),
      ),
    );
    const out = await inspect([path]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/gzip stream is damaged/);
  });
});
