/**
 * What packet retention (`retina.sh/retain-packets`) costs: pipeline throughput (`runBatch`, one
 * core) over the same trace batches with a catch-all configuration, retention off and on (the
 * retained pcapng rewritten, gzip-compressed and indexed; the upload is I/O and not timed here),
 * and the bytes stored per million retained packets (capture blob + index blob).
 * Input: the public captures in ../shared/captures/public (the demo cluster without them),
 * replicated with distinct flows and packed as agents pack them.
 *
 * Run: `npm run bench:retention` (writes bench/results/retention.json). `BENCH_PACKETS` sets the
 * packet count (default 200 000).
 */
import { compileConfigurations } from '../shared/match/configurationMatcher';
import { EMPTY_IDENTITY_LOOKUP } from '../shared/enrich/identityStore';
import { createPartitionState } from '../shared/pipeline/partitionState';
import { PERMISSIVE_CONFIGURATION_KEY, permissiveSpec } from '../shared/pipeline/permissiveConfiguration';
import { runBatch } from '../shared/pipeline/runBatch';
import { encodeRetentionIndex } from '../shared/retention/retentionIndex';
import { bestTimeMs, formatRate, writeBenchResult } from './support/benchReport';
import { distinctFlowCopies, packEvents, sourcePackets } from './support/benchInput';

const TARGET_PACKETS = Number(process.env.BENCH_PACKETS ?? 200_000);

function main(): void {
  const { packets: source, source: origin } = sourcePackets();
  const copies = Math.max(1, Math.ceil(TARGET_PACKETS / Math.max(1, source.length)));
  const events = packEvents(distinctFlowCopies(source, copies).slice(0, TARGET_PACKETS));
  const packets = events.reduce((n, e) => n + e.packets, 0);
  const inputBytes = events.reduce((n, e) => n + e.body.length, 0);

  const plain = compileConfigurations([{ key: PERMISSIVE_CONFIGURATION_KEY, spec: permissiveSpec() }]);
  const retaining = compileConfigurations([
    { key: PERMISSIVE_CONFIGURATION_KEY, spec: { ...permissiveSpec(), retainPacketsDays: 7 } },
  ]);

  let retained = 0;
  let captureBytes = 0;
  let rawBytes = 0;
  let indexBytes = 0;
  let blobs = 0;
  const pass = (retain: boolean) => () => {
    const state = createPartitionState();
    retained = captureBytes = rawBytes = indexBytes = blobs = 0;
    for (const event of events) {
      const result = runBatch(
        { cluster: 'bench', node: 'bench-node', capture: event.body },
        {
          matcher: retain ? retaining : plain,
          identities: EMPTY_IDENTITY_LOOKUP,
          state,
          retainPackets: retain,
        },
      );
      if (result.retained === undefined) continue;
      blobs += 1;
      retained += result.counts.retainedPackets;
      captureBytes += result.retained.body.length;
      rawBytes += result.retained.rawBytes;
      indexBytes += encodeRetentionIndex(result.retained.index).length;
    }
  };
  const offMs = bestTimeMs(pass(false), 3);
  const onMs = bestTimeMs(pass(true), 3);
  const offRate = packets / (offMs / 1000);
  const onRate = packets / (onMs / 1000);
  const perMillion = (bytes: number) => (retained === 0 ? 0 : (bytes / retained) * 1e6);
  const result = {
    input: origin,
    packets,
    batches: events.length,
    inputGzipBytes: inputBytes,
    retentionOff: { ms: Math.round(offMs), packetsPerSecond: Math.round(offRate) },
    retentionOn: { ms: Math.round(onMs), packetsPerSecond: Math.round(onRate) },
    costMicrosecondsPerRetainedPacket:
      retained === 0 ? 0 : Number((((onMs - offMs) * 1000) / retained).toFixed(2)),
    retainedPackets: retained,
    retainedBlobs: blobs,
    storedBytesPerMillionPackets: {
      captureGzip: Math.round(perMillion(captureBytes)),
      index: Math.round(perMillion(indexBytes)),
      total: Math.round(perMillion(captureBytes + indexBytes)),
      uncompressedPcapng: Math.round(perMillion(rawBytes)),
    },
  };
  const file = writeBenchResult('retention', result);
  const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MiB`;
  process.stdout.write(
    [
      `retention bench on ${packets} packets in ${events.length} batches (${origin})`,
      `  retention off: ${formatRate(offRate)} packets`,
      `  retention on:  ${formatRate(onRate)} packets (${result.costMicrosecondsPerRetainedPacket} µs per retained packet)`,
      `  stored per 1M packets: ${mib(result.storedBytesPerMillionPackets.total)} (capture ${mib(result.storedBytesPerMillionPackets.captureGzip)} gzip of ${mib(result.storedBytesPerMillionPackets.uncompressedPcapng)}, index ${mib(result.storedBytesPerMillionPackets.index)})`,
      `  written to ${file}`,
      '',
    ].join('\n'),
  );
}

main();
