/**
 * `npm run bench:inspect` (also the last part of `npm run bench`): `tracectl inspect` as a user
 * runs it, whole process from start to exit, against tshark extracting comparable fields from the
 * same capture. The capture is the benches' own input (the public captures replicated with
 * distinct flows, 12 copies: about 108k packets), written once to a temporary pcapng file. inspect
 * runs without -f: the catch-all configuration, AllPackets, layer 7 on, every record to NDJSON.
 * Both write to a file. Reports the median wall time of each, the ratio, and where inspect's time
 * goes at start-up; writes bench/results/inspect.json.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { distinctFlowCopies, sourcePackets } from './support/benchInput';
import { writeCaptureFile } from './support/captureFile';
import { PROJECT_ROOT } from './support/paths';
import { writeBenchResult } from './support/benchReport';

const COPIES = Number(process.env.BENCH_COPIES ?? 12);
/** Timed runs of each tool (default 3); the median wall time is reported. */
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
const TRACECTL = path.join(PROJECT_ROOT, 'bin', 'tracectl.js');
const COMPILED_CLI = path.join(PROJECT_ROOT, 'dist', 'shared', 'cli', 'main.js');

/**
 * The tshark fields closest to the record's columns: time, addresses, protocol, ports, TCP flags,
 * sequence and acknowledgement numbers, lengths, ICMP type/code, and the HTTP, DNS and TLS key
 * fields inspect's layer 7 reports (with tshark's own TCP reassembly, on by default). tshark has
 * no RecordId, FlowId or Community ID, and inspect adds identity columns: the comparison is of
 * what each extracts per packet, not of byte-identical output.
 */
const TSHARK_FIELDS = [
  'frame.number',
  'frame.time_epoch',
  'frame.len',
  'ip.version',
  'ip.src',
  'ip.dst',
  'ipv6.src',
  'ipv6.dst',
  'ip.proto',
  'ipv6.nxt',
  'tcp.srcport',
  'tcp.dstport',
  'udp.srcport',
  'udp.dstport',
  'tcp.flags.str',
  'tcp.seq_raw',
  'tcp.ack_raw',
  'tcp.len',
  'udp.length',
  'icmp.type',
  'icmp.code',
  'icmpv6.type',
  'icmpv6.code',
  'http.request.method',
  'http.request.uri',
  'http.host',
  'http.user_agent',
  'http.content_type',
  'http.response.code',
  'dns.id',
  'dns.flags.response',
  'dns.qry.name',
  'dns.qry.type',
  'dns.flags.rcode',
  'dns.a',
  'dns.aaaa',
  'dns.cname',
  'dns.resp.ttl',
  'tls.handshake.type',
  'tls.handshake.version',
  'tls.handshake.extensions_server_name',
  'tls.handshake.extensions_alpn_str',
  'tls.handshake.ciphersuite',
  'tls.handshake.ja3',
  'tls.handshake.ja3s',
];

interface Run {
  wallSeconds: number;
  /** User + system CPU seconds of the process, when GNU time is there to measure them. */
  cpuSeconds: number | undefined;
  outputBytes: number;
  stderr: string;
}

/** GNU time reports a child's CPU time (Node cannot); on a shared machine it is steadier than wall time. */
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Runs `command args` with stdout to `outputFile`, timing the whole process. Throws when it fails. */
function timedRun(command: string, args: string[], outputFile: string): Run {
  const fd = openSync(outputFile, 'w');
  const timeFile = `${outputFile}.time`;
  try {
    const [program, programArgs] =
      GNU_TIME === undefined
        ? [command, args]
        : [GNU_TIME, ['-f', '%U %S', '-o', timeFile, command, ...args]];
    const started = process.hrtime.bigint();
    const result = spawnSync(program, programArgs, { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.error !== undefined) throw result.error;
    if (result.status !== 0)
      throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    let cpuSeconds: number | undefined;
    if (GNU_TIME !== undefined) {
      const [user, system] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
      cpuSeconds = (user ?? Number.NaN) + (system ?? Number.NaN);
    }
    return { wallSeconds, cpuSeconds, outputBytes: statSync(outputFile).size, stderr: result.stderr };
  } finally {
    closeSync(fd);
  }
}

/** The run with the median wall time of `REPEAT` runs. */
function medianRun(command: string, args: string[], outputFile: string): Run {
  const runs: Run[] = [];
  for (let i = 0; i < REPEAT; i += 1) runs.push(timedRun(command, args, outputFile));
  runs.sort((a, b) => a.wallSeconds - b.wallSeconds);
  return runs[Math.floor(runs.length / 2)]!;
}

function tsharkVersion(): string | undefined {
  const result = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) return undefined;
  return result.stdout.split('\n')[0]?.trim();
}

function countLines(file: string): number {
  const result = spawnSync('wc', ['-l', file], { encoding: 'utf8' });
  return Number(result.stdout.trim().split(/\s+/)[0] ?? 0);
}

const round = (value: number, digits = 3): number => Number(value.toFixed(digits));
const cpuText = (run: Run): string =>
  run.cpuSeconds === undefined ? '' : ` (${run.cpuSeconds.toFixed(2)} s CPU)`;

