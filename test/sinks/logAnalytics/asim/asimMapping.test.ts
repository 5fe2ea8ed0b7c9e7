import { asimRow } from '../../../../shared/sinks/logAnalytics/asim/encodeAsimRow';
import { encodeAsimRow } from '../../../../shared/sinks/logAnalytics/asim/encodeAsimRow';
import {
  dnsRcodeNumber,
  dnsTypeNumber,
  icmpTypeName,
} from '../../../../shared/sinks/logAnalytics/asim/asimCodes';
import { optionalNumber } from '../../../../shared/sinks/logAnalytics/asim/optionalFields';
import { TRUNCATION_MARKER } from '../../../../shared/sinks/truncate';
import type { TraceRecord } from '../../../../shared/record/traceRecord';
import { makeRecord } from '../../../support/traceRecords';
import { ASIM_CASES } from './asimRecords';

const byName = new Map(ASIM_CASES);
const row = (name: string) => asimRow(byName.get(name)!);

describe('ASIM mapping values', () => {
  it('a flow: per-direction counters, totals, duration in ms, Zeek state and history, start/end from the flow', () => {
    expect(row('an established flow (FlowSummary, SF)')).toMatchObject({
      EventType: 'Flow',
      EventSubType: 'End',
      EventResult: 'Success',
      EventOriginalResultDetails: 'SF',
      EventStartTime: '2025-11-25T10:00:00.000Z',
      EventEndTime: '2025-11-25T10:00:02.500Z',
      SrcPackets: 10,
      DstPackets: 8,
      NetworkPackets: 18,
      SrcBytes: 1200,
      DstBytes: 64000,
      NetworkBytes: 65200,
      NetworkDuration: 2500,
      NetworkConnectionHistory: 'ShADadFf',
      NetworkDirection: 'Inbound',
      SrcZone: 'frontend',
      DstZone: 'default',
      SrcHostname: 'web-3',
      DstHostname: 'api-0',
      Dvc: 'node-1',
      NetworkProtocol: 'TCP',
      NetworkProtocolVersion: 'IPv4',
    });
    expect(row('an established flow (FlowSummary, SF)').AdditionalFields).toMatchObject({
      FlowEndReason: 'fin',
      PayloadBytesFromSource: 600,
      FlowStartNs: '1764064800000000000',
      TraceConfiguration: 'default/web-trace',
      CaptureLevel: 'FlowSummary',
    });
  });

  it.each([
    ['REJ', 'Failure'],
    ['S0', 'Failure'],
    ['SH', 'Failure'],
    ['S1', 'Success'],
    ['RSTO', 'Success'],
    ['OTH', 'NA'],
  ])('flow state %s is EventResult %s', (state, result) => {
    expect(
      asimRow(makeRecord(1, { CaptureLevel: 'FlowSummary', L7Protocol: undefined, FlowState: state }))
        .EventResult,
    ).toBe(result);
  });

  it('a packet: one packet from the source, its TCP flags as booleans, no flow start', () => {
    const packet = row('a TCP packet (AllPackets)');
    expect(packet).toMatchObject({
      EventType: 'NetworkSession',
      EventResult: 'NA',
      SrcPackets: 1,
      DstPackets: 0,
      SrcBytes: 512,
      NetworkBytes: 512,
      TcpFlagsAck: true,
      TcpFlagsPsh: true,
      TcpFlagsSyn: false,
      NetworkConnectionHistory: 'PSH,ACK',
    });
    expect(packet.EventSubType).toBeUndefined();
    expect(packet.NetworkDuration).toBeUndefined();
    expect(packet.AdditionalFields).toMatchObject({ TcpSeq: 3000000001, TracePoint: 'NodeToPod' });
    expect(row('a SYN (FirstPacket)').EventSubType).toBe('Start');
  });

  it('ICMPv6: IANA protocol keyword and message type name', () => {
    expect(row('an ICMPv6 echo')).toMatchObject({
      NetworkProtocol: 'IPv6-ICMP',
      NetworkProtocolVersion: 'IPv6',
      NetworkIcmpType: 'Echo Request',
      NetworkIcmpCode: 0,
    });
  });

  it('TLS stays a network session, its details in AdditionalFields', () => {
    const tls = row('a TLS ClientHello');
    expect(tls.NetworkApplicationProtocol).toBe('TLS');
    expect(tls.AdditionalFields).toMatchObject({ TlsServerName: 'x.example', Ja4: 't13d' });
  });

  it('DNS: query and response, codes as numbers and names', () => {
    expect(row('a DNS query')).toMatchObject({
      EventType: 'Query',
      EventSubType: 'request',
      EventResult: 'NA',
      EventResultDetails: 'NA',
      DnsQuery: 'api.default.svc.cluster.local',
      DnsQueryType: 28,
      DnsQueryTypeName: 'AAAA',
      TransactionIdHex: '1a2b',
      Src: 'web-2',
    });
    expect(row('a DNS query').DnsResponseCode).toBeUndefined();
    expect(row('a DNS NXDOMAIN response with answers')).toMatchObject({
      EventSubType: 'response',
      EventResult: 'Failure',
      EventResultDetails: 'NXDOMAIN',
      DnsResponseCode: 3,
      DnsResponseName: '[{"type":"SOA","value":"ns.example","ttl":60}]',
    });
  });

  it('DNS: DnsNetworkDuration from L7LatencyNs when the record has it (timing work), absent otherwise', () => {
    const response = byName.get('a DNS NXDOMAIN response with answers')!;
    expect(asimRow(response).DnsNetworkDuration).toBeUndefined();
    const timed = { ...response, L7LatencyNs: '1500000' } as unknown as TraceRecord;
    expect(asimRow(timed).DnsNetworkDuration).toBe(2);
    // As the pipeline writes it: a number of nanoseconds.
    expect(asimRow({ ...response, L7LatencyNs: 1_500_000 }).DnsNetworkDuration).toBe(2);
    expect(
      asimRow({ ...response, L7LatencyNs: 'soon' } as unknown as TraceRecord).DnsNetworkDuration,
    ).toBeUndefined();
  });

  it('HTTP: request Url from the redacted path, response status in EventResultDetails', () => {
    expect(row('an HTTP request')).toMatchObject({
      EventType: 'HTTPsession',
      EventSchema: 'WebSession',
      EventResult: 'NA',
      Url: 'http://api.default.svc:8080/v1/items/9?q=1',
      HttpRequestMethod: 'GET',
      HttpUserAgent: 'curl/8.5.0',
      NetworkApplicationProtocol: 'HTTP',
    });
    expect(row('an HTTP 503 response')).toMatchObject({ EventResult: 'Failure', EventResultDetails: '503' });
    const redacted = asimRow(
      makeRecord(1, { HttpHost: undefined, HttpPath: '/login?token=REDACTED', DestinationPort: 8443 }),
    );
    expect(redacted.Url).toBe('http://10.244.1.17:8443/login?token=REDACTED');
  });

  it('gRPC (HTTP/2 columns read when present): failure on grpc-status, service in AdditionalFields', () => {
    const grpc = row('a gRPC response with the HTTP/2 columns (not yet in the record type)');
    expect(grpc).toMatchObject({
      EventResult: 'Failure',
      EventResultDetails: '200',
      EventOriginalResultDetails: 'grpc-status 14',
      NetworkApplicationProtocol: 'gRPC',
      NetworkDuration: 3,
    });
    expect(grpc.AdditionalFields).toMatchObject({
      GrpcService: 'shop.Cart',
      GrpcMethod: 'Add',
      Http2StreamId: 3,
    });
  });

  it.each<[string, Partial<TraceRecord>, Record<string, unknown>]>([
    [
      'an external destination: FQDN, domain, and the first label as host name',
      { DestinationPodName: undefined, DestinationFqdn: 'www.example.com', SourceFqdn: undefined },
      { DstFQDN: 'www.example.com', DstDomain: 'example.com', DstDomainType: 'FQDN', DstHostname: 'www' },
    ],
    [
      'a pod keeps its name as host name; a single label has no domain',
      { DestinationPodName: 'db-0', DestinationFqdn: 'db', SourceFqdn: 'svc.cluster' },
      {
        DstFQDN: 'db',
        DstDomain: undefined,
        DstDomainType: undefined,
        DstHostname: 'db-0',
        SrcFQDN: 'svc.cluster',
        SrcDomain: 'cluster',
      },
    ],
    ['no name, no FQDN columns', {}, { DstFQDN: undefined, SrcFQDN: undefined, DstDomain: undefined }],
  ])('DNS names: %s', (_name, columns, expected) => {
    const r = asimRow(makeRecord(1, { L7Protocol: undefined, ...columns }));
    for (const [column, value] of Object.entries(expected))
      expect([column, r[column]]).toEqual([column, value]);
    const additional = (r.AdditionalFields ?? {}) as Record<string, unknown>;
    expect(additional.DestinationFqdn).toBeUndefined();
  });

  it('workloads become ASIM applications where the table has them', () => {
    const r = asimRow(
      makeRecord(1, { SourceWorkload: 'web', DestinationServiceName: 'api', L7Protocol: undefined }),
    );
    expect(r).toMatchObject({
      SrcAppName: 'web',
      SrcAppId: 'frontend/web',
      SrcAppType: 'Service',
      DstAppName: 'api',
      DstAppId: 'default/api',
    });
  });

  it('cuts long strings, top level and inside AdditionalFields, with the marker', () => {
    const encoded = encodeAsimRow(
      makeRecord(1, { HttpPath: `/${'p'.repeat(40_000)}`, TlsServerName: 's'.repeat(40_000) }),
    );
    if (!encoded.ok) throw new Error(encoded.reason);
    const url = String(encoded.value.payload.Url);
    expect(url.length).toBe(32 * 1024);
    expect(url.endsWith(TRUNCATION_MARKER)).toBe(true);
    const extra = encoded.value.payload.AdditionalFields as Record<string, string>;
    expect(extra.TlsServerName?.endsWith(TRUNCATION_MARKER)).toBe(true);
  });
});

