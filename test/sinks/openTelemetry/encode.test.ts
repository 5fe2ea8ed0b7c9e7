import fc from 'fast-check';
import {
  encodeOtlpLogRecord,
  int64Text,
  logAttributes,
  OTLP_MAX_STRING_CHARS,
  resourceAttributes,
  summary,
  type OtlpLogRecord,
} from '../../../shared/sinks/openTelemetry/encode';
import {
  exportRequest,
  otlpLogsUrl,
  rejectedCount,
} from '../../../shared/sinks/openTelemetry/openTelemetrySink';
import type { TraceRecord } from '../../../shared/record/traceRecord';
import { makeRecord } from '../../support/traceRecords';

const attrs = (record: TraceRecord) => Object.fromEntries(logAttributes(record).map((a) => [a.key, a.value]));

/** A record with TCP analysis and every per-flow TCP health column. */
const TCP_HEALTH_RECORD = makeRecord(12, {
  TcpAnalysis: 'Retransmission,ZeroWindow',
  TcpHandshakeRttNs: 20_000_000,
  TcpAckRttMedianNsFromSource: 1_000,
  TcpAckRttMedianNsFromDestination: 2_000,
  TcpRetransmissionsFromSource: 3,
  TcpRetransmissionsFromDestination: 4,
  TcpZeroWindowsFromSource: 5,
  TcpZeroWindowsFromDestination: 6,
  TcpDuplicateAcksFromSource: 7,
  TcpDuplicateAcksFromDestination: 8,
  TcpOutOfOrderFromSource: 9,
  TcpOutOfOrderFromDestination: 10,
});

