import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandIo } from '../../shared/cli/command';
import { COMMANDS } from '../../shared/cli/commands';
import { runCli } from '../../shared/cli/run';
import { demoBatches, demoIdentities } from '../../shared/local/demo/demoCluster';

const ROOT = join(__dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'estimate-'));
const at = (name: string) => join(scratch, name);

async function estimate(args: string[], extra: Partial<CommandIo> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['estimate', ...args], COMMANDS, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: {},
    cwd: ROOT,
    ...extra,
  });
  return { code, stdout, stderr };
}

interface JsonLine {
  configuration: string;
  level: string;
  configured: boolean;
  destination: string;
  store: string;
  sample: { packets: number; records: number; bytes: number };
  projection: {
    recordsPerPacket: number;
    bytesPerRecord: number;
    gbPerDay: number;
    logCostPerDay?: Record<string, number>;
  };
}

beforeAll(() => {
  const demo = demoBatches(Date.UTC(2026, 3, 1, 8, 0, 0))[0]!;
  writeFileSync(at('node1.pcapng'), demo.capture);
  writeFileSync(at('ids.json'), JSON.stringify(demoIdentities('2026-04-01T07:59:00Z')));
  writeFileSync(at('not-a-capture.pcap'), 'hello');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('tracectl estimate', () => {
  it('runs the local samples at the three levels, per destination, priced from the pipeline output', async () => {
    const out = await estimate(
      [
        '-f',
        'samples/local',
        at('node1.pcapng'),
        '--identities',
        at('ids.json'),
        '--packets-per-second',
        '1000',
        '-o',
        'json',
      ],
      { env: { TRACES_SENTINEL__schema: 'asim' } },
    );
    expect(out).toMatchObject({ code: 0 });
    const doc = JSON.parse(out.stdout) as { packetsPerDay: number; pricesReadOn: string; lines: JsonLine[] };
    expect(doc.packetsPerDay).toBe(86_400_000);
    const shop = doc.lines.filter((l) => l.configuration === 'shop/shop-http');
    expect([...new Set(shop.map((l) => l.level))]).toEqual(['AllPackets', 'FirstPacket', 'FlowSummary']);
    const first = shop.find((l) => l.level === 'FirstPacket')!;
    expect(first).toMatchObject({
      configured: true,
      destination: 'azuretable/TRACES_AZURETABLE',
      store: 'entities',
    });
    // Same arithmetic as projectCost, from the sample the pipeline produced.
    expect(first.projection.recordsPerPacket).toBeCloseTo(first.sample.records / first.sample.packets, 12);
    const all = shop.find((l) => l.level === 'AllPackets')!;
    expect(all.sample.records).toBeGreaterThanOrEqual(first.sample.records);
    // ASIM connection: rows priced per ASIM table, DNS without Basic/Auxiliary.
    const sentinel = doc.lines.filter((l) => l.destination === 'loganalytics/TRACES_SENTINEL');
    expect(new Set(sentinel.map((l) => l.store))).toEqual(
      new Set(['ASimNetworkSessionLogs', 'ASimDnsActivityLogs', 'ASimWebSessionLogs']),
    );
    const dns = sentinel.find((l) => l.store === 'ASimDnsActivityLogs')!;
    expect(Object.keys(dns.projection.logCostPerDay ?? {})).toEqual(['Analytics']);
    const retina = doc.lines.find((l) => l.destination === 'loganalytics/TRACES_LOGANALYTICS')!;
    expect(retina.store).toBe('RetinaTraces_CL');
    expect(retina.projection.bytesPerRecord).toBeGreaterThan(100);
  });

  it('prints an aligned table by default, the configured level starred', async () => {
    const out = await estimate([
      '-f',
      'samples/local/shop-http-azuretable.yaml',
      at('node1.pcapng'),
      '--identities',
      at('ids.json'),
      '--duration',
      '1m',
    ]);
    expect(out.code).toBe(0);
    const lines = out.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^CONFIGURATION +LEVEL +DESTINATION +STORE +REC\/PKT +B\/REC +GB\/DAY +ANALYTICS\/DAY/,
    );
    expect(
      lines.some((l) => /^shop\/shop-http +FirstPacket \* +azuretable\/TRACES_AZURETABLE +entities/.test(l)),
    ).toBe(true);
    expect(out.stdout).toMatch(/Prices: USD list, pay-as-you-go, read \d{4}-\d{2}-\d{2}/);
  });

  it.each([
    ['no -f', [at('node1.pcapng')], 2, /give the configurations to estimate with -f/],
    ['no capture', ['-f', 'samples/local'], 2, /give exactly one CAPTURE file/],
    [
      'both rates',
      ['-f', 'samples/local', at('node1.pcapng'), '--packets-per-second', '1', '--duration', '1s'],
      2,
      /not both/,
    ],
    [
      'a bad rate',
      ['-f', 'samples/local', at('node1.pcapng'), '--packets-per-second', 'many'],
      2,
      /--packets-per-second must be a positive number/,
    ],
    [
      'a zero duration',
      ['-f', 'samples/local', at('node1.pcapng'), '--duration', '0'],
      2,
      /--duration must be more than 0/,
    ],
    ['a missing capture', ['-f', 'samples/local', at('nope.pcap'), '--duration', '1s'], 2, /nope\.pcap/],
    ['not a capture', ['-f', 'samples/local', at('not-a-capture.pcap'), '--duration', '1s'], 2, /estimate: /],
    [
      'an invalid configuration',
      ['-f', 'samples/invalid/five-mistakes.yaml', at('node1.pcapng'), '--duration', '1s'],
      2,
      /is Errored/,
    ],
  ])('%s is a clear error (exit %i)', async (_name, args, code, message) => {
    const out = await estimate(args);
    expect(out.code).toBe(code);
    expect(out.stderr + out.stdout).toMatch(message);
  });
});
