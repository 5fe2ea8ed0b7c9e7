/**
 * The logic of `tracectl pcap`, apart from its registration (shared/cli/commands/pcap.ts) so it
 * moves to any CLI framework as is: options in, retrieval, one pcapng out.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TraceError } from '../errors';
import { describeSelector, type PacketQuery, type PacketSelector } from './packetQuery';
import { retrievePackets, type RetrievalProgress } from './retrievePackets';
import type { RetentionStore } from './retentionStore';

/** The options of `tracectl pcap`, as given on the command line. */
export interface PcapOptions {
  record?: string;
  flow?: string;
  communityId?: string;
  pod?: string;
  from?: string;
  to?: string;
  cluster?: string;
  /** File to write, or `-` for standard output. */
  output: string;
}

/** Where the command writes. */
export interface PcapIo {
  /** Progress and the summary. */
  stderr: (text: string) => void;
  /** Binary standard output (for `-o -`); absent when the caller cannot write bytes there. */
  stdoutBytes?: (bytes: Uint8Array) => void | Promise<void>;
  cwd: string;
  /** Clock for progress throttling. */
  now?: () => number;
}

/** Raised for a bad combination of options (exit code 2). */
export class PcapUsageError extends TraceError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** Parses `--from`/`--to`: RFC 3339 / ISO 8601 time, or epoch nanoseconds. */
export function parseTimeOption(flag: string, value: string): bigint {
  if (/^\d{16,20}$/.test(value)) return BigInt(value);
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms))
    throw new PcapUsageError(
      `${flag} must be an ISO 8601 time such as 2026-12-04T20:00:00Z (or epoch ns), got '${value}'`,
    );
  const fraction = /\.(\d+)/.exec(value)?.[1] ?? '';
  // Date.parse keeps milliseconds; digits beyond them are added back exactly.
  const extraNs = fraction.length > 3 ? BigInt(fraction.slice(3, 9).padEnd(6, '0')) : 0n;
  return BigInt(ms) * 1_000_000n + extraNs;
}

/** Builds the query; throws {@link PcapUsageError} unless exactly one selector is given. */
export function pcapQuery(options: PcapOptions): PacketQuery {
  const selectors: PacketSelector[] = [];
  if (options.record !== undefined) selectors.push({ kind: 'record', recordId: options.record });
  if (options.flow !== undefined) selectors.push({ kind: 'flow', flowId: options.flow });
  if (options.communityId !== undefined)
    selectors.push({ kind: 'communityId', communityId: options.communityId });
  if (options.pod !== undefined) {
    if (!/^[^/\s]+\/[^/\s]+$/.test(options.pod))
      throw new PcapUsageError(`--pod must be NAMESPACE/NAME, got '${options.pod}'`);
    selectors.push({ kind: 'pod', pod: options.pod });
  }
  const [selector, extra] = selectors;
  if (selector === undefined || extra !== undefined)
    throw new PcapUsageError('give exactly one of --record, --flow, --community-id, --pod');
  const query: PacketQuery = { selector };
  if (options.from !== undefined) query.fromNs = parseTimeOption('--from', options.from);
  if (options.to !== undefined) query.toNs = parseTimeOption('--to', options.to);
  if (query.fromNs !== undefined && query.toNs !== undefined && query.fromNs > query.toNs)
    throw new PcapUsageError('--from is after --to');
  if (options.cluster !== undefined) query.cluster = options.cluster;
  return query;
}

function mb(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

function progressLine(p: RetrievalProgress): string {
  return `pcap: ${p.indexesListed} indexes listed, ${p.indexesRead} read, ${p.capturesRead} captures downloaded (${mb(p.bytesRead)}), ${p.packets} packets`;
}

/**
 * Runs `tracectl pcap`: resolves to 0 when packets were written, 1 when none matched (an empty,
 * valid pcapng is still written).
 */
export async function runPcap(store: RetentionStore, options: PcapOptions, io: PcapIo): Promise<number> {
  const query = pcapQuery(options);
  if (options.output === '-' && io.stdoutBytes === undefined)
    throw new PcapUsageError('-o - needs a binary standard output, which this caller does not provide');
  const now = io.now ?? Date.now;
  let lastReport = now();
  const result = await retrievePackets(store, query, {
    onProgress: (progress) => {
      // Long reads show where they are about once a second; short ones stay quiet.
      if (now() - lastReport < 1000) return;
      lastReport = now();
      io.stderr(`${progressLine(progress)}\n`);
    },
  });
  for (const problem of result.problems) io.stderr(`pcap: ${problem}\n`);
  if (options.output === '-') await io.stdoutBytes?.(result.pcapng);
  else await writeFile(path.resolve(io.cwd, options.output), result.pcapng);
  const where = options.output === '-' ? 'standard output' : options.output;
  io.stderr(`${progressLine(result.progress)}\n`);
  if (result.progress.packets === 0) {
    io.stderr(
      `pcap: no retained packets match ${describeSelector(query.selector)}; wrote an empty capture to ${where}\n`,
    );
    return 1;
  }
  io.stderr(
    `pcap: wrote ${result.progress.packets} packets of ${describeSelector(query.selector)} to ${where}\n`,
  );
  return 0;
}
