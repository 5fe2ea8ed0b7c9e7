import { readFileSync } from 'node:fs';
import { readCapture } from '../../../shared/capture/readCapture';
import { createL7Analyzer } from '../../../shared/l7/analyzer';
import { dnsRcodeName, dnsTypeName } from '../../../shared/l7/dnsTypes';
import type { L7Fields } from '../../../shared/l7/l7Fields';
import { redactRequestTarget } from '../../../shared/l7/redact';
import { formatIp } from '../../../shared/net/ipAddress';
import { decodePacket } from '../../../shared/packet/decodePacket';
import { FragmentReassembler } from '../../../shared/packet/fragmentReassembler';
import { sharedPath } from '../../support/sharedData';

/** One message of ours, with the frame that completed it and its connection endpoints. */
export interface OurMessage {
  frame: number;
  fields: L7Fields;
  src: string;
  dst: string;
  sport: number;
  dport: number;
}

/** Runs a capture from `../shared/captures/public` through the decoder and the layer-7 analyser. */
export function analyzeCapture(file: string): OurMessage[] {
  const capture = readCapture(readFileSync(sharedPath('captures', 'public', file)));
  const reassembler = new FragmentReassembler();
  const analyzer = createL7Analyzer();
  const messages: OurMessage[] = [];
  for (const captured of capture.packets) {
    let packet = decodePacket(captured, captured.interface.linkType);
    const result = reassembler.push(packet);
    if (result.kind === 'reassembled') packet = result.packet;
    for (const fields of analyzer.analyzeAll(packet)) {
      messages.push({
        frame: captured.frame,
        fields,
        src: formatIp(packet.sourceIp!),
        dst: formatIp(packet.destinationIp!),
        sport: packet.sourcePort!,
        dport: packet.destinationPort!,
      });
    }
  }
  return messages;
}

/** Oracle rows of a capture keyed by tshark field name. */
export function oracleRows(file: string): Record<string, string>[] {
  const [header, ...rows] = readFileSync(sharedPath('captures', 'oracle', `${file}.tsv`), 'utf8')
    .replace(/\n$/, '')
    .split('\n');
  const names = header!.split('\t');
  return rows.map((row) => {
    const cells = row.split('\t');
    return Object.fromEntries(names.map((name, i) => [name, cells[i] ?? '']));
  });
}

/** A message reduced to the fields both sides report, as a comparable string. */
export type MessageKey = string;

/** What tshark says the first layer-7 message of a frame is, in {@link MessageKey} form. */
export function oracleMessage(row: Record<string, string>): MessageKey | undefined {
  const method = row['http.request.method'];
  if (method) {
    const uri = row['http.request.uri'] ?? '';
    return key(
      'HTTP request',
      method,
      uri === '' ? '' : redactRequestTarget(uri),
      row['http.host'],
      row['http.user_agent'],
    );
  }
  if (row['http.response.code']) return key('HTTP response', row['http.response.code']);
  if (row['dns.id']) {
    const response = row['dns.flags.response'] === '1' || row['dns.flags.response'] === 'True';
    return key(
      'DNS',
      String(Number(row['dns.id'])),
      String(response),
      row['dns.qry.name'] === '<Root>' ? '.' : row['dns.qry.name'],
      row['dns.qry.type'] ? dnsTypeName(Number(row['dns.qry.type'])) : '',
      response && row['dns.flags.rcode'] ? dnsRcodeName(Number(row['dns.flags.rcode'])) : '',
      response ? row['dns.count.answers'] : '',
    );
  }
  const type = row['tls.handshake.type'];
  // SSL 2.0 numbers its messages differently: only type 1 is a ClientHello there.
  if (row['tls.handshake.version'] === '0x0002' && type !== '1') return undefined;
  if (type === '1')
    return key(
      'TLS ClientHello',
      row['tls.handshake.extensions_server_name'],
      row['tls.handshake.extensions_alpn_str'],
      row['tls.handshake.ja3'],
    );
  if (type === '2') return key('TLS ServerHello');
  return undefined;
}

/** Our message in {@link MessageKey} form. */
export function ourMessage(fields: L7Fields): MessageKey {
  switch (fields.L7Protocol) {
    case 'HTTP':
      if (fields.HttpStatusCode !== undefined) return key('HTTP response', String(fields.HttpStatusCode));
      return key(
        'HTTP request',
        fields.HttpMethod,
        fields.HttpPath ?? '',
        fields.HttpHost,
        fields.HttpUserAgent,
      );
    case 'DNS':
      return key(
        'DNS',
        String(fields.DnsId),
        String(fields.DnsIsResponse),
        fields.DnsQuery,
        fields.DnsQueryType,
        fields.DnsResponseCode,
        fields.DnsIsResponse ? String(fields.DnsAnswers?.length ?? 0) : '',
      );
    case 'TLS':
      if (fields.TlsHandshake === 'ServerHello') return key('TLS ServerHello');
      return key('TLS ClientHello', fields.TlsServerName, fields.TlsAlpn?.[0], fields.Ja3);
    case undefined:
      return 'none';
  }
}

function key(...parts: Array<string | undefined>): MessageKey {
  return parts.map((p) => p ?? '').join(' | ');
}

/** Agreement of one capture with the oracle. */
export interface CaptureAgreement {
  file: string;
  /** Frames where tshark shows a layer-7 message. */
  oracle: number;
  /** Of those, frames where our first message is identical. */
  agreed: number;
  /** `frame N: ours X, tshark Y` for every frame where the two differ (including missing on either side). */
  disagreements: string[];
}

/** Compares the first message per frame, ours against tshark's, over a whole capture. */
export function compareWithOracle(file: string): CaptureAgreement {
  const ours = new Map<number, MessageKey>();
  for (const message of analyzeCapture(file))
    if (!ours.has(message.frame)) ours.set(message.frame, ourMessage(message.fields));
  const theirs = new Map<number, MessageKey>();
  for (const row of oracleRows(file)) {
    const message = oracleMessage(row);
    if (message !== undefined) theirs.set(Number(row['frame.number']), message);
  }
  const frames = [...new Set([...ours.keys(), ...theirs.keys()])].sort((a, b) => a - b);
  const disagreements: string[] = [];
  let agreed = 0;
  for (const frame of frames) {
    const a = ours.get(frame);
    const b = theirs.get(frame);
    if (a === b) agreed++;
    else disagreements.push(`frame ${frame}: ours ${a ?? '(none)'}; tshark ${b ?? '(none)'}`);
  }
  return { file, oracle: theirs.size, agreed, disagreements };
}
