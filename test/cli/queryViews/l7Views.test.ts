import { dnsLatencyView } from '../../../shared/cli/queryViews/dnsLatencyView';
import { dnsNamesView } from '../../../shared/cli/queryViews/dnsNamesView';
import { grpcErrorsView } from '../../../shared/cli/queryViews/grpcErrorsView';
import { httpLatencyView } from '../../../shared/cli/queryViews/httpLatencyView';
import type { TraceRecord } from '../../../shared/record/traceRecord';
import { record } from './records';

const checkout = { SourceNamespace: 'shop', SourceServiceName: 'checkout', SourceIp: '10.0.1.7' };

describe('grpc-errors (grpc-error-rate-by-method.kql)', () => {
  const reply = (ms: number, code: number | undefined, extra: Partial<TraceRecord> = {}): TraceRecord =>
    record(ms, {
      ...checkout,
      GrpcService: 'shop.Cart',
      GrpcMethod: 'Add',
      ...(code === undefined ? {} : { GrpcStatusCode: code }),
      ...extra,
    });
  it.each<[string, TraceRecord[], object[]]>([
    ['an empty window', [], []],
    [
      'requests (no status) and records without a service are skipped',
      [reply(0, undefined), reply(0, 2, { GrpcService: '' })],
      [],
    ],
    [
      'calls, errors, distinct error codes and the last error per method',
      [
        reply(0, 0),
        reply(1000, 14),
        reply(2000, 14),
        reply(3000, 5),
        reply(4000, 0),
        reply(5000, 0, { GrpcMethod: 'List' }),
      ],
      [
        {
          GrpcService: 'shop.Cart',
          GrpcMethod: 'Add',
          ServerNamespace: 'shop',
          Server: 'checkout',
          Calls: 5,
          Errors: 3,
          Codes: [14, 5],
          LastError: '2026-12-01T10:00:03.000Z',
          ErrorRatePercent: 60,
        },
        { GrpcMethod: 'List', Calls: 1, Errors: 0, Codes: [], LastError: null, ErrorRatePercent: 0 },
      ],
    ],
  ])('%s', (_name, records, expected) => {
    const rows = grpcErrorsView.aggregate(records);
    expect(rows).toHaveLength(expected.length);
    expected.forEach((row, index) => expect(rows[index]).toMatchObject(row));
  });
});

describe('http-latency (http-latency-percentiles.kql)', () => {
  const request = (ms: number, flowId: string, path = '/cart?id=1'): TraceRecord =>
    record(ms, {
      L7Protocol: 'HTTP',
      FlowId: flowId,
      HttpMethod: 'GET',
      HttpPath: path,
      SourceNamespace: 'shop',
      SourcePodName: 'frontend-1',
    });
  const response = (ms: number, flowId: string, status = 200): TraceRecord =>
    record(ms, { L7Protocol: 'HTTP', FlowId: flowId, HttpStatusCode: status, ...checkout });
  it.each<[string, TraceRecord[], object[]]>([
    ['an empty window', [], []],
    [
      'a request without a response, and a response without a request',
      [request(0, 'f1'), response(5, 'f2')],
      [],
    ],
    ['a response whose previous row is another flow is not paired', [request(0, 'a'), response(10, 'b')], []],
    [
      'a record with unreadable times is left out',
      [request(0, 'f1'), { ...response(10, 'f1'), TimestampNs: 'x', TimeGenerated: 'never' }],
      [],
    ],
    [
      'percentiles per service and path without query string; 5xx rate',
      [
        request(0, 'f1'),
        response(10, 'f1'),
        request(100, 'f1', '/cart'),
        response(130, 'f1', 503),
        request(0, 'f2', '/cart?x'),
        response(20, 'f2'),
        request(0, 'f3', '/health'),
        response(1, 'f3'),
      ],
      [
        {
          ServiceNamespace: 'shop',
          Service: 'checkout',
          Path: '/cart',
          Requests: 3,
          P50Ms: 20,
          P95Ms: 30,
          P99Ms: 30,
          ErrorRate: 33.33,
        },
        { Path: '/health', Requests: 1, P50Ms: 1 },
      ],
    ],
  ])('%s', (_name, records, expected) => {
    const rows = httpLatencyView.aggregate(records);
    expect(rows).toHaveLength(expected.length);
    expected.forEach((row, index) => expect(rows[index]).toMatchObject(row));
  });
});