describe('ASIM codes', () => {
  it.each([
    ['A', 1],
    ['AAAA', 28],
    ['HTTPS', 65],
    ['TYPE65280', 65280],
    ['NOT-A-TYPE', undefined],
    ['', undefined],
  ])('DNS type %j → %p', (name, number) => expect(dnsTypeNumber(name)).toBe(number));

  it.each([
    ['NOERROR', 0],
    ['NXDOMAIN', 3],
    ['BADCOOKIE', 23],
    ['RCODE12', 12],
    ['nxdomain', undefined],
  ])('DNS rcode %j → %p', (name, number) => expect(dnsRcodeNumber(name)).toBe(number));

  it.each([
    [8, false, 'Echo'],
    [3, false, 'Destination Unreachable'],
    [135, true, 'Neighbor Solicitation'],
    [200, true, '200'],
  ])('ICMP type %i (v6 %p) → %s', (type, v6, name) => expect(icmpTypeName(type, v6)).toBe(name));

  it.each([
    [{ L7LatencyNs: 5 }, 5],
    [{ L7LatencyNs: '123' }, 123],
    [{ L7LatencyNs: Number.NaN }, undefined],
    [{ L7LatencyNs: '1e3' }, undefined],
    [{ L7LatencyNs: null }, undefined],
    [{}, undefined],
  ])('optional number %j → %p', (extra, value) => {
    expect(optionalNumber({ ...makeRecord(1), ...extra } as unknown as TraceRecord, 'L7LatencyNs')).toBe(
      value,
    );
  });
});
