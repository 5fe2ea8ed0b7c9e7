/**
 * Layer-7 analyser throughput: `npx tsx bench/l7.ts`.
 *
 * 1. Synthetic traffic: packets/s and messages/s for HTTP, DNS, TLS and a mix. Packets are built
 *    once up front (as the L2–L4 decoder would hand them over), so only the analyser is timed.
 * 2. When `../shared/captures` and tshark/mergecap are present: the public captures concatenated
 *    into one pcapng, read + decoded + layer 7 by us, against `tshark -T fields` with the oracle's
 *    fields on the same file, as a ratio.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readCapture } from '../shared/capture/readCapture';
import { createL7Analyzer } from '../shared/l7/analyzer';
import { decodePacket } from '../shared/packet/decodePacket';
import { FragmentReassembler } from '../shared/packet/fragmentReassembler';
import { sharedPath } from './support/paths';
import type { DecodedPacket } from '../shared/packet/decodedPacket';
import { TcpFlag } from '../shared/packet/decodedPacket';
import { bytes, Conversation, tcpPacket, udpPacket, withLength } from '../test/l7/support/builders';
import { dnsMessage, POINTER_TO_QUESTION, rr } from '../test/l7/support/dnsBuilders';
import {
  block,
  data as h2Data,
  grpcMessage,
  headers as h2Headers,
  hp,
  PREFACE as H2_PREFACE,
  settings as h2Settings,
} from '../test/l7/support/h2Builders';
import { exchange as h2Exchange, recordHttp2, type RecordedChunk } from '../test/l7/support/h2Recorder';
import { chromeHello, rawExt, records, serverHello } from '../test/l7/support/tlsBuilders';

const FLOWS = 2000;

function endpoints(i: number, port: number) {
  return [
    { ip: `10.${(i >> 8) & 0xff}.${i & 0xff}.1`, port: 20000 + (i % 40000) },
    { ip: '10.200.0.1', port },
  ] as const;
}

function close(c: Conversation): DecodedPacket[] {
  const fin = (fromClient: boolean) =>
    tcpPacket({
      src: fromClient ? c.clientEnd.ip : c.serverEnd.ip,
      dst: fromClient ? c.serverEnd.ip : c.clientEnd.ip,
      sport: fromClient ? c.clientEnd.port : c.serverEnd.port,
      dport: fromClient ? c.serverEnd.port : c.clientEnd.port,
      seq: fromClient ? c.clientSeq : c.serverSeq,
      ack: fromClient ? c.serverSeq : c.clientSeq,
      flags: TcpFlag.FIN | TcpFlag.ACK,
    });
  return [fin(true), fin(false)];
}

function http(i: number): DecodedPacket[] {
  const c = new Conversation(...endpoints(i, 8080));
  const body = 'x'.repeat(3000);
  return [
    ...c.handshake(),
    c.client(
      `GET /api/v1/items/${i}?page=2&token=abc HTTP/1.1\r\nHost: svc.default\r\nUser-Agent: bench/1.0\r\nAccept: */*\r\n\r\n`,
    ),
    c.server(
      `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 1000)}`,
    ),
    c.server(body.slice(1000, 2400)),
    c.server(body.slice(2400)),
    c.client(
      `POST /api/v1/items HTTP/1.1\r\nHost: svc.default\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
    ),
    c.server('HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n'),
    ...close(c),
  ];
}

/** A long download: the head, then 500 body segments that are only skipped. */
const BODY_SEGMENT = new Uint8Array(1400).fill(0x61);
function httpBulk(i: number): DecodedPacket[] {
  const c = new Conversation(...endpoints(i, 80));
  const segments = 500;
  const packets = [
    ...c.handshake(),
    c.client(`GET /download/${i} HTTP/1.1\r\nHost: files\r\n\r\n`),
    c.server(`HTTP/1.1 200 OK\r\nContent-Length: ${segments * BODY_SEGMENT.length}\r\n\r\n`),
  ];
  for (let s = 0; s < segments; s++) packets.push(c.server(BODY_SEGMENT));
  return [...packets, ...close(c)];
}

/**
 * HTTP/2 (h2c, prior knowledge), shaped like the HTTP scenario: a GET with a 3-segment response,
 * then a gRPC call (request message, response message, trailers). Header blocks use the static
 * table, literals with incremental indexing, and dynamic table references on the second request.
 */
