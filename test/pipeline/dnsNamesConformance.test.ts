/**
 * DNS names on the public captures (../shared/captures/public): every capture through the pipeline
 * as `tracectl inspect` runs it (everything traced, layer 7 on). The expectation is computed from
 * the DNS response records themselves, independently of the name cache: an address that appears in
 * an A/AAAA answer of an earlier NOERROR response (to any client of the capture) may be named, and
 * only with the question's name of such a response. A record towards an address answered to the
 * same client before it (and less than the 1-minute floor ago) must be named.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createPartitionState } from '../../shared/pipeline/partitionState';
import { runBatch } from '../../shared/pipeline/runBatch';
import type { TraceRecord } from '../../shared/record/traceRecord';
import { EMPTY_IDENTITY_LOOKUP } from '../../shared/enrich/identityStore';
import { describeWithSharedData, hasSharedData, sharedPath } from '../support/sharedData';
import { permissiveMatcher, recordsOf } from './support/pipelineFixtures';

interface Answer {
  name: string;
  client: string;
  atNs: bigint;
}

const FLOOR_NS = 60_000_000_000n;

function captures(): string[] {
  if (!hasSharedData('captures/public')) return [];
  return readdirSync(sharedPath('captures', 'public')).sort();
}

/** Address ─► the responses that mapped it, from the DNS response records. */
function answersOf(records: readonly TraceRecord[]): Map<string, Answer[]> {
  const byAddress = new Map<string, Answer[]>();
  const seen = new Set<string>();
  for (const r of records) {
    if (r.L7Protocol !== 'DNS' || r.DnsIsResponse !== true || r.DnsResponseCode !== 'NOERROR') continue;
    if (r.SourcePort !== 53 || r.DnsQuery === undefined || r.DestinationIp === undefined) continue;
    // One packet is recorded once per configuration; count it once.
    const key = `${r.TimestampNs}/${r.DnsId}/${r.DestinationIp}`;
    if (seen.has(key)) continue;
    seen.add(key);
    for (const answer of r.DnsAnswers ?? []) {
      if (answer.type !== 'A' && answer.type !== 'AAAA') continue;
      const list = byAddress.get(answer.value) ?? [];
      list.push({ name: r.DnsQuery.toLowerCase(), client: r.DestinationIp, atNs: BigInt(r.TimestampNs) });
      byAddress.set(answer.value, list);
    }
  }
  return byAddress;
}

describeWithSharedData('captures/public', 'DNS names on the public captures', () => {
  const results = captures().map((file) => {
    const state = createPartitionState();
    const result = runBatch(
      { cluster: 'public', node: 'capture', capture: readFileSync(sharedPath('captures', 'public', file)) },
      { matcher: permissiveMatcher(), identities: EMPTY_IDENTITY_LOOKUP, state },
    );
    return { file, records: recordsOf(result), learned: result.counts.dnsNamesLearned };
  });

  it.each(results.map((r) => [r.file, r]))(
    '%s: names come only from earlier answers for the address, with the question name',
    (_file, { records }) => {
      const answers = answersOf(records);
      for (const record of records) {
        for (const [address, name, client] of [
          [record.DestinationIp, record.DestinationFqdn, record.SourceIp],
          [record.SourceIp, record.SourceFqdn, record.DestinationIp],
        ] as const) {
          if (address === undefined || client === undefined) continue;
          const at = BigInt(record.TimestampNs);
          const earlier = (answers.get(address) ?? []).filter((a) => a.atNs <= at);
          if (name !== undefined) {
            expect({
              record: record.RecordId,
              address,
              name,
              candidates: earlier.map((a) => a.name),
            }).toEqual(expect.objectContaining({ candidates: expect.arrayContaining([name]) }));
          }
          const fresh = earlier.filter((a) => a.client === client && at - a.atNs < FLOOR_NS);
          if (fresh.length > 0)
            expect({ record: record.RecordId, address, name }).toEqual(
              expect.objectContaining({ name: expect.any(String) }),
            );
        }
      }
    },
  );

  it('names some connections: a capture with a lookup then its connection gets the asked name', () => {
    const named = results.filter((r) => r.records.some((record) => record.DestinationFqdn !== undefined));
    const summary = results
      .filter((r) => r.learned > 0)
      .map(
        (r) =>
          `${r.file}: ${r.learned} learned, ${r.records.filter((x) => x.DestinationFqdn !== undefined).length} records named`,
      );
    process.stdout.write(`DNS names on the public captures:\n  ${summary.join('\n  ')}\n`);
    expect(results.some((r) => r.learned > 0)).toBe(true);
    expect(named.length).toBeGreaterThan(0);
  });

  it('agrees with the name the client then sent in TLS SNI or the HTTP Host header', () => {
    const both = results.flatMap((r) =>
      r.records.flatMap((record) => {
        const sent = record.TlsServerName ?? record.HttpHost?.replace(/:\d+$/, '');
        return record.DestinationFqdn !== undefined &&
          sent !== undefined &&
          record.HttpStatusCode === undefined
          ? [{ file: r.file, resolved: record.DestinationFqdn, sent: sent.toLowerCase() }]
          : [];
      }),
    );
    process.stdout.write(`DestinationFqdn beside SNI/Host: ${both.length} records\n`);
    expect(both.length).toBeGreaterThan(5);
    expect(both.filter((b) => b.resolved !== b.sent)).toEqual([]);
  });
});
