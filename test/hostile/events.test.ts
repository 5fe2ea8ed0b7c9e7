/**
 * Hostile Event Hubs events through `ingestEvents`, each in an invocation with a good batch
 * beside it. What must hold whatever the intake does with them (dead-letter, reject, salvage):
 * no exception escapes, the invocation settles, and the good batch still produces its records.
 */
import { gzipSync } from 'node:zlib';
import { demoBatches, DEMO_CLUSTER } from '../../shared/local/demo/demoCluster';
import { IDENTITIES_SCHEMA, TRACE_BATCH_SCHEMA } from '../../shared/pipeline/traceEvent';
import { seededRandom, syntheticCapture } from '../support/hostileInputs';
import { ingestHarness, type HostileEvent } from './support/ingestHarness';

const SETTLE_MS = 10_000;
const GOOD_CAPTURE = demoBatches(Date.UTC(2026, 0, 1))[0]!.capture;
const traceProps = (extra: Record<string, unknown> = {}) => ({
  'trace-schema': TRACE_BATCH_SCHEMA,
  cluster: DEMO_CLUSTER,
  node: 'n1',
  ...extra,
});
const GOOD: HostileEvent = {
  body: gzipSync(GOOD_CAPTURE),
  properties: { ...traceProps(), 'content-encoding': 'gzip' },
};

/** A pcapng section header block whose total length claims ~4 GiB. */
function absurdPcapng(): Buffer {
  const block = Buffer.alloc(28);
  block.writeUInt32LE(0x0a0d0d0a, 0);
  block.writeUInt32LE(0xfffffff0, 4);
  block.writeUInt32LE(0x1a2b3c4d, 8);
  block.writeUInt16LE(1, 12);
  return block;
}

/** A valid pcapng header and interface, then a packet block whose captured length is absurd. */
function absurdPacketLength(): Buffer {
  const capture = Buffer.from(GOOD_CAPTURE);
  // Find the first Enhanced Packet Block (type 6) and make its captured length 0xFFFFFF00.
  for (let offset = 0; offset + 28 <= capture.length;) {
    const type = capture.readUInt32LE(offset);
    const length = capture.readUInt32LE(offset + 4);
    if (type === 6) {
      capture.writeUInt32LE(0xffffff00, offset + 20);
      return capture;
    }
    if (length < 12) break;
    offset += length;
  }
  throw new Error('no packet block in the demo capture');
}

const random = seededRandom(15);
const HOSTILE_EVENTS: readonly [string, HostileEvent][] = [
  [
    'random bytes',
    {
      body: Buffer.from(Array.from({ length: 4096 }, () => Math.floor(random() * 256))),
      properties: traceProps(),
    },
  ],
  [
    'random bytes claiming gzip',
    {
      body: Buffer.from([0x1f, 0x8b, ...Array.from({ length: 4096 }, () => Math.floor(random() * 256))]),
      properties: traceProps({ 'content-encoding': 'gzip' }),
    },
  ],
  [
    'truncated gzip',
    { body: gzipSync(GOOD_CAPTURE).subarray(0, 300), properties: traceProps({ 'content-encoding': 'gzip' }) },
  ],
  [
    'gzip bomb (80 MiB of zeros)',
    {
      body: gzipSync(Buffer.alloc(80 * 1024 * 1024), { level: 9 }),
      properties: traceProps({ 'content-encoding': 'gzip' }),
    },
  ],
  ['absurd pcapng block length', { body: absurdPcapng(), properties: traceProps() }],
  ['absurd captured length', { body: absurdPacketLength(), properties: traceProps() }],
  ['empty body', { body: Buffer.alloc(0), properties: traceProps() }],
  ['no properties', { body: GOOD_CAPTURE, properties: {} }],
  ['no cluster', { body: GOOD_CAPTURE, properties: { 'trace-schema': TRACE_BATCH_SCHEMA, node: 'n1' } }],
  [
    'no node',
    { body: GOOD_CAPTURE, properties: { 'trace-schema': TRACE_BATCH_SCHEMA, cluster: DEMO_CLUSTER } },
  ],
  ['unknown schema', { body: GOOD_CAPTURE, properties: traceProps({ 'trace-schema': 'retina.sh/evil/v9' }) }],
  ['unknown encoding', { body: GOOD_CAPTURE, properties: traceProps({ 'content-encoding': 'br' }) }],
  [
    'properties of the wrong type',
    { body: GOOD_CAPTURE, properties: { 'trace-schema': 42, cluster: { a: 1 }, node: ['x'] } },
  ],
  ['a 100 KB cluster name', { body: GOOD_CAPTURE, properties: traceProps({ cluster: 'c'.repeat(100_000) }) }],
  [
    'identities: 900 nested [',
    { body: Buffer.from('['.repeat(900)), properties: { 'trace-schema': IDENTITIES_SCHEMA } },
  ],
  [
    'identities: 100 000 nested [',
    {
      body: Buffer.from('['.repeat(100_000) + ']'.repeat(100_000)),
      properties: { 'trace-schema': IDENTITIES_SCHEMA },
    },
  ],
  ['identities: not JSON', { body: Buffer.from('{"a":'), properties: { 'trace-schema': IDENTITIES_SCHEMA } }],
  [
    'identities: wrong shape',
    { body: Buffer.from('{"endpoints":"x"}'), properties: { 'trace-schema': IDENTITIES_SCHEMA } },
  ],
  ['a plain text body', { body: 'hello', properties: traceProps() }],
  ['a JSON object body', { body: { a: 1 }, properties: traceProps() }],
  ['a synthetic capture of 2 000 packets', { body: syntheticCapture(2000, 3), properties: traceProps() }],
];

async function settles<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${what} did not settle within ${SETTLE_MS} ms`)),
          SETTLE_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe('hostile Event Hubs events', () => {
  it.each(HOSTILE_EVENTS)(
    '%s: settles, no exception, the good batch beside it still produces records',
    async (label, event) => {
      const harness = await ingestHarness();
      const alone = await ingestHarness();
      const expected = (await alone.run([GOOD])).records;
      expect(expected).toBeGreaterThan(0);
      const summary = await settles(harness.run([GOOD, event, GOOD]), label);
      expect(summary.events).toBe(3);
      expect(summary.records).toBeGreaterThanOrEqual(2 * expected);
    },
  );

  it.each<[string, unknown, Record<string, unknown> | undefined]>([
    ['null messages', null, undefined],
    ['a single non-array message', Buffer.from('x'), { propertiesArray: 'nope' }],
    [
      'an array of odd values',
      [null, undefined, 3, 'text', { body: 1 }],
      { propertiesArray: [null, 1, 'x'] },
    ],
    [
      'metadata of the wrong shapes',
      [GOOD_CAPTURE],
      { partitionContext: 7, enqueuedTimeUtcArray: ['not a date'], sequenceNumberArray: [{}] },
    ],
  ])('%s from the host: settles without an exception', async (label, messages, metadata) => {
    const harness = await ingestHarness();
    await expect(settles(harness.runRaw(messages, metadata), label)).resolves.toBeDefined();
  });
});