function h2(i: number): DecodedPacket[] {
  const c = new Conversation(...endpoints(i, 50051));
  const body = new Uint8Array(3000).fill(0x61);
  const get = block(
    hp.indexed(2),
    hp.indexed(6),
    hp.indexing(4, `/api/v1/items/${i}?page=2&token=abc`),
    hp.indexing(1, 'svc.default:50051'),
    hp.indexing(58, 'bench/1.0'),
    hp.indexed(19),
  );
  const grpc = block(
    hp.indexed(3),
    hp.indexed(6),
    hp.plain(4, '/pkg.Items/Get'),
    hp.indexed(63),
    hp.indexing(31, 'application/grpc'),
    hp.indexing('te', 'trailers'),
    hp.indexed(64),
  );
  return [
    ...c.handshake(),
    c.client(bytes(H2_PREFACE, h2Settings([4, 65535]), h2Headers(1, get, true))),
    c.server(
      bytes(
        h2Settings(),
        h2Headers(1, block(hp.indexed(8), hp.indexing(31, 'application/json')), false),
        h2Data(1, body.subarray(0, 1000)),
      ),
    ),
    c.server(h2Data(1, body.subarray(1000, 2400))),
    c.server(h2Data(1, body.subarray(2400), true)),
    c.client(bytes(h2Headers(3, grpc, false), h2Data(3, grpcMessage(40), true))),
    c.server(
      bytes(
        h2Headers(3, block(hp.indexed(8), hp.indexed(62)), false),
        h2Data(3, grpcMessage(120)),
        h2Headers(3, block(hp.plain('grpc-status', '0')), true),
      ),
    ),
    ...close(c),
  ];
}

function dns(i: number): DecodedPacket[] {
  const query = dnsMessage({ id: i & 0xffff, name: `svc${i}.ns.svc.cluster.local` });
  const answer = dnsMessage({
    id: i & 0xffff,
    flags: 0x8180,
    name: `svc${i}.ns.svc.cluster.local`,
    answers: [
      rr(POINTER_TO_QUESTION, 5, 30, bytes(3, 'lb1', 0xc0, 12)),
      rr(POINTER_TO_QUESTION, 1, 30, bytes(10, 0, i & 0xff, 1)),
    ],
  });
  const [client] = endpoints(i, 53);
  return [
    udpPacket({ src: client.ip, sport: client.port, payload: query }),
    udpPacket({ src: '10.0.0.53', dst: client.ip, sport: 53, dport: client.port, payload: answer }),
  ];
}

function dnsTcp(i: number): DecodedPacket[] {
  const c = new Conversation(...endpoints(i, 53));
  return [...c.handshake(), c.client(withLength(2, dnsMessage({ id: 1, name: 'big.example' }))), ...close(c)];
}

function tls(i: number): DecodedPacket[] {
  const c = new Conversation(...endpoints(i, 443));
  const hello = records(chromeHello());
  const sh = records(serverHello({ cipher: 0x1301, extensions: [rawExt(0x002b, bytes(3, 4))] }));
  return [
    ...c.handshake(),
    c.client(hello),
    c.server(bytes(sh, records(bytes(1), 16384, 20), bytes(23, 3, 3, 0, 200, new Uint8Array(200)))),
    c.client(bytes(23, 3, 3, 0, 100, new Uint8Array(100))),
    c.server(bytes(23, 3, 3, 5, 0, new Uint8Array(1280))),
    ...close(c),
  ];
}

function measure(name: string, packets: DecodedPacket[], rounds: number): void {
  let messages = 0;
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    const analyzer = createL7Analyzer();
    for (const packet of packets) messages += analyzer.analyzeAll(packet).length;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const total = packets.length * rounds;
  const pps = Math.round(total / seconds).toLocaleString('en-US');
  const mps = Math.round(messages / seconds).toLocaleString('en-US');
  console.log(
    `${name.padEnd(12)} ${String(total).padStart(9)} packets ${pps.padStart(12)} packets/s ${mps.padStart(12)} messages/s`,
  );
}

/**
 * HTTP/2 as Node's http2 (nghttp2) writes it: Huffman strings, dynamic table references. One real
 * connection (a GET with a 3 KB body and a gRPC call with trailers) is recorded over loopback once,
 * then replayed on {@link FLOWS} connections.
 */
