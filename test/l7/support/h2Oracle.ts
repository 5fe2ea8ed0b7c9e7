import { readFileSync } from 'node:fs';
import { readCapture } from '../../../shared/capture/readCapture';
import { createL7Analyzer } from '../../../shared/l7/analyzer';
import type { L7Stats } from '../../../shared/l7/l7Stats';
import { redactRequestTarget } from '../../../shared/l7/redact';
import { formatIp } from '../../../shared/net/ipAddress';
import { decodePacket } from '../../../shared/packet/decodePacket';
import { sharedPath } from '../../support/sharedData';

/** What both sides report about one connection: requests, statuses and gRPC statuses, as multisets. */
export interface ConnectionItems {
  /** `method path authority` per request (path redacted as records are). */
  requests: string[];
  statuses: string[];
  grpcStatuses: string[];
}

/** A connection key independent of direction. */
function connectionKey(a: string, aPort: string | number, b: string, bPort: string | number): string {
  const one = `${a}:${aPort}`;
  const two = `${b}:${bPort}`;
  return one < two ? `${one} ${two}` : `${two} ${one}`;
}

function items(map: Map<string, ConnectionItems>, key: string): ConnectionItems {
  let found = map.get(key);
  if (found === undefined) {
    found = { requests: [], statuses: [], grpcStatuses: [] };
    map.set(key, found);
  }
  return found;
}

/** The oracle's HTTP/2 requests and responses of `file` in `../shared/captures/h2`, per connection. */
export function h2OracleItems(file: string): Map<string, ConnectionItems> {
  const [header, ...rows] = readFileSync(sharedPath('captures', 'h2', `${file}.tsv`), 'utf8')
    .replace(/\n$/, '')
    .split('\n');
  const names = header!.split('\t');
  const result = new Map<string, ConnectionItems>();
  // Per direction, the request being filled: a pseudo-header already set starts the next one.
  const open = new Map<string, Record<string, string>>();
  const flush = (key: string, direction: string) => {
    const request = open.get(direction);
    if (request?.[':method'] !== undefined)
      items(result, key).requests.push(
        `${request[':method']} ${redactRequestTarget(request[':path'] ?? '')} ${request[':authority'] ?? ''}`,
      );
    open.delete(direction);
  };
  for (const row of rows) {
    const cells = Object.fromEntries(row.split('\t').map((cell, i) => [names[i]!, cell]));
    const src = cells['ip.src'] || cells['ipv6.src']!;
    const dst = cells['ip.dst'] || cells['ipv6.dst']!;
    const key = connectionKey(src, cells['tcp.srcport']!, dst, cells['tcp.dstport']!);
    const direction = `${src}:${cells['tcp.srcport']}>${dst}:${cells['tcp.dstport']}`;
    const headerNames = cells['http2.header.name'] ? cells['http2.header.name'].split('|') : [];
    const values = cells['http2.header.value'] ? cells['http2.header.value'].split('|') : [];
    headerNames.forEach((name, i) => {
      const value = values[i] ?? '';
      if (name === ':status') items(result, key).statuses.push(value);
      else if (name === 'grpc-status') items(result, key).grpcStatuses.push(value);
      else if (name === ':method' || name === ':path' || name === ':authority') {
        const request = open.get(direction);
        if (request !== undefined && request[name] !== undefined) flush(key, direction);
        const current = open.get(direction) ?? {};
        current[name] = value;
        open.set(direction, current);
      }
    });
  }
  for (const direction of open.keys()) {
    const [from, to] = direction.split('>');
    const [a, aPort] = splitEndpoint(from!);
    const [b, bPort] = splitEndpoint(to!);
    flush(connectionKey(a, aPort, b, bPort), direction);
  }
  return result;
}

function splitEndpoint(endpoint: string): [string, string] {
  const colon = endpoint.lastIndexOf(':');
  return [endpoint.slice(0, colon), endpoint.slice(colon + 1)];
}

/** Our HTTP/2 records of `file`, reduced to {@link ConnectionItems} per connection, and the analyser's counters. */
export function ourH2Items(file: string): {
  items: Map<string, ConnectionItems>;
  stats: L7Stats;
  partial: number;
} {
  const capture = readCapture(readFileSync(sharedPath('captures', 'h2', file)));
  const analyzer = createL7Analyzer();
  const result = new Map<string, ConnectionItems>();
  let partial = 0;
  for (const captured of capture.packets) {
    const packet = decodePacket(captured, captured.interface.linkType);
    for (const fields of analyzer.analyzeAll(packet)) {
      if (fields.HttpVersion !== '2') continue;
      if (fields.L7Partial === true) partial++;
      const key = connectionKey(
        formatIp(packet.sourceIp!),
        packet.sourcePort!,
        formatIp(packet.destinationIp!),
        packet.destinationPort!,
      );
      const found = items(result, key);
      // A timed response carries its request's method and path too (L7LatencyNs): count requests only.
      if (fields.HttpMethod !== undefined && fields.L7LatencyNs === undefined)
        found.requests.push(`${fields.HttpMethod} ${fields.HttpPath ?? ''} ${fields.HttpHost ?? ''}`);
      if (fields.HttpStatusCode !== undefined) found.statuses.push(String(fields.HttpStatusCode));
      if (fields.GrpcStatusCode !== undefined) found.grpcStatuses.push(String(fields.GrpcStatusCode));
    }
  }
  return { items: result, stats: analyzer.stats, partial };
}

/** Items of `oracle` missing from `ours` (multiset difference), and how many oracle items there were. */
export function missing(oracle: string[], ours: string[]): string[] {
  const left = new Map<string, number>();
  for (const item of ours) left.set(item, (left.get(item) ?? 0) + 1);
  const absent: string[] = [];
  for (const item of oracle) {
    const count = left.get(item) ?? 0;
    if (count > 0) left.set(item, count - 1);
    else absent.push(item);
  }
  return absent;
}
