/**
 * `tracectl inspect` NDJSON: the line builder and the frame ordering produce exactly what the
 * straightforward form (`JSON.stringify({ ...record, Destination })` over a stable frame sort of
 * every delivery's records) produced, on hostile values and on the records of generated and real
 * captures.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { readCapture } from '../../shared/capture/readCapture';
import { writePcap } from '../../shared/capture/pcapWriter';
import type { CommandIo } from '../../shared/cli/command';
import { COMMANDS } from '../../shared/cli/commands';
import { inFrameOrder, ndjsonBytes, ndjsonLine, ndjsonText } from '../../shared/cli/inspectOutput';
import { runCli } from '../../shared/cli/run';
import { stdoutWriter } from '../../shared/cli/stdoutWriter';
import { parseTraceConfigurations } from '../../shared/config/parseManifests';
import { EMPTY_IDENTITY_LOOKUP } from '../../shared/enrich/identityStore';
import { demoBatches } from '../../shared/local/demo/demoCluster';
import { compileConfigurations, type ConfigurationInput } from '../../shared/match/configurationMatcher';
import { createPartitionState } from '../../shared/pipeline/partitionState';
import { PERMISSIVE_CONFIGURATION_KEY, permissiveSpec } from '../../shared/pipeline/permissiveConfiguration';
import { PacketPipeline, type Delivery } from '../../shared/pipeline/runBatch';
import type { TraceRecord } from '../../shared/record/traceRecord';
import { describeWithSharedData, sharedPath } from '../support/sharedData';

/** The form inspect printed records in before the line builder: a copy per record. */
const straightforward = (record: TraceRecord, destination: string): string =>
  JSON.stringify({ ...record, Destination: destination });

/** The order inspect printed records in before: deliveries laid end to end, stable sort by frame. */
function straightforwardOrder(deliveries: Delivery[]): string[] {
  return deliveries
    .flatMap((d) =>
      d.records.map((r) => ({
        ...r,
        Destination: d.connection === '' ? d.destination : `${d.destination}/${d.connection}`,
      })),
    )
    .sort((a, b) => (a.CaptureFrame ?? 0) - (b.CaptureFrame ?? 0))
    .map((r) => JSON.stringify(r));
}

const base: TraceRecord = {
  TimeGenerated: '2026-01-01T00:00:00.000001Z',
  TimestampNs: '1767225600000001000',
  RecordId: '0123456789abcdef0123456789abcdef',
};

describe('ndjsonLine', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['a plain record', { ...base, SourcePort: 80, L7Partial: true }, 'stdout'],
    ['an empty record', {}, 'stdout'],
    [
      'quotes, backslashes and control characters',
      { ...base, HttpPath: '/a"b\\c\n\t\u0000\u001f\u007f' },
      'x',
    ],
    ['non-ASCII and emoji', { ...base, HttpHost: 'bücher.例え.テスト', HttpUserAgent: '😀 agent' }, 'stdout'],
    ['lone surrogates', { ...base, DnsQuery: '\ud800x\udfff', HttpPath: 'a\udc00' }, 'stdout'],
    ['U+2028 and U+2029', { ...base, HttpPath: '\u2028\u2029' }, 'stdout'],
    [
      'nested values',
      {
        ...base,
        SourceLabels: { app: 'web', 'k"8s': 'v\n' },
        DnsAnswers: [{ type: 'A', value: '10.0.0.1', ttl: 30 }],
        TlsAlpn: ['h2', 'http/1.1'],
      },
      'loganalytics/LA_MAIN',
    ],
    ['undefined values, last included', { ...base, HttpPath: undefined, Z: undefined }, 'stdout'],
    ['numbers JSON cannot hold', { ...base, A: Number.NaN, B: -0, C: Infinity, D: 1e21, E: 5e-7 }, 'stdout'],
    ['integer-like keys', { ...base, '7': 'seven', '01': 'x' }, 'stdout'],
    ['a record that has a Destination already', { ...base, Destination: 'old', After: 1 }, 'new'],
    ['a destination needing escapes', { ...base }, 'stdout/"quoted"\\'],
  ])('is JSON.stringify({ ...record, Destination }) for %s', (_name, record, destination) => {
    expect(ndjsonLine(record as unknown as TraceRecord, JSON.stringify(destination))).toBe(
      straightforward(record as unknown as TraceRecord, destination),
    );
  });

  it('is JSON.stringify({ ...record, Destination }) for arbitrary records', () => {
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    const value = fc.oneof(
      text,
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(undefined),
      fc.dictionary(text, text, { maxKeys: 3 }),
      fc.array(fc.record({ type: text, value: text, ttl: fc.nat() }), { maxLength: 2 }),
    );
    fc.assert(
      fc.property(fc.dictionary(text, value, { maxKeys: 12 }), text, (record, destination) => {
        expect(ndjsonLine(record as unknown as TraceRecord, JSON.stringify(destination))).toBe(
          straightforward(record as unknown as TraceRecord, destination),
        );
      }),
      { numRuns: 2000 },
    );
  });
});