async function recordedH2(): Promise<RecordedChunk[]> {
  return recordHttp2(
    (stream, headers) => {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        if (String(headers[':path']).startsWith('/pkg.')) {
          stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
          stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
          stream.end(grpcMessage(120));
        } else {
          stream.respond({ ':status': 200, 'content-type': 'application/json' });
          stream.end('x'.repeat(3000));
        }
      });
    },
    async (session) => {
      await h2Exchange(session, {
        ':method': 'GET',
        ':path': '/api/v1/items/7?page=2&token=abc',
        'user-agent': 'bench/1.0',
      });
      await h2Exchange(
        session,
        { ':method': 'POST', ':path': '/pkg.Items/Get', 'content-type': 'application/grpc', te: 'trailers' },
        grpcMessage(40),
      );
    },
  );
}

function replayed(chunks: RecordedChunk[], i: number): DecodedPacket[] {
  const c = new Conversation(...endpoints(i, 50051));
  const packets = c.handshake();
  for (const chunk of chunks)
    for (let at = 0; at < chunk.bytes.length; at += 1400) {
      const piece = chunk.bytes.subarray(at, at + 1400);
      packets.push(chunk.fromClient ? c.client(piece) : c.server(piece));
    }
  return [...packets, ...close(c)];
}

async function main(): Promise<void> {
  const range = Array.from({ length: FLOWS }, (_, i) => i);
  const chunks = await recordedH2();
  const sets: Array<[string, DecodedPacket[]]> = [
    ['HTTP', range.flatMap(http)],
    ['HTTP/2', range.flatMap(h2)],
    ['HTTP/2 node', range.flatMap((i) => replayed(chunks, i))],
    ['DNS/UDP', range.flatMap(dns)],
    ['DNS/TCP', range.flatMap(dnsTcp)],
    ['TLS', range.flatMap(tls)],
    ['HTTP bulk', range.slice(0, 200).flatMap(httpBulk)],
  ];
  const mixed = range.flatMap((i) => [...http(i), ...dns(i + FLOWS), ...tls(i + 2 * FLOWS)]);
  for (const [name, packets] of sets) measure(name, packets, 1);
  console.log('--- measured (after warm-up)');
  for (const [name, packets] of [...sets, ['mixed', mixed] as [string, DecodedPacket[]]])
    measure(name, packets, 5);
  benchCaptures();
}

function hasTool(name: string): boolean {
  return spawnSync(name, ['-v'], { stdio: 'ignore' }).status === 0;
}

function benchCaptures(): void {
  const publicDir = sharedPath('captures', 'public');
  if (!existsSync(publicDir) || !hasTool('tshark') || !hasTool('mergecap')) {
    console.log('captures: skipped (needs ../shared/captures, tshark and mergecap)');
    return;
  }
  const merged = path.join(tmpdir(), 'l7-bench-public.pcapng');
  const files = readdirSync(publicDir).map((f) => path.join(publicDir, f));
  execFileSync('mergecap', ['-a', '-F', 'pcapng', '-w', merged, ...files]);
  const bytesOfFile = readFileSync(merged);
  const rounds = 20;
  let packets = 0;
  let messages = 0;
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    const capture = readCapture(bytesOfFile);
    const fragments = new FragmentReassembler();
    const analyzer = createL7Analyzer();
    for (const captured of capture.packets) {
      let packet = decodePacket(captured, captured.interface.linkType);
      const result = fragments.push(packet);
      if (result.kind === 'reassembled') packet = result.packet;
      messages += analyzer.analyzeAll(packet).length;
      packets++;
    }
  }
  const ours = Number(process.hrtime.bigint() - start) / 1e9 / rounds;
  const fields = readFileSync(sharedPath('captures', 'oracle', 'FIELDS.txt'), 'utf8')
    .trim()
    .split(/\s+/);
  const args = [
    '-n',
    '-r',
    merged,
    '-T',
    'fields',
    '-E',
    'header=y',
    '-E',
    'separator=/t',
    '-E',
    'occurrence=f',
  ];
  for (const field of fields) args.push('-e', field);
  let tshark = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = process.hrtime.bigint();
    execFileSync('tshark', args, { stdio: ['ignore', 'ignore', 'ignore'], maxBuffer: 1 << 28 });
    tshark = Math.min(tshark, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  const perPass = packets / rounds;
  console.log(
    `captures   ${perPass} packets (${files.length} files): ours ${(ours * 1000).toFixed(1)} ms ` +
      `(${Math.round(perPass / ours).toLocaleString('en-US')} packets/s, ${Math.round(messages / rounds / ours).toLocaleString('en-US')} messages/s, read + decode + L7), ` +
      `tshark ${(tshark * 1000).toFixed(0)} ms; ratio ${(tshark / ours).toFixed(1)}x`,
  );
}

void main();
