import type { TraceRecord } from '../../../../shared/record/traceRecord';
import { makeRecord } from '../../../support/traceRecords';

/**
 * Record `id` with sixteen 40,000-character string columns: each is cut to Table's 32K-character
 * limit, and the entity is still above Table's 1 MiB (ENTITY_TOO_LARGE).
 */
export function oversizedRecord(id: number): TraceRecord {
  const big = 'z'.repeat(40_000);
  return makeRecord(id, {
    HttpPath: big,
    HttpHost: big,
    HttpVersion: big,
    HttpUserAgent: big,
    HttpContentType: big,
    DnsQuery: big,
    DnsQueryType: big,
    DnsResponseCode: big,
    TlsVersion: big,
    TlsServerName: big,
    TlsCipherSuite: big,
    Ja3: big,
    Ja4: big,
    Ja3s: big,
    FlowId: big,
    TcpFlags: big,
  });
}
