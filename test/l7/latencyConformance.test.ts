/**
 * `L7LatencyNs` against tshark 4.0's `http.time` and `dns.time` (../shared/captures/oracle-flows).
 * Skips with a message when ../shared is absent, like the other conformance tests.
 */
import { describeWithSharedData } from '../support/sharedData';
import { catchAll, oracleByFrame, publicCaptures, recordsOfCapture } from '../flow/support/flowOracle';
import { analyzeCapture } from './support/l7Oracle';
import { LATENCY_DIFFERENCES } from './latencyDifferences';

/** tshark's seconds (`0.000123000`) as exact nanoseconds. */
function secondsToNs(text: string): number {
  const [whole, fraction = ''] = text.split('.');
  return Number(whole) * 1e9 + Number(fraction.padEnd(9, '0').slice(0, 9));
}

interface Comparison {
  paired: number;
  agreed: number;
  disagreements: string[];
  extras: string[];
}

export function compareLatency(file: string): Comparison {
  const ours = new Map<number, number[]>();
  for (const message of analyzeCapture(file)) {
    const latency = message.fields.L7LatencyNs;
    // tshark has no TLS handshake time: ServerHello latency is checked by the unit tests.
    if (latency === undefined || message.fields.TlsHandshake !== undefined) continue;
    const list = ours.get(message.frame) ?? [];
    list.push(latency);
    ours.set(message.frame, list);
  }
  const result: Comparison = { paired: 0, agreed: 0, disagreements: [], extras: [] };
  for (const [frame, row] of oracleByFrame(file)) {
    const times = [row['http.time'] ?? '', row['dns.time'] ?? '']
      .flatMap((cell) => cell.split(','))
      .filter((cell) => cell !== '');
    const mine = [...(ours.get(frame) ?? [])];
    for (const time of times) {
      result.paired++;
      const expected = secondsToNs(time);
      const index = mine.findIndex((latency) => Math.abs(latency - expected) <= 1000);
      if (index >= 0) {
        result.agreed++;
        mine.splice(index, 1);
      } else
        result.disagreements.push(
          `frame ${frame}: tshark ${expected} ns, ours ${JSON.stringify(ours.get(frame) ?? [])}`,
        );
    }
    for (const latency of mine) result.extras.push(`frame ${frame}: ours ${latency} ns, tshark pairs none`);
  }
  return result;
}

function explained(file: string, line: string): boolean {
  const frame = Number(/^frame (\d+):/.exec(line)?.[1]);
  return LATENCY_DIFFERENCES.some((d) => d.file === file && (d.frames === 'all' || d.frames.includes(frame)));
}

describeWithSharedData('captures/oracle-flows', 'L7LatencyNs agrees with tshark http.time / dns.time', () => {
  const files = publicCaptures();
  const totals = { paired: 0, agreed: 0, extras: 0 };

  it.each(files)('%s: responses we time that tshark does not pair are explained', (file) => {
    const result = compareLatency(file);
    totals.paired += result.paired;
    totals.agreed += result.agreed;
    totals.extras += result.extras.length;
    expect(result.extras.filter((line) => !explained(file, line))).toEqual([]);
  });

  it('is within 1 µs of tshark on at least 99.5% of the responses tshark pairs', () => {
    // Printed so the figures can be quoted (docs/layer7.md, "Latency").
    console.log(
      `L7LatencyNs conformance: ${totals.agreed}/${totals.paired} within 1 µs; ${totals.extras} explained extras`,
    );
    expect(totals.paired).toBeGreaterThan(100);
    expect(totals.agreed / totals.paired).toBeGreaterThanOrEqual(0.995);
  });
});

describeWithSharedData('captures/public', 'L7Unanswered records from the pipeline', () => {
  it('reports the one request whose response head was lost, on its own packet, once', () => {
    const records = recordsOfCapture(
      'zeek_http_1000-requests-one-dropped-response.pcap',
      catchAll('AllPackets'),
    );
    const unanswered = records.filter((r) => r.L7Unanswered === true);
    expect(unanswered.map((r) => [r.CaptureFrame, r.HttpMethod, r.HttpPath])).toEqual([[4, 'GET', '/']]);
    expect(unanswered[0]!.RecordId).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(records.map((r) => r.RecordId)).size).toBe(records.length);
    const timed = records.filter((r) => r.L7LatencyNs !== undefined);
    expect(timed.length).toBe(999);
    expect(timed.every((r) => r.HttpMethod === 'GET' && r.HttpStatusCode === 200)).toBe(true);
  });

  it('reports DNS queries without a response when the capture ends, with their name', () => {
    const records = recordsOfCapture('zeek_dns-edns-ecs.pcap', catchAll('AllPackets'));
    const unanswered = records.filter((r) => r.L7Unanswered === true);
    expect(unanswered.length).toBeGreaterThan(0);
    for (const record of unanswered) {
      expect(record).toMatchObject({ L7Protocol: 'DNS', DnsIsResponse: false, DnsQuery: expect.any(String) });
    }
  });
});
