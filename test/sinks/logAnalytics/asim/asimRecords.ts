/** Trace records covering every ASIM mapping path (one per row of the schema tests). */
import type { TraceRecord } from '../../../../shared/record/traceRecord';
import { makeRecord } from '../../../support/traceRecords';

const noHttp: Partial<TraceRecord> = {
  L7Protocol: undefined,
  HttpMethod: undefined,
  HttpPath: undefined,
  HttpHost: undefined,
  HttpVersion: undefined,
  HttpUserAgent: undefined,
};

/** Named records, each exercising a different table or branch. */
export const ASIM_CASES: ReadonlyArray<readonly [string, TraceRecord]> = [
  ['a TCP packet (AllPackets)', makeRecord(1, noHttp)],
  ['a SYN (FirstPacket)', makeRecord(2, { ...noHttp, CaptureLevel: 'FirstPacket', TcpFlags: 'SYN' })],
  [
    'an established flow (FlowSummary, SF)',
    makeRecord(3, {
      ...noHttp,
      CaptureLevel: 'FlowSummary',
      TcpFlags: undefined,
      FlowStart: '2025-11-25T10:00:00.000Z',
      FlowEnd: '2025-11-25T10:00:02.500Z',
      FlowStartNs: '1764064800000000000',
      FlowEndNs: '1764064802500000000',
      PacketsFromSource: 10,
      PacketsFromDestination: 8,
      BytesFromSource: 1200,
      BytesFromDestination: 64000,
      PayloadBytesFromSource: 600,
      PayloadBytesFromDestination: 63000,
      FlowEndReason: 'fin',
      FlowState: 'SF',
      TcpHistory: 'ShADadFf',
    }),
  ],
  [
    'a rejected flow (REJ)',
    makeRecord(4, {
      ...noHttp,
      CaptureLevel: 'FlowSummary',
      FlowStart: '2025-11-25T10:00:00.000Z',
      FlowEnd: '2025-11-25T10:00:00.001Z',
      FlowStartNs: '1764064800000000000',
      FlowEndNs: '1764064800001000000',
      PacketsFromSource: 1,
      PacketsFromDestination: 1,
      BytesFromSource: 74,
      BytesFromDestination: 54,
      FlowEndReason: 'rst',
      FlowState: 'REJ',
      TcpHistory: 'Sr',
    }),
  ],
  [
    'an ICMPv6 echo',
    makeRecord(5, {
      ...noHttp,
      Protocol: 'ICMPv6',
      IpVersion: 6,
      SourceIp: 'fd00::1',
      DestinationIp: 'fd00::2',
      SourcePort: undefined,
      DestinationPort: undefined,
      TcpFlags: undefined,
      IcmpType: 128,
      IcmpCode: 0,
    }),
  ],
  [
    'a TLS ClientHello',
    makeRecord(6, {
      ...noHttp,
      L7Protocol: 'TLS',
      TlsHandshake: 'ClientHello',
      TlsServerName: 'x.example',
      Ja4: 't13d',
    }),
  ],
  [
    'a DNS query',
    makeRecord(7, {
      ...noHttp,
      Protocol: 'UDP',
      TcpFlags: undefined,
      DestinationPort: 53,
      L7Protocol: 'DNS',
      DnsId: 0x1a2b,
      DnsIsResponse: false,
      DnsQuery: 'api.default.svc.cluster.local',
      DnsQueryType: 'AAAA',
    }),
  ],
  [
    'a DNS NXDOMAIN response with answers',
    makeRecord(8, {
      ...noHttp,
      Protocol: 'UDP',
      TcpFlags: undefined,
      SourcePort: 53,
      L7Protocol: 'DNS',
      DnsId: 7,
      DnsIsResponse: true,
      DnsQuery: 'nope.example',
      DnsQueryType: 'A',
      DnsResponseCode: 'NXDOMAIN',
      DnsAnswers: [{ type: 'SOA', value: 'ns.example', ttl: 60 }],
    }),
  ],
  ['an HTTP request', makeRecord(9)],
  [
    'an HTTP 503 response',
    makeRecord(10, {
      HttpMethod: undefined,
      HttpPath: undefined,
      HttpStatusCode: 503,
      HttpContentType: 'text/plain',
    }),
  ],
  [
    'a gRPC response with the HTTP/2 columns (not yet in the record type)',
    makeRecord(11, {
      HttpMethod: undefined,
      HttpPath: undefined,
      HttpStatusCode: 200,
      HttpVersion: 'HTTP/2',
      ...({
        GrpcService: 'shop.Cart',
        GrpcMethod: 'Add',
        GrpcStatusCode: 14,
        Http2StreamId: 3,
        L7LatencyNs: '2500000',
      } as object),
    }),
  ],
  ['a minimal record', { TimeGenerated: '2026-01-01T00:00:00Z', TimestampNs: '1', RecordId: 'x' }],
];
