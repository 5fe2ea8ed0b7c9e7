import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePcap } from '../../shared/capture/pcapWriter';
import { COMMANDS } from '../../shared/cli/commands';
import { parseDurationOption } from '../../shared/cli/durationOption';
import type { InspectedRecord } from '../../shared/cli/inspectOutput';
import { runCli } from '../../shared/cli/run';
import { craftFrame, type CraftSpec } from '../../shared/packet/craftFrame';

const ROOT = join(__dirname, '..', '..');
const F = { FIN: 0x01, SYN: 0x02, ACK: 0x10, PSH: 0x08 };

async function inspect(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['inspect', ...args], COMMANDS, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: {},
    cwd: ROOT,
  });
  return { code, stdout, stderr };
}

const ndjson = (text: string): InspectedRecord[] =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as InspectedRecord);

/** One HTTP-ish TCP connection over 150 s (a packet every 10 s), then a DNS exchange. */
function capture(): Uint8Array {
  const tcp = (fromClient: boolean, flags: number, payload = ''): CraftSpec => ({
    source: fromClient ? '192.168.1.5' : '192.168.1.80',
    destination: fromClient ? '192.168.1.80' : '192.168.1.5',
    transport: {
      protocol: 'tcp',
      sourcePort: fromClient ? 50500 : 80,
      destinationPort: fromClient ? 80 : 50500,
      flags,
    },
    payload,
  });
  const frames: [number, CraftSpec][] = [
    [0, tcp(true, F.SYN)],
    [0.01, tcp(false, F.SYN | F.ACK)],
    [0.02, tcp(true, F.ACK)],
  ];
  for (let t = 10; t <= 140; t += 10) frames.push([t, tcp(t % 20 === 0, F.PSH | F.ACK, 'x'.repeat(100))]);
  frames.push(
    [150, tcp(true, F.FIN | F.ACK)],
    [150.01, tcp(false, F.FIN | F.ACK)],
    [150.02, tcp(true, F.ACK)],
  );
  frames.push([
    151,
    {
      source: '192.168.1.5',
      destination: '192.168.1.53',
      transport: { protocol: 'udp', sourcePort: 40000, destinationPort: 53 },
      payload: 'q',
    },
  ]);
  return writePcap(
    { linkType: 1, nanosecond: true },
    frames.map(([t, spec]) => ({
      timestampSec: 1_700_000_000 + Math.floor(t),
      timestampNsec: Math.round((t % 1) * 1e9),
      data: craftFrame(spec),
    })),
  );
}

describe('tracectl inspect --capture-level FlowSummary', () => {
  let scratch: string;
  let file: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'tracectl-flows-'));
    file = join(scratch, 'flows.pcap');
    writeFileSync(file, capture());
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('prints one record per flow with --flow-interval 0, flushing open flows at the end', async () => {
    const out = await inspect([
      file,
      '--capture-level',
      'FlowSummary',
      '--flow-interval',
      '0',
      '--flow-idle',
      '0',
    ]);
    expect(out.code).toBe(0);
    const flows = ndjson(out.stdout).filter((r) => r.FlowEndReason !== undefined);
    expect(
      flows.map((r) => [
        r.Protocol,
        r.SourcePort,
        r.DestinationPort,
        r.FlowEndReason,
        r.FlowState ?? '',
        r.PacketsFromSource,
        r.PacketsFromDestination,
      ]),
    ).toEqual([
      ['TCP', 50500, 80, 'fin', 'SF', 11, 9],
      ['UDP', 40000, 53, 'shutdown', '', 1, 0],
    ]);
    expect(out.stderr).toContain('2 flow records');
  });

  it('writes a record per interval by default (60 s) that add up to the connection', async () => {
    const out = await inspect([file, '--capture-level', 'flowsummary']);
    expect(out.code).toBe(0);
    const tcp = ndjson(out.stdout).filter((r) => r.Protocol === 'TCP' && r.FlowEndReason !== undefined);
    expect(tcp.map((r) => r.FlowEndReason)).toEqual(['interval', 'interval', 'fin']);
    expect(tcp.reduce((n, r) => n + r.PacketsFromSource! + r.PacketsFromDestination!, 0)).toBe(20);
  });

  it('ends quiet flows with --flow-idle', async () => {
    const out = await inspect([
      file,
      '--capture-level',
      'FlowSummary',
      '--flow-interval',
      '0',
      '--flow-idle',
      '5s',
    ]);
    const tcp = ndjson(out.stdout).filter((r) => r.Protocol === 'TCP' && r.FlowEndReason !== undefined);
    expect(tcp.map((r) => r.FlowEndReason)).toEqual(Array(15).fill('idle').concat(['fin']));
  });

  it('shows flows in the table output', async () => {
    const out = await inspect([
      file,
      '--capture-level',
      'FlowSummary',
      '--flow-interval',
      '0',
      '-o',
      'table',
    ]);
    expect(out.stdout).toContain('flow fin SF 11/9 packets');
  });

  it.each([
    [['--capture-level', 'Flows'], '--capture-level must be one of FirstPacket, AllPackets, FlowSummary'],
    [
      ['--flow-interval', '60'],
      "--flow-interval must be a duration such as 500ms, 30s, 5m or 1h, or 0 for never; got '60'",
    ],
    [['--flow-idle', '-1s'], "'--flow-idle'"],
    [['--flow-idle', ''], '--flow-idle must be a duration'],
  ])('refuses %j with a usage error', async (args, message) => {
    const out = await inspect([file, ...args]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(message);
  });
});

describe('parseDurationOption', () => {
  it.each([
    ['0', 0],
    ['500ms', 500],
    ['30s', 30_000],
    ['1.5m', 90_000],
    ['2h', 7_200_000],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDurationOption('--x', text)).toBe(ms);
  });
  it.each(['', '10', 's', '1d', '1 m', 'abc', '-5s'])('refuses %j', (text) => {
    expect(() => parseDurationOption('--x', text)).toThrow(/--x must be a duration/);
  });
});
