import http2 from 'node:http2';
import net from 'node:net';
import { writePcap } from '../../../shared/capture/pcapWriter';
import { craftFrame, type CraftSpec } from '../../../shared/packet/craftFrame';
import type { DecodedPacket } from '../../../shared/packet/decodedPacket';
import { TcpFlag } from '../../../shared/packet/decodedPacket';
import { Conversation } from './builders';

/** Bytes one side wrote, in the order the recording proxy saw them. */
export interface RecordedChunk {
  fromClient: boolean;
  bytes: Uint8Array;
}

/**
 * Records real HTTP/2 traffic between Node's `http2` client and server (nghttp2 inside: Huffman
 * strings, dynamic table indexing, multiplexed streams) through a loopback TCP proxy, so tests run
 * on traffic no hand-written encoder produced. Returns every chunk each side wrote, in order.
 */
export async function recordHttp2(
  onStream: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void,
  scenario: (session: http2.ClientHttp2Session) => Promise<void>,
  serverSettings: http2.Settings = {},
): Promise<RecordedChunk[]> {
  const chunks: RecordedChunk[] = [];
  const server = http2.createServer({ settings: serverSettings });
  server.on('stream', onStream);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const serverPort = (server.address() as net.AddressInfo).port;
  const sockets: net.Socket[] = [];
  const proxy = net.createServer((inbound) => {
    const outbound = net.connect(serverPort, '127.0.0.1');
    sockets.push(inbound, outbound);
    inbound.on('data', (data: Buffer) => {
      chunks.push({ fromClient: true, bytes: Uint8Array.from(data) });
      outbound.write(data);
    });
    outbound.on('data', (data: Buffer) => {
      chunks.push({ fromClient: false, bytes: Uint8Array.from(data) });
      inbound.write(data);
    });
    inbound.on('error', () => undefined);
    outbound.on('error', () => undefined);
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyPort = (proxy.address() as net.AddressInfo).port;
  const session = http2.connect(`http://127.0.0.1:${proxyPort}`);
  session.on('error', () => undefined);
  try {
    await scenario(session);
  } finally {
    await new Promise<void>((resolve) => session.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return chunks;
}

/** A client request and its whole response body; resolves once the stream closes. */
export function exchange(
  session: http2.ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
  body?: Uint8Array | string,
): Promise<void> {
  return new Promise((resolve) => {
    const request = session.request(headers, { endStream: body === undefined });
    request.on('error', () => resolve());
    request.on('data', () => undefined);
    request.on('close', () => resolve());
    if (body !== undefined) request.end(body);
  });
}

/** The recorded chunks as decoded TCP packets of one connection (handshake first), split at `mss` bytes. */
export function chunksToPackets(chunks: RecordedChunk[], port = 8080, mss = 1400): DecodedPacket[] {
  const c = new Conversation(undefined, { ip: '10.0.0.2', port });
  const packets = c.handshake();
  for (const chunk of chunks) {
    for (let at = 0; at < chunk.bytes.length; at += mss) {
      const piece = chunk.bytes.subarray(at, at + mss);
      packets.push(chunk.fromClient ? c.client(piece) : c.server(piece));
    }
  }
  return packets;
}

/**
 * The recorded chunks as a classic pcap of Ethernet frames (handshake first, segments of at most
 * `mss` bytes, real sequence and acknowledgement numbers), for tests of whole pipelines.
 */
export function chunksToPcap(chunks: RecordedChunk[], port = 50051, mss = 1400): Uint8Array {
  const client = { ip: '10.1.0.5', port: 41000 };
  const server = { ip: '10.1.0.9', port };
  let clientSeq = 1000;
  let serverSeq = 9000;
  const specs: CraftSpec[] = [];
  const segment = (fromClient: boolean, flags: number, payload: Uint8Array = new Uint8Array(0)): void => {
    specs.push({
      source: fromClient ? client.ip : server.ip,
      destination: fromClient ? server.ip : client.ip,
      transport: {
        protocol: 'tcp',
        sourcePort: fromClient ? client.port : server.port,
        destinationPort: fromClient ? server.port : client.port,
        flags,
        seq: fromClient ? clientSeq : serverSeq,
        ack: (flags & TcpFlag.ACK) === 0 ? 0 : fromClient ? serverSeq : clientSeq,
      },
      payload,
    });
    const advance = payload.length + ((flags & TcpFlag.SYN) === 0 ? 0 : 1);
    if (fromClient) clientSeq += advance;
    else serverSeq += advance;
  };
  segment(true, TcpFlag.SYN);
  segment(false, TcpFlag.SYN | TcpFlag.ACK);
  segment(true, TcpFlag.ACK);
  for (const chunk of chunks)
    for (let at = 0; at < chunk.bytes.length; at += mss)
      segment(chunk.fromClient, TcpFlag.PSH | TcpFlag.ACK, chunk.bytes.subarray(at, at + mss));
  return writePcap(
    { linkType: 1 },
    specs.map((spec, i) => ({
      timestampSec: 1_700_000_000,
      timestampNsec: i * 1000,
      data: craftFrame(spec),
    })),
  );
}
