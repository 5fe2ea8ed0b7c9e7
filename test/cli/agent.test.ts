import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EventHubProducerClient } from '@azure/event-hubs';
import { agentCommand } from '../../shared/cli/commands/agent';
import type { CommandIo } from '../../shared/cli/command';
import { runCli } from '../../shared/cli/run';
import { demoBatches } from '../../shared/local/demo/demoCluster';
import { startLocalEventHubs, type LocalEventHubs } from '../../shared/local/eventHubs/localEventHubs';

const ROOT = path.resolve(__dirname, '..', '..');

function capture(env: Record<string, string | undefined> = {}) {
  const out = { stdout: '', stderr: '' };
  const io: CommandIo = { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t), env, cwd: ROOT };
  return { io, out };
}

/** A stand-in for tcpdump: checks its arguments, then writes a capture to stdout like `tcpdump -w -`. */
async function fakeTcpdump(dir: string, script: string): Promise<string> {
  const file = path.join(dir, `tcpdump-${Math.random().toString(16).slice(2)}`);
  await writeFile(file, `#!${process.execPath}\n${script}\n`);
  await chmod(file, 0o755);
  return file;
}

describe('tracectl agent', () => {
  let hubs: LocalEventHubs;
  let dir: string;

  beforeAll(async () => {
    hubs = await startLocalEventHubs({ hubs: [{ name: 'retina-traces', partitionCount: 2 }] });
    dir = await mkdtemp(path.join(os.tmpdir(), 'agent-'));
    await writeFile(path.join(dir, 'capture.pcapng'), demoBatches(Date.now())[0]!.capture);
  });

  afterAll(async () => {
    await hubs.close();
    await rm(dir, { recursive: true, force: true });
  });

  const base = (tcpdump: string) => ['--interface', 'eth0', '-f', 'samples/local/egress-tls-opentelemetry.yaml', '--cluster', 'c1', '--node', 'n1', '--tcpdump', tcpdump, '--connection-string', hubs.connectionString()];

  it('runs tcpdump with the filter built from the configuration and publishes what it captures', async () => {
    const argsFile = path.join(dir, 'args.json');
    const tcpdump = await fakeTcpdump(
      dir,
      `require('fs').writeFileSync(${JSON.stringify(argsFile)}, JSON.stringify(process.argv.slice(2)));
       process.stdout.write(require('fs').readFileSync(${JSON.stringify(path.join(dir, 'capture.pcapng'))}));`,
    );
    const { io, out } = capture();
    expect(await agentCommand.run(base(tcpdump), io)).toBe(0);
    // The agent's own AMQP connection to the hub is excluded from what it captures.
    const port = /:(\d+)/.exec(hubs.connectionString())![1]!;
    expect(out.stderr).toMatch(
      new RegExp(`capture filter: \\(\\(net 0\\.0\\.0\\.0/0 and not net 10\\.0\\.0\\.0/8\\) and \\(tcp port 443\\)\\) and not \\(\\(.*host 127\\.0\\.0\\.1.* and tcp port ${port}\\)\\)`),
    );
    expect(out.stderr).toContain('stopped, published to retina-traces: 60 packets captured, 1 batches sent, 0 dropped');
    const args = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(argsFile, 'utf8'))) as string[];
    expect(args.slice(0, 7)).toEqual(['-i', 'eth0', '-w', '-', '-U', '-s', '0']);

    const producer = new EventHubProducerClient(hubs.connectionString('retina-traces'));
    const ids = await producer.getPartitionIds();
    const counts = await Promise.all(ids.map(async (id) => (await producer.getPartitionProperties(id)).lastEnqueuedSequenceNumber));
    await producer.close();
    expect(counts.filter((n) => n >= 0)).toHaveLength(1);
  });

  it('prints periodic progress and the kernel drops tcpdump reports', async () => {
    const tcpdump = await fakeTcpdump(
      dir,
      `const data = require('fs').readFileSync(${JSON.stringify(path.join(dir, 'capture.pcapng'))});
       process.stdout.write(data.subarray(0, 2000));
       setTimeout(() => { process.stdout.write(data.subarray(2000)); process.stderr.write('60 packets captured\\n7 packets dropped by kernel\\n'); }, 400);`,
    );
    const { io, out } = capture();
    expect(await agentCommand.run([...base(tcpdump), '--progress-interval', '100'], io)).toBe(0);
    expect(out.stderr).toMatch(/progress: \d+ packets captured, \d+ batches sent, 0 dropped/);
    // How many batches depends on whether the flush interval passed during the pause.
    expect(out.stderr).toMatch(/stopped, published to retina-traces: 60 packets captured, \d+ batches sent, 7 dropped/);
  });

  it('says clearly when tcpdump is missing', async () => {
    const { io, out } = capture();
    expect(await agentCommand.run(base(path.join(dir, 'no-such-tcpdump')), io)).toBe(2);
    expect(out.stderr).toContain('is not installed or not on PATH');
  });

  it('reports tcpdump failing with its own message', async () => {
    const tcpdump = await fakeTcpdump(dir, `process.stderr.write('tcpdump: eth9: No such device exists\\n'); process.exit(1);`);
    const { io, out } = capture();
    expect(await agentCommand.run(base(tcpdump), io)).toBe(2);
    expect(out.stderr).toContain('tcpdump exited with status 1: tcpdump: eth9: No such device exists');
  });

  it.each([
    [[], '--interface is required'],
    [['--interface', 'eth0'], 'at least one -f'],
    [['--interface', 'eth0', '-f', 'x.yaml'], '--cluster and --node are required'],
    [['--interface', 'eth0', '-f', 'x.yaml', '--cluster', 'c', '--node', 'n'], 'give exactly one of --connection-string'],
  ])('%j is a usage error', async (args, message) => {
    const { io, out } = capture();
    expect(await runCli(['agent', ...args], [agentCommand], io)).toBe(2);
    expect(out.stderr).toContain(message);
  });
});