describe('dns-latency (dns-latency.kql)', () => {
  const message = (
    ms: number,
    id: number,
    isResponse: boolean,
    extra: Partial<TraceRecord> = {},
  ): TraceRecord =>
    record(ms, {
      L7Protocol: 'DNS',
      FlowId: `f${id}`,
      DnsId: id,
      DnsQuery: 'db.shop.svc.cluster.local',
      DnsIsResponse: isResponse,
      SourceNamespace: isResponse ? 'kube-system' : 'shop',
      DestinationIp: isResponse ? '10.0.0.1' : '10.96.0.10',
      ...extra,
    });
  it.each<[string, TraceRecord[], object[]]>([
    ['an empty window', [], []],
    ['an unanswered query', [message(0, 1, false)], []],
    [
      'a response before its query (clock skew) is left out',
      [message(10, 1, false), message(5, 1, true)],
      [],
    ],
    [
      'messages without a DNS id are skipped',
      [message(0, 1, false, { DnsId: undefined }), message(3, 1, true, { DnsId: undefined })],
      [],
    ],
    [
      'lookups paired by flow and id, attributed to the querying namespace and resolver; first response wins',
      [
        message(0, 1, false),
        message(2, 1, true),
        message(9, 1, true),
        message(0, 2, false),
        message(8, 2, true),
        message(0, 3, false, { SourceNamespace: 'web' }),
        message(1, 3, true),
      ],
      [
        {
          ClientNamespace: 'shop',
          Resolver: '10.96.0.10',
          Lookups: 2,
          P50Ms: 2,
          P95Ms: 8,
          P99Ms: 8,
          MaxMs: 8,
        },
        { ClientNamespace: 'web', Lookups: 1, MaxMs: 1 },
      ],
    ],
  ])('%s', (_name, records, expected) => {
    const rows = dnsLatencyView.aggregate(records);
    expect(rows).toHaveLength(expected.length);
    expected.forEach((row, index) => expect(rows[index]).toMatchObject(row));
  });
});

describe('dns-names (dns-slowest-names.kql)', () => {
  const response = (
    ms: number,
    latencyMs: number | undefined,
    extra: Partial<TraceRecord> = {},
  ): TraceRecord =>
    record(ms, {
      L7Protocol: 'DNS',
      DnsQuery: 'db.shop.svc.cluster.local',
      DnsQueryType: 'A',
      DnsIsResponse: true,
      DnsResponseCode: 'NOERROR',
      ...(latencyMs === undefined ? {} : { L7LatencyNs: latencyMs * 1e6 }),
      ...extra,
    });
  const unanswered = (name: string): TraceRecord =>
    record(0, {
      L7Protocol: 'DNS',
      DnsQuery: name,
      DnsQueryType: 'A',
      DnsIsResponse: false,
      L7Unanswered: true,
    });

  it.each<[string, TraceRecord[], object[]]>([
    ['an empty window', [], []],
    ['a response without L7LatencyNs (its query was not seen) is left out', [response(0, undefined)], []],
    [
      'a query that was answered is not a row of its own',
      [record(0, { L7Protocol: 'DNS', DnsQuery: 'a', DnsIsResponse: false })],
      [],
    ],
    [
      'percentiles per name and type, failures by response code, slowest first',
      [
        response(0, 2),
        response(1, 4),
        response(2, 40, { DnsResponseCode: 'SERVFAIL' }),
        response(3, 1, { DnsQuery: 'fast.example', DnsResponseCode: 'NXDOMAIN' }),
        response(4, 3, { DnsQueryType: 'AAAA' }),
      ],
      [
        {
          DnsQuery: 'db.shop.svc.cluster.local',
          DnsQueryType: 'A',
          Lookups: 3,
          P50Ms: 4,
          P95Ms: 40,
          P99Ms: 40,
          Failed: 1,
          Unanswered: 0,
        },
        { DnsQuery: 'db.shop.svc.cluster.local', DnsQueryType: 'AAAA', Lookups: 1, P95Ms: 3 },
        { DnsQuery: 'fast.example', Lookups: 1, P95Ms: 1, Failed: 1 },
      ],
    ],
    [
      'a name only ever unanswered is listed with no latency, after the timed ones',
      [unanswered('gone.example'), unanswered('gone.example'), response(0, 5)],
      [
        { DnsQuery: 'db.shop.svc.cluster.local', Lookups: 1, P95Ms: 5, Unanswered: 0 },
        { DnsQuery: 'gone.example', Lookups: 0, P50Ms: null, P95Ms: null, Failed: 0, Unanswered: 2 },
      ],
    ],
  ])('%s', (_name, records, expected) => {
    const rows = dnsNamesView.aggregate(records);
    expect(rows).toHaveLength(expected.length);
    expected.forEach((row, index) => expect(rows[index]).toMatchObject(row));
  });
});
