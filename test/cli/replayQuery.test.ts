import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { replayCommand } from '../../shared/cli/commands/replay';
import { queryCommand, queryFilter } from '../../shared/cli/commands/query';
import { applyCommand } from '../../shared/cli/commands/apply';
import type { CommandIo } from '../../shared/cli/command';
import { runCli } from '../../shared/cli/run';
import { demoBatches, demoIdentities, DEMO_CLUSTER } from '../../shared/local/demo/demoCluster';
import { startLocalSystem, type LocalSystem } from '../../shared/local/localSystem';

function capture(env: Record<string, string | undefined>, cwd: string) {
  const out = { stdout: '', stderr: '' };
  const io: CommandIo = { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t), env, cwd };
  return { io, out };
}

describe('tracectl replay and query against the local system', () => {
  let system: LocalSystem;
  let dir: string;
  const start = Date.now() - 60_000;

  beforeAll(async () => {
    system = await startLocalSystem();
    dir = await mkdtemp(path.join(os.tmpdir(), 'replay-'));
    const [node1] = demoBatches(start);
    await writeFile(path.join(dir, 'node1.pcapng'), node1!.capture);
    await writeFile(
      path.join(dir, 'identities.json'),
      JSON.stringify(demoIdentities(new Date(start).toISOString())),
    );
    const { io } = capture({ TRACECTL_SERVER: system.httpUrl }, path.resolve(__dirname, '..', '..'));
    expect(
      await applyCommand.run(
        [
          '-f',
          'samples/local/shop-http-azuretable.yaml',
          '-f',
          'samples/local/cluster-dns-loganalytics.yaml',
        ],
        io,
      ),
    ).toBe(0);
  }, 60_000);

  afterAll(async () => {
    await system?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('publishes a capture with identities, and query reads the enriched records back with filters', async () => {
    const { io, out } = capture(
      { TRACECTL_EVENTHUB_CONNECTION_STRING: system.eventHubsConnectionString },
      dir,
    );
    const code = await replayCommand.run(
      ['node1.pcapng', '--cluster', DEMO_CLUSTER, '--node', 'aks-node-1', '--identities', 'identities.json'],
      io,
    );
    expect(out.stderr).toContain('60 packets, 2 events');
    expect(code).toBe(0);
    expect(out.stdout).toContain('published node1.pcapng: 60 packets in 2 events');
    await system.waitForEvents(2, 30_000);

    const query = capture(system.env, dir);
    const args = [
      '--configuration',
      'shop/shop-http',
      '--cluster',
      DEMO_CLUSTER,
      '--since',
      '1d',
      '-o',
      'ndjson',
    ];
    expect(await queryCommand.run(args, query.io)).toBe(0);
    const records = query.out.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    // 2 HTTP/1.1 and 1 h2c connection: first packet each way, plus their 4 HTTP/1.1 and 4 gRPC messages.
    expect(records).toHaveLength(14);
    expect(
      records
        .filter((r) => r.L7Protocol === 'HTTP' && r.HttpVersion === 'HTTP/1.1')
        .map((r) => r.HttpStatusCode ?? r.HttpMethod),
    ).toEqual(['GET', 200, 'POST', 500]);
    expect(
      records
        .filter((r) => r.HttpVersion === '2')
        .map((r) => [r.Http2StreamId, r.GrpcStatusCode ?? r.GrpcMethod]),
    ).toEqual([
      [1, 'GetQuote'],
      [1, 0],
      [3, 'PlaceOrder'],
      [3, 14],
    ]);
    expect(records[0]).toMatchObject({
      SourcePodName: 'frontend-7d9f8b6c5-x2x4q',
      SourceNamespace: 'shop',
      DestinationServiceName: 'checkout',
      NodeName: 'aks-node-1',
    });

    const errors = capture(system.env, dir);
    expect(await queryCommand.run([...args.slice(0, -2), '--http-status', '500'], errors.io)).toBe(0);
    expect(errors.out.stdout).toContain('HTTP 500');
    expect(errors.out.stdout.trim().split('\n')).toHaveLength(2);

    const none = capture(system.env, dir);
    expect(await queryCommand.run(['--since', '1d', '--ip', '192.0.2.1'], none.io)).toBe(0);
    expect(none.out.stderr).toMatch(/^0 of 0 matching records/);
  });

  it.each([
    [['replay'], 'give exactly one CAPTURE file'],
    [['replay', 'x.pcap'], '--cluster is required'],
    [['replay', 'x.pcap', '--cluster', 'c'], 'give exactly one of --connection-string'],
    [
      ['replay', 'x.pcap', '--cluster', 'c', '--connection-string', 'cs', '--rate', 'fast'],
      '--rate must be a positive number',
    ],
    [['query', '--since', 'yesterday'], '--since must look like'],
    [['query', '--l7', 'SMTP'], '--l7 must be HTTP, DNS or TLS'],
    [['query', '--configuration', 'web'], '--configuration must be NAMESPACE/NAME'],
    [['query', '--from', 'x'], '--from must be an ISO 8601 time'],
  ])('%j is a usage error naming the problem', async (argv, message) => {
    const { io, out } = capture({}, dir);
    expect(await runCli(argv, [replayCommand, queryCommand], io)).toBe(2);
    expect(out.stderr).toContain(message);
  });

  it('replay exits 2 for an unreadable capture, naming it', async () => {
    const { io, out } = capture(
      { TRACECTL_EVENTHUB_CONNECTION_STRING: system.eventHubsConnectionString },
      dir,
    );
    expect(await replayCommand.run(['missing.pcap', '--cluster', 'c'], io)).toBe(2);
    expect(out.stderr).toContain('cannot read missing.pcap');
    await writeFile(path.join(dir, 'text.pcap'), 'not a capture');
    expect(await replayCommand.run(['text.pcap', '--cluster', 'c'], io)).toBe(2);
    expect(out.stderr).toContain('text.pcap: not a pcap or pcapng capture');
  });

  it('query reports a connection without settings by name', async () => {
    const { io, out } = capture({}, dir);
    expect(await runCli(['query', '--connection', 'TRACES_MISSING'], [queryCommand], io)).toBe(2);
    expect(out.stderr).toContain('TRACES_MISSING__');
  });

  it('--rate paces packet by packet: the capture goes out in several small batches, not one burst', async () => {
    const { io, out } = capture(
      { TRACECTL_EVENTHUB_CONNECTION_STRING: system.eventHubsConnectionString },
      dir,
    );
    const code = await replayCommand.run(
      ['node1.pcapng', '--cluster', 'paced-cluster', '--node', 'paced', '--rate', '100'],
      io,
    );
    expect(code).toBe(0);
    // 60 packets at 100 per second take about 0.6 s; batches leave every 100 ms of packets.
    const events = Number(/60 packets in (\d+) events/.exec(out.stdout)?.[1]);
    expect(events).toBeGreaterThanOrEqual(3);
    expect(out.stderr).not.toContain('\r');
  });
});

describe('queryFilter', () => {
  const from = new Date('2026-11-25T09:00:00Z');
  const to = new Date('2026-11-25T11:30:00Z');
  it.each([
    [
      {},
      "TimeGenerated ge datetime'2026-11-25T09:00:00.000Z' and TimeGenerated le datetime'2026-11-25T11:30:00.000Z'",
    ],
    [
      { prefix: 'c|ns.web|' },
      "PartitionKey ge 'c|ns.web|2026112509' and PartitionKey le 'c|ns.web|2026112511|~'",
    ],
    [{ configuration: 'ns/web' }, "TraceConfiguration eq 'ns/web'"],
    [{ ip: "10.0.0.1'" }, "(SourceIp eq '10.0.0.1''' or DestinationIp eq '10.0.0.1''')"],
    [{ httpStatus: 500 }, 'HttpStatusCode eq 500'],
  ])('%j contains %s', (options, fragment) => {
    expect(queryFilter({ from, to, ...options })).toContain(fragment);
  });
});
