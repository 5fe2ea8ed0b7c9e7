/**
 * The invocation the issue reported (16 small gzip bombs took the process to 1.14 GiB): with the
 * default budgets it settles without an exception, every bomb is dead-lettered with its body and a
 * budget code, at most a budget's worth is ever inflated, and RSS stays far from the old figure.
 * Peak RSS figures belong to `npm run bench:memory`; the bound here is deliberately generous.
 */
import { gzipSync } from 'node:zlib';
import { demoBatches, DEMO_CLUSTER } from '../../shared/local/demo/demoCluster';
import { MAX_INFLATED_BYTES_PER_INVOCATION } from '../../shared/pipeline/ingestEvents';
import { MAX_INFLATED_BYTES, TRACE_BATCH_SCHEMA } from '../../shared/pipeline/traceEvent';
import { ingestHarness, type HostileEvent } from './support/ingestHarness';

const MIB = 1024 * 1024;
const MAX_RSS_GROWTH_BYTES = 512 * MIB;
/** 80 MiB of zeros: ~80 KB of gzip that inflates past the 64 MiB per-event budget. */
const BOMB = gzipSync(Buffer.alloc(80 * MIB), { level: 9 });
const bombEvent = (node: string): HostileEvent => ({
  body: BOMB,
  properties: { 'trace-schema': TRACE_BATCH_SCHEMA, cluster: 'c1', node, 'content-encoding': 'gzip' },
});

describe('an invocation of 16 gzip bombs', () => {
  it('dead-letters all 16 with a budget code and their bodies, inflating at most one budget, without throwing', async () => {
    expect(BOMB.length).toBeLessThan(128 * 1024);
    const harness = await ingestHarness();
    const before = process.memoryUsage.rss();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 1);
    const summary = await harness
      .run(Array.from({ length: 16 }, (_, i) => bombEvent(`node-${i}`)))
      .finally(() => clearInterval(sampler));
    peak = Math.max(peak, process.memoryUsage.rss());

    expect(summary).toMatchObject({
      events: 16,
      traceBatches: 0,
      rejectedEvents: 16,
      packets: 0,
      records: 0,
    });
    const entries = harness.deadLetters.map((batch) => batch.entries[0]!);
    expect(entries).toHaveLength(16);
    // Bombs are refused at the per-event bound until their inflation has spent the invocation's
    // budget; the rest are not inflated at all.
    const refusedAtBound = MAX_INFLATED_BYTES_PER_INVOCATION / MAX_INFLATED_BYTES;
    expect(entries.map((e) => e.code)).toEqual([
      ...Array<string>(refusedAtBound).fill('EVENT_INFLATED_TOO_LARGE'),
      ...Array<string>(16 - refusedAtBound).fill('INVOCATION_INFLATED_BUDGET_EXCEEDED'),
    ]);
    for (const entry of entries)
      if (entry.kind === 'event') expect(Buffer.from(entry.body, 'base64').equals(BOMB)).toBe(true);
    expect(summary.problems.join('\n')).toContain('decompression bomb');
    expect(peak - before).toBeLessThan(MAX_RSS_GROWTH_BYTES);
  });

  it('still processes a good batch that arrives before the bombs', async () => {
    const good = demoBatches(Date.UTC(2026, 0, 1))[0]!;
    const harness = await ingestHarness();
    const summary = await harness.run([
      {
        body: gzipSync(good.capture),
        properties: {
          'trace-schema': TRACE_BATCH_SCHEMA,
          cluster: DEMO_CLUSTER,
          node: good.node,
          'content-encoding': 'gzip',
        },
      },
      ...Array.from({ length: 16 }, (_, i) => bombEvent(`node-${i}`)),
    ]);
    expect(summary).toMatchObject({ traceBatches: 1, rejectedEvents: 16 });
    expect(summary.records).toBeGreaterThan(0);
  });
});
