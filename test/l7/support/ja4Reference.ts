import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { sharedPath } from '../../support/sharedData';
import type { OurMessage } from './l7Oracle';

/** One connection's JA4 values according to FoxIO's reference outputs. */
export interface Ja4Reference {
  /** `src:port > dst:port` of the client side. */
  connection: string;
  transport: 'tcp' | 'udp';
  /** JA4 values the Python reference lists (`JA4.1`, `JA4.2`, ...), or the Rust one when Python has none. */
  ja4: string[];
  /** The Rust reference's value, which reports only the first ClientHello of a connection. */
  rust?: string;
}

/** Captures with FoxIO JA4 reference outputs (`expected/ja4/FILES.tsv`). */
export function ja4ReferenceFiles(): string[] {
  const listing = readFileSync(sharedPath('captures', 'expected', 'ja4', 'FILES.tsv'), 'utf8');
  const files = new Set<string>();
  for (const line of listing.split('\n')) {
    const match = /^public\t(.+)\.(python\.json|rust\.snap)\t/.exec(line);
    if (match) files.add(match[1]!);
  }
  return [...files].sort();
}

function connectionOf(src: string, sport: number | string, dst: string, dport: number | string): string {
  return `${src}:${sport} > ${dst}:${dport}`;
}

/** Reference JA4 values per connection for one capture, from the Python and Rust outputs. */
export function ja4References(file: string): Ja4Reference[] {
  const byConnection = new Map<string, Ja4Reference>();
  const pythonPath = sharedPath('captures', 'expected', 'ja4', 'public', `${file}.python.json`);
  if (existsSync(pythonPath)) {
    const entries = JSON.parse(readFileSync(pythonPath, 'utf8')) as Array<Record<string, string>>;
    for (const entry of entries) {
      const values = Object.keys(entry)
        .filter((k) => /^JA4\.\d+$/.test(k))
        .sort()
        .map((k) => entry[k]!);
      if (values.length === 0) continue;
      const connection = connectionOf(entry.src!, entry.srcport!, entry.dst!, entry.dstport!);
      byConnection.set(connection, { connection, transport: 'tcp', ja4: values });
    }
  }
  const rustPath = sharedPath('captures', 'expected', 'ja4', 'public', `${file}.rust.snap`);
  if (existsSync(rustPath)) {
    const body = readFileSync(rustPath, 'utf8').split(/^---$/m).slice(2).join('---');
    const entries = (parse(body) ?? []) as Array<Record<string, string | number>>;
    for (const entry of entries) {
      if (typeof entry.ja4 !== 'string') continue;
      const connection = connectionOf(String(entry.src), entry.src_port!, String(entry.dst), entry.dst_port!);
      const existing = byConnection.get(connection);
      if (existing) existing.rust = entry.ja4;
      else
        byConnection.set(connection, {
          connection,
          transport: entry.transport === 'udp' ? 'udp' : 'tcp',
          ja4: [entry.ja4],
          rust: entry.ja4,
        });
    }
  }
  return [...byConnection.values()];
}

/** Our JA4 values per client connection. */
export function ourJa4(messages: OurMessage[]): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const m of messages) {
    if (m.fields.Ja4 === undefined) continue;
    const connection = connectionOf(m.src, m.sport, m.dst, m.dport);
    result.set(connection, [...(result.get(connection) ?? []), m.fields.Ja4]);
  }
  return result;
}