describe('ndjsonBytes', () => {
  const text = fc.string({ unit: 'binary', maxLength: 40 });
  const value = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(undefined));
  const recordsWithDestinations = fc.array(
    fc.tuple(
      fc.oneof(
        fc.dictionary(text, value, { maxKeys: 8 }),
        fc.dictionary(text, value, { maxKeys: 8 }).map((r) => ({ ...r, Destination: 'own' })),
        fc.constant({}),
      ),
      fc.constantFrom('stdout', 'loganalytics/LA_\u00e9', 'x"y'),
    ),
    { maxLength: 30 },
  );

  it('is the lines of ndjsonLine, each with its newline, in chunks that end at a line end', () => {
    fc.assert(
      fc.property(recordsWithDestinations, fc.integer({ min: 1, max: 600 }), (pairs, chunkBytes) => {
        const records = pairs.map(([record]) => record as unknown as TraceRecord);
        const destinations = pairs.map(([, destination]) => destination);
        const chunks = ndjsonBytes({ records, destinations }, chunkBytes);
        const expected = records
          .map((record, i) => `${ndjsonLine(record, JSON.stringify(destinations[i]))}\n`)
          .join('');
        expect(Buffer.concat(chunks).toString('utf8')).toBe(expected);
        expect(Buffer.concat(chunks).equals(Buffer.from(expected, 'utf8'))).toBe(true);
        for (const chunk of chunks) {
          expect(chunk.length).toBeGreaterThan(0);
          expect(chunk[chunk.length - 1]).toBe(0x0a);
          // Every chunk is whole UTF-8 on its own: decoding it alone loses nothing.
          expect(Buffer.from(chunk.toString('utf8'), 'utf8').equals(chunk)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('fills chunks of the size asked, giving a larger record a chunk of its own', () => {
    const small = { ...base, HttpPath: 'a'.repeat(100) };
    const large = { ...base, HttpPath: '\u00e9'.repeat(5000) };
    const records = [small, small, large, small] as TraceRecord[];
    const chunks = ndjsonBytes({ records, destinations: records.map(() => 'stdout') }, 1024);
    const lines = chunks.map((chunk) => chunk.toString('utf8').split('\n').length - 1);
    expect(lines).toEqual([2, 1, 1]);
    expect(chunks[1]!.length).toBeGreaterThan(10_000);
  });

  it('gives no chunk when there is no record', () => {
    expect(ndjsonBytes({ records: [], destinations: [] })).toEqual([]);
    expect(ndjsonText({ records: [], destinations: [] })).toBe('');
  });
});

describe('inFrameOrder', () => {
  const delivery = (
    destination: 'stdout' | 'loganalytics',
    connection: string,
    frames: (number | undefined)[],
  ) => ({
    destination,
    connection,
    records: frames.map((frame, i) => ({ ...base, RecordId: `${destination}-${i}`, CaptureFrame: frame })),
  });

  it.each<[string, Delivery[]]>([
    ['no delivery', []],
    ['one empty delivery', [delivery('stdout', '', [])]],
    ['one delivery in frame order', [delivery('stdout', '', [1, 2, 2, 5])]],
    [
      'one delivery out of order (unanswered requests, flow records)',
      [delivery('stdout', '', [4, 2, undefined, 2, 1])],
    ],
    [
      'several deliveries with ties',
      [delivery('stdout', '', [1, 3, 3, 7]), delivery('loganalytics', 'LA', [undefined, 3, 2, 7])],
    ],
  ])('orders records as the stable sort of the deliveries laid end to end: %s', (_name, deliveries) => {
    expect(ndjsonText(inFrameOrder(deliveries))).toBe(
      straightforwardOrder(deliveries)
        .map((line) => `${line}\n`)
        .join(''),
    );
  });

  it('orders arbitrary deliveries as the stable sort did', () => {
    const frames = fc.array(fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }), {
      maxLength: 30,
    });
    fc.assert(
      fc.property(fc.array(frames, { maxLength: 4 }), (framesPerDelivery) => {
        const deliveries = framesPerDelivery.map((f, i) =>
          delivery(i % 2 ? 'loganalytics' : 'stdout', `C${i}`, f),
        );
        expect(ndjsonText(inFrameOrder(deliveries))).toBe(
          straightforwardOrder(deliveries)
            .map((line) => `${line}\n`)
            .join(''),
        );
      }),
      { numRuns: 500 },
    );
  });
});

const FLUSH_EVERY = 2048;

/** inspect's NDJSON as it was built before (readCapture, a copy per record, one string per flush). */
function straightforwardInspect(
  bytes: Uint8Array,
  node: string,
  configurations: ConfigurationInput[],
): string {
  const pipeline = new PacketPipeline(
    { cluster: 'inspect', node },
    {
      matcher: compileConfigurations(configurations),
      identities: EMPTY_IDENTITY_LOOKUP,
      state: createPartitionState({ flowSummary: {} }),
      includeCaptureFrame: true,
      maxProblems: 1000,
    },
  );
  let out = '';
  const print = (deliveries: Delivery[]): void => {
    const lines = straightforwardOrder(deliveries);
    if (lines.length > 0) out += `${lines.join('\n')}\n`;
  };
  for (const packet of readCapture(bytes).packets) {
    pipeline.process(packet);
    if (pipeline.counts.packets % FLUSH_EVERY === 0) print(pipeline.takeDeliveries());
  }
  pipeline.flushFlows();
  print(pipeline.takeDeliveries());
  return out;
}

/** Runs `tracectl inspect` in-process with a backpressured stdout; resolves to what it wrote. */
async function inspectOutput(
  args: string[],
  withWriteStdout = true,
): Promise<{ code: number; stdout: string }> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  const writer = stdoutWriter(sink);
  let direct = '';
  const io: CommandIo = {
    stdout: (text) => (withWriteStdout ? writer.write(text) : (direct += text)),
    stderr: () => undefined,
    env: {},
    cwd: process.cwd(),
    ...(withWriteStdout ? { writeStdout: (chunk: string | Uint8Array) => writer.writeChunk(chunk) } : {}),
  };
  const code = await runCli(['inspect', ...args], COMMANDS, io);
  sink.end();
  return { code, stdout: withWriteStdout ? Buffer.concat(chunks).toString('utf8') : direct };
}

/** Several configurations, destinations and capture levels at once (records interleave per frame). */
const MIXED = `apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata: {name: everything, namespace: a}
spec:
  traceConfigurations:
    - {captureLevel: AllPackets, includeLayer7Data: true, to: [{ipBlock: {cidr: 0.0.0.0/0}}]}
  outputConfiguration: {destination: stdout}
---
apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata: {name: dns, namespace: b}
spec:
  traceConfigurations:
    - {captureLevel: FirstPacket, includeLayer7Data: true, ports: [{port: "53", protocol: UDP}]}
  outputConfiguration: {destination: loganalytics}
---
apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata: {name: flows, namespace: d}
spec:
  traceConfigurations:
    - {captureLevel: FlowSummary, includeLayer7Data: true, to: [{ipBlock: {cidr: 0.0.0.0/0}}]}
  outputConfiguration: {destination: azuretable}
`;

function mixedConfigurations(): ConfigurationInput[] {
  const parsed = parseTraceConfigurations(MIXED, { fileName: 'mixed.yaml' });
  expect(parsed.map((result) => result.errors)).toEqual([[], [], []]);
  return parsed.map((result) => ({ key: `${result.namespace}/${result.name}`, spec: result.spec! }));
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'tracectl-ndjson-'));
  writeFileSync(path.join(scratch, 'mixed.yaml'), MIXED);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function expectSameAsBefore(file: string, bytes: Uint8Array): Promise<void> {
  const node = path.basename(file);
  const catchAll = [{ key: PERMISSIVE_CONFIGURATION_KEY, spec: permissiveSpec() }];
  const expected = straightforwardInspect(bytes, node, catchAll);
  expect(await inspectOutput([file])).toEqual({ code: 0, stdout: expected });
  expect(await inspectOutput([file, '-f', path.join(scratch, 'mixed.yaml')])).toEqual({
    code: 0,
    stdout: straightforwardInspect(bytes, node, mixedConfigurations()),
  });
}

describe('tracectl inspect output is what it was', () => {
  it.each(
    demoBatches(Date.UTC(2026, 3, 1, 8, 0, 0)).map((batch, i) => [`demo batch ${i}`, batch.capture] as const),
  )('on the generated %s', async (name, capture) => {
    const file = path.join(scratch, `${name.replace(/ /g, '-')}.pcapng`);
    writeFileSync(file, capture);
    await expectSameAsBefore(file, capture);
  });

  it('over several flushes, without writeStdout too', async () => {
    // Every demo batch end to end, repeated: more than FLUSH_EVERY packets, so several chunks.
    const packets = demoBatches(Date.UTC(2026, 3, 1, 8, 0, 0)).flatMap(
      (batch) => readCapture(batch.capture).packets,
    );
    const many = Array.from({ length: Math.ceil((FLUSH_EVERY * 2.5) / packets.length) }, (_, copy) =>
      packets.map((p) => ({ ...p, timestampSec: p.timestampSec + copy * 3600 })),
    ).flat();
    const bytes = writePcap({ linkType: 1 }, many);
    const file = path.join(scratch, 'many.pcap');
    writeFileSync(file, bytes);
    expect(many.length).toBeGreaterThan(FLUSH_EVERY * 2);
    const expected = straightforwardInspect(bytes, 'many.pcap', [
      { key: PERMISSIVE_CONFIGURATION_KEY, spec: permissiveSpec() },
    ]);
    expect(await inspectOutput([file], false)).toEqual({ code: 0, stdout: expected });
    expect(await inspectOutput([file])).toEqual({ code: 0, stdout: expected });
  });
});

describeWithSharedData(
  'captures/public',
  'tracectl inspect output is what it was on the public captures',
  () => {
    const directory = sharedPath('captures', 'public');
    const files = (() => {
      try {
        return readdirSync(directory).filter((f) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(f));
      } catch {
        return [];
      }
    })();
    it.each(files)('%s', async (file) => {
      await expectSameAsBefore(path.join(directory, file), readFileSync(path.join(directory, file)));
    });
  },
);