describe('OTLP encoding', () => {
  it('names gRPC attributes by the RPC semantic conventions, and HTTP/2 as protocol version 2', () => {
    const a = attrs(
      makeRecord(6, {
        HttpVersion: '2',
        Http2StreamId: 3,
        GrpcService: 'pkg.Svc',
        GrpcMethod: 'Get',
        GrpcStatusCode: 5,
        L7Partial: true,
      }),
    );
    expect(a).toMatchObject({
      'network.protocol.version': { stringValue: '2' },
      'retina.http2.stream_id': { intValue: '3' },
      'rpc.system': { stringValue: 'grpc' },
      'rpc.service': { stringValue: 'pkg.Svc' },
      'rpc.method': { stringValue: 'Get' },
      'rpc.grpc.status_code': { intValue: '5' },
      'retina.l7.partial': { boolValue: true },
    });
  });

  it('writes TCP analysis and per-flow TCP health as retina.tcp / retina.flow.<side>.tcp attributes', () => {
    const a = attrs(TCP_HEALTH_RECORD);
    expect(a).toMatchObject({
      'retina.tcp.analysis': { stringValue: 'Retransmission,ZeroWindow' },
      'retina.tcp.handshake_rtt_ns': { intValue: '20000000' },
      'retina.flow.source.tcp.ack_rtt_median_ns': { intValue: '1000' },
      'retina.flow.destination.tcp.ack_rtt_median_ns': { intValue: '2000' },
      'retina.flow.source.tcp.retransmissions': { intValue: '3' },
      'retina.flow.destination.tcp.retransmissions': { intValue: '4' },
      'retina.flow.source.tcp.zero_windows': { intValue: '5' },
      'retina.flow.destination.tcp.zero_windows': { intValue: '6' },
      'retina.flow.source.tcp.duplicate_acks': { intValue: '7' },
      'retina.flow.destination.tcp.duplicate_acks': { intValue: '8' },
      'retina.flow.source.tcp.out_of_order': { intValue: '9' },
      'retina.flow.destination.tcp.out_of_order': { intValue: '10' },
    });
  });

  it('names attributes by OpenTelemetry semantic conventions', () => {
    const a = attrs(
      makeRecord(5, {
        HttpStatusCode: 200,
        TlsServerName: 'api.example',
        Ja3: 'abc',
        Ja4: 't13d',
        DnsQuery: 'example.com',
      }),
    );
    expect(a).toMatchObject({
      'log.record.uid': { stringValue: 'rec00000005' },
      'source.address': { stringValue: '10.0.5.1' },
      'source.port': { intValue: '40005' },
      'destination.address': { stringValue: '10.244.1.17' },
      'destination.port': { intValue: '8080' },
      'network.transport': { stringValue: 'tcp' },
      'network.type': { stringValue: 'ipv4' },
      'http.request.method': { stringValue: 'GET' },
      'url.path': { stringValue: '/v1/items/5' },
      'url.query': { stringValue: 'q=1' },
      'server.address': { stringValue: 'api.default.svc' },
      'server.port': { intValue: '8080' },
      'network.protocol.version': { stringValue: '1.1' },
      'user_agent.original': { stringValue: 'curl/8.5.0' },
      'http.response.status_code': { intValue: '200' },
      'dns.question.name': { stringValue: 'example.com' },
      'tls.server.name': { stringValue: 'api.example' },
      'tls.client.ja3': { stringValue: 'abc' },
      'tls.client.ja4': { stringValue: 't13d' },
      'retina.destination.labels': {
        kvlistValue: {
          values: [
            { key: 'app', value: { stringValue: 'api' } },
            { key: 'tier', value: { stringValue: 'backend' } },
          ],
        },
      },
    });
    expect(a['k8s.cluster.name']).toBeUndefined();
  });

  it.each([
    ['[::1]:443', '::1', '443'],
    ['example.com', 'example.com', undefined],
    ['[2001:db8::1]', '2001:db8::1', undefined],
  ])('splits HttpHost %j into server.address/port', (host, address, port) => {
    const a = attrs(makeRecord(1, { HttpHost: host }));
    expect(a['server.address']).toEqual({ stringValue: address });
    expect(a['server.port']).toEqual(port === undefined ? undefined : { intValue: port });
  });

  it.each([
    ['TLS1.3', 'tls', '1.3'],
    ['TLS1.2', 'tls', '1.2'],
  ])('maps TlsVersion %s to tls.protocol.name/version', (version, name, v) => {
    const a = attrs(makeRecord(1, { TlsVersion: version }));
    expect([a['tls.protocol.name'], a['tls.protocol.version']]).toEqual([
      { stringValue: name },
      { stringValue: v },
    ]);
  });

  it('maps the resolved DNS names to retina.source.fqdn / retina.destination.fqdn', () => {
    const a = attrs(makeRecord(1, { SourceFqdn: 'a.example', DestinationFqdn: 'b.example' }));
    expect([a['retina.source.fqdn'], a['retina.destination.fqdn']]).toEqual([
      { stringValue: 'a.example' },
      { stringValue: 'b.example' },
    ]);
    expect(attrs(makeRecord(1))['retina.destination.fqdn']).toBeUndefined();
  });

  it('puts cluster, node and service on the resource', () => {
    expect(resourceAttributes(makeRecord(1))).toEqual([
      { key: 'service.name', value: { stringValue: 'retina-trace-backend' } },
      { key: 'k8s.cluster.name', value: { stringValue: 'aks-test' } },
      { key: 'k8s.node.name', value: { stringValue: 'node-1' } },
    ]);
  });

  it.each([
    ['timestamp from TimestampNs', makeRecord(1), true],
    ['bad TimestampNs', makeRecord(1, { TimestampNs: '12.5' }), false],
    ['empty TimestampNs', makeRecord(1, { TimestampNs: '' }), false],
  ])('%s', (_name, record, ok) => {
    const result = encodeOtlpLogRecord(record);
    expect(result.ok).toBe(ok);
    if (result.ok)
      expect((JSON.parse(result.value.payload) as OtlpLogRecord).timeUnixNano).toBe(record.TimestampNs);
  });

  const expectedLogRecord = (record: TraceRecord): OtlpLogRecord => ({
    timeUnixNano: record.TimestampNs,
    severityNumber: 9,
    severityText: 'INFO',
    body: { stringValue: summary(record) },
    attributes: logAttributes(record),
  });
  const decoded = (record: TraceRecord): unknown => {
    const result = encodeOtlpLogRecord(record);
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.bytes).toBe(Buffer.byteLength(result.value.payload) + 1);
    return JSON.parse(result.value.payload);
  };

  it.each([
    ['an L3/L4 + HTTP record', makeRecord(7)],
    [
      'every kind of attribute',
      makeRecord(8, {
        DnsIsResponse: false,
        DnsId: 4660,
        DnsQuery: 'example.com',
        DnsQueryType: 'A',
        DnsResponseCode: 'NOERROR',
        DnsAnswers: [
          { type: 'A', value: '93.184.216.34', ttl: 300 },
          { type: 'CNAME', value: 'e.example', ttl: 60 },
        ],
        TlsHandshake: 'ClientHello',
        TlsVersion: 'TLS1.3',
        TlsServerName: 'api.example',
        TlsAlpn: ['h2', 'http/1.1'],
        TlsCipherSuite: 'TLS_AES_128_GCM_SHA256',
        Ja3: 'j3',
        Ja3s: 'j3s',
        Ja4: 'j4',
        CaptureFrame: 12,
        SourceLabels: { 'app.kubernetes.io/name': 'web', quote: 'a"b\\c' },
      }),
    ],
    [
      'escapes, control characters and non-BMP text',
      makeRecord(9, { HttpUserAgent: 'x"\\\n\u0001\u2028é😀', HttpPath: '/ü?q="1"' }),
    ],
    [
      'HTTP/2, gRPC and robustness columns',
      makeRecord(11, {
        HttpVersion: '2',
        Http2StreamId: 7,
        GrpcService: 'pkg.Greeter',
        GrpcMethod: 'SayHello',
        GrpcStatusCode: 13,
        GrpcMessage: 'boom',
        GrpcMessageCount: 3,
        L7Partial: true,
        DnsParseError: 'pointer loop',
        IpFragmentOverlap: true,
        IpFragmentIrregular: false,
      }),
    ],
    ['TCP analysis and health columns', TCP_HEALTH_RECORD],
    [
      'a value beyond the string limit',
      makeRecord(10, { HttpUserAgent: 'a'.repeat(OTLP_MAX_STRING_CHARS + 10) }),
    ],
  ])('writes the JSON of exactly the OTLP objects: %s', (_name, record) => {
    expect(decoded(record)).toEqual(expectedLogRecord(record));
  });

  it('writes the JSON of exactly the OTLP objects for arbitrary text values', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.string({ unit: 'grapheme' }),
        fc.dictionary(fc.string(), fc.string()),
        (text, host, labels) => {
          const record = makeRecord(11, {
            HttpUserAgent: text,
            HttpHost: host,
            HttpPath: `/${text}`,
            DestinationLabels: labels,
            DnsQuery: text,
          });
          expect(decoded(record)).toEqual(expectedLogRecord(record));
        },
      ),
    );
  });

  it.each<[number, string]>([
    [0, '0'],
    [-1.9, '-1'],
    [2 ** 53 - 1, '9007199254740991'],
    [2 ** 60, '1152921504606846976'],
    [2 ** 63, '-9223372036854775808'],
    [1e30, BigInt.asIntN(64, BigInt(1e30)).toString()],
    [Number.NaN, '0'],
    [-Infinity, '0'],
  ])('writes int64 %p as %s (exact beyond 2^53, wrapped to 64 bits, 0 when not finite)', (value, text) => {
    expect(int64Text(value)).toBe(text);
    expect(attrs(makeRecord(1, { PacketBytes: value }))['retina.packet.bytes']).toEqual({ intValue: text });
    const encoded = encodeOtlpLogRecord(makeRecord(1, { PacketBytes: value }));
    expect(encoded.ok && encoded.value.payload).toContain(
      `{"key":"retina.packet.bytes","value":{"intValue":"${text}"}}`,
    );
  });

  it('summarises a record in the body', () => {
    expect(summary(makeRecord(2, { HttpStatusCode: 404 }))).toBe(
      'TCP 10.0.2.1:40002 -> 10.244.1.17:8080 PSH,ACK GET /v1/items/2?q=1 404',
    );
  });

  it('builds one resource per request and reads partial success', () => {
    const encoded = [makeRecord(1), makeRecord(3)]
      .map(encodeOtlpLogRecord)
      .flatMap((r) => (r.ok ? [r.value] : []));
    const request = JSON.parse(exportRequest(encoded)) as {
      resourceLogs: Array<{ scopeLogs: Array<{ logRecords: unknown[] }> }>;
    };
    expect(request.resourceLogs).toHaveLength(1);
    expect(request.resourceLogs[0]?.scopeLogs[0]?.logRecords).toHaveLength(2);
    expect(JSON.parse(exportRequest([]))).toEqual({
      resourceLogs: [
        { resource: { attributes: [] }, scopeLogs: [{ scope: expect.anything(), logRecords: [] }] },
      ],
    });
  });

  it.each([
    ['{}', 0],
    ['', 0],
    ['{"partialSuccess":{"rejectedLogRecords":"3","errorMessage":"x"}}', 3],
    ['not json', 0],
  ])('rejectedCount(%j) = %i', (text, expected) => {
    expect(rejectedCount(text)).toBe(expected);
  });

  it.each([
    ['http://c:4318', 'http://c:4318/v1/logs'],
    ['http://c:4318/', 'http://c:4318/v1/logs'],
    ['https://c/otlp/v1/logs', 'https://c/otlp/v1/logs'],
  ])('otlpLogsUrl(%s)', (endpoint, expected) => {
    expect(otlpLogsUrl(endpoint)).toBe(expected);
  });
});