function main(): void {
  if (!existsSync(COMPILED_CLI)) {
    process.stderr.write(`bench:inspect: ${COMPILED_CLI} is missing: run \`npm run build\` first.\n`);
    process.exit(2);
  }
  const { packets: source, source: origin } = sourcePackets();
  const packets = distinctFlowCopies(source, COPIES);
  const capture = writeCaptureFile(packets, 'bench-inspect-');
  const directory = path.dirname(capture);
  const captureBytes = statSync(capture).size;
  process.stdout.write(
    `input: ${packets.length} packets (${COPIES} copies of ${origin}), ${(captureBytes / 1e6).toFixed(1)} MB pcapng at ${capture}\n`,
  );
  try {
    // Start-up alone: the same command over a capture holding its first packet only.
    const tiny = writeCaptureFile(packets.slice(0, 1), 'bench-inspect-tiny-');
    const startup = medianRun(
      process.execPath,
      [TRACECTL, 'inspect', tiny, '--output', 'ndjson'],
      path.join(directory, 'tiny.ndjson'),
    );
    rmSync(path.dirname(tiny), { recursive: true, force: true });
    const bare = medianRun(process.execPath, ['-e', '0'], path.join(directory, 'bare.out'));

    const inspectOutput = path.join(directory, 'inspect.ndjson');
    const inspect = medianRun(
      process.execPath,
      [TRACECTL, 'inspect', capture, '--output', 'ndjson'],
      inspectOutput,
    );
    const records = countLines(inspectOutput);
    process.stdout.write(
      `tracectl inspect --output ndjson (catch-all, AllPackets, layer 7 on): ${inspect.wallSeconds.toFixed(3)} s wall${cpuText(inspect)}, ` +
        `${records} records, ${(inspect.outputBytes / 1e6).toFixed(1)} MB NDJSON ` +
        `(start-up ${startup.wallSeconds.toFixed(3)} s, bare node ${bare.wallSeconds.toFixed(3)} s)\n`,
    );

    const version = tsharkVersion();
    let tshark: {
      wallSeconds: number;
      cpuSeconds: number | undefined;
      outputBytes: number;
      lines: number;
      version: string;
    } | null = null;
    if (version === undefined) {
      process.stdout.write(
        'tshark is not installed: the comparison with tshark is skipped (apt-get install -y tshark adds it).\n',
      );
    } else {
      const tsharkOutput = path.join(directory, 'tshark.tsv');
      const run = medianRun(
        'tshark',
        ['-n', '-r', capture, '-T', 'fields', ...TSHARK_FIELDS.flatMap((field) => ['-e', field])],
        tsharkOutput,
      );
      tshark = {
        wallSeconds: run.wallSeconds,
        cpuSeconds: run.cpuSeconds,
        outputBytes: run.outputBytes,
        lines: countLines(tsharkOutput),
        version,
      };
      process.stdout.write(
        `${version} -n -T fields with ${TSHARK_FIELDS.length} comparable fields: ${run.wallSeconds.toFixed(3)} s wall${cpuText(run)}, ` +
          `${tshark.lines} lines, ${(run.outputBytes / 1e6).toFixed(1)} MB\n`,
      );
    }
    const ratio = tshark === null ? null : round(tshark.wallSeconds / inspect.wallSeconds, 1);
    const tsharkCpu = tshark?.cpuSeconds;
    const inspectCpu = inspect.cpuSeconds;
    const cpuRatio =
      tsharkCpu === undefined || inspectCpu === undefined ? null : round(tsharkCpu / inspectCpu, 1);
    if (ratio !== null) {
      const cpu =
        cpuRatio === null
          ? ''
          : `; ${cpuRatio}x in CPU time (${inspectCpu!.toFixed(2)} s vs ${tsharkCpu!.toFixed(2)} s)`;
      process.stdout.write(
        `inspect is ${ratio}x faster than tshark, whole process wall time (goal: 20x)${cpu}\n`,
      );
    }

    const file = writeBenchResult('inspect', {
      input: { packets: packets.length, captureBytes, source: origin, copies: COPIES },
      runsPerTool: REPEAT,
      inspect: {
        command: 'tracectl inspect CAPTURE --output ndjson > FILE',
        configuration: 'none given: the catch-all, AllPackets, layer 7 on',
        wallSeconds: round(inspect.wallSeconds),
        cpuSeconds: inspect.cpuSeconds === undefined ? null : round(inspect.cpuSeconds, 2),
        startupWallSeconds: round(startup.wallSeconds),
        bareNodeWallSeconds: round(bare.wallSeconds),
        records,
        outputBytes: inspect.outputBytes,
        packetsPerSecond: Math.round(packets.length / inspect.wallSeconds),
      },
      tshark:
        tshark === null
          ? null
          : {
              command: `tshark -n -r CAPTURE -T fields -e ${TSHARK_FIELDS.join(' -e ')} > FILE`,
              comparability:
                'the fields closest to the record columns (time, addresses, ports, protocol, TCP flags/seq/ack, lengths, ICMP, HTTP/DNS/TLS key fields incl. JA3), with TCP reassembly; no RecordId/FlowId/Community ID',
              version: tshark.version,
              wallSeconds: round(tshark.wallSeconds),
              cpuSeconds: tshark.cpuSeconds === undefined ? null : round(tshark.cpuSeconds, 2),
              lines: tshark.lines,
              outputBytes: tshark.outputBytes,
              packetsPerSecond: Math.round(packets.length / tshark.wallSeconds),
            },
      ratioToTshark: ratio,
      cpuRatioToTshark: cpuRatio,
      goal: { ratioToTshark: 20 },
      note: 'whole-process times on a shared 2-core machine: approximate; the CPU ratio is the steadier of the two there',
    });
    process.stdout.write(`wrote ${file}\n`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

main();
