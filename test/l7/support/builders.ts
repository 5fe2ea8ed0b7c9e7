import type { DecodedPacket } from '../../../shared/packet/decodedPacket';
import { IpProtocol, TcpFlag } from '../../../shared/packet/decodedPacket';

/** Bytes from a mix of numbers (one byte each), strings (latin1) and byte arrays. */
export function bytes(...parts: Array<number | string | Uint8Array | number[]>): Uint8Array {
  const chunks: number[] = [];
  for (const part of parts) {
    if (typeof part === 'number') chunks.push(part & 0xff);
    else if (typeof part === 'string') for (const ch of part) chunks.push(ch.charCodeAt(0) & 0xff);
    else chunks.push(...part);
  }
  return Uint8Array.from(chunks);
}

/** Big-endian 16-bit value as two bytes. */
export function be16(value: number): number[] {
  return [(value >> 8) & 0xff, value & 0xff];
}

/** Big-endian 24-bit value as three bytes. */
export function be24(value: number): number[] {
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

/** `data` prefixed by its length in `width` bytes. */
export function withLength(width: 1 | 2 | 3, data: Uint8Array): Uint8Array {
  const prefix = width === 1 ? [data.length] : width === 2 ? be16(data.length) : be24(data.length);
  return bytes(prefix, data);
}

/** Options of {@link tcpPacket}. */
export interface TcpPacketOptions {
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
  seq: number;
  ack?: number;
  flags?: number;
  payload?: Uint8Array | string;
  /** Seconds since the epoch (fractional allowed). */
  time?: number;
  frame?: number;
  /** Declared payload length, when larger than the captured payload (snaplen truncation). */
  payloadLength?: number;
}

function ip(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

function timing(time = 1_700_000_000): Pick<DecodedPacket, 'timestampSec' | 'timestampNsec'> {
  const sec = Math.floor(time);
  return { timestampSec: sec, timestampNsec: Math.round((time - sec) * 1e9) };
}

/** A decoded IPv4 TCP packet as the L2–L4 decoder would produce it. */
export function tcpPacket(options: TcpPacketOptions): DecodedPacket {
  const payload =
    typeof options.payload === 'string' ? bytes(options.payload) : (options.payload ?? new Uint8Array(0));
  return {
    frame: options.frame ?? 1,
    ...timing(options.time),
    direction: 'unknown',
    originalLength: 54 + payload.length,
    data: payload,
    ipVersion: 4,
    sourceIp: ip(options.src ?? '10.0.0.1'),
    destinationIp: ip(options.dst ?? '10.0.0.2'),
    protocol: IpProtocol.TCP,
    sourcePort: options.sport ?? 40000,
    destinationPort: options.dport ?? 80,
    tcpFlags: options.flags ?? TcpFlag.ACK | TcpFlag.PSH,
    tcpSeq: options.seq >>> 0,
    ...(options.ack === undefined ? {} : { tcpAck: options.ack >>> 0 }),
    payload,
    payloadLength: options.payloadLength ?? payload.length,
  };
}

/** A decoded IPv4 UDP packet. */
export function udpPacket(options: {
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
  payload: Uint8Array;
}): DecodedPacket {
  return {
    frame: 1,
    ...timing(),
    direction: 'unknown',
    originalLength: 42 + options.payload.length,
    data: options.payload,
    ipVersion: 4,
    sourceIp: ip(options.src ?? '10.0.0.1'),
    destinationIp: ip(options.dst ?? '10.0.0.53'),
    protocol: IpProtocol.UDP,
    sourcePort: options.sport ?? 50000,
    destinationPort: options.dport ?? 53,
    payload: options.payload,
    payloadLength: options.payload.length,
  };
}

/**
 * A scripted TCP conversation: `client(...)` / `server(...)` produce packets with running
 * sequence numbers, so tests can reorder, duplicate or drop them.
 */
export class Conversation {
  clientSeq: number;
  serverSeq: number;
  private time = 1_700_000_000;

  constructor(
    readonly clientEnd = { ip: '10.0.0.1', port: 40000 },
    readonly serverEnd = { ip: '10.0.0.2', port: 80 },
    clientIsn = 1000,
    serverIsn = 5000,
  ) {
    this.clientSeq = clientIsn;
    this.serverSeq = serverIsn;
  }

  /** SYN, SYN-ACK, ACK. */
  handshake(): DecodedPacket[] {
    const syn = this.packet(true, '', TcpFlag.SYN);
    this.clientSeq = (this.clientSeq + 1) >>> 0;
    const synAck = this.packet(false, '', TcpFlag.SYN | TcpFlag.ACK);
    this.serverSeq = (this.serverSeq + 1) >>> 0;
    return [syn, synAck, this.packet(true, '', TcpFlag.ACK)];
  }

  /** A client data segment (advances the client's sequence number). */
  client(payload: Uint8Array | string): DecodedPacket {
    return this.data(true, payload);
  }

  /** A server data segment. */
  server(payload: Uint8Array | string): DecodedPacket {
    return this.data(false, payload);
  }

  private data(fromClient: boolean, payload: Uint8Array | string): DecodedPacket {
    const packet = this.packet(fromClient, payload, TcpFlag.ACK | TcpFlag.PSH);
    const length = typeof payload === 'string' ? payload.length : payload.length;
    if (fromClient) this.clientSeq = (this.clientSeq + length) >>> 0;
    else this.serverSeq = (this.serverSeq + length) >>> 0;
    return packet;
  }

  private packet(fromClient: boolean, payload: Uint8Array | string, flags: number): DecodedPacket {
    this.time += 0.001;
    const from = fromClient ? this.clientEnd : this.serverEnd;
    const to = fromClient ? this.serverEnd : this.clientEnd;
    return tcpPacket({
      src: from.ip,
      dst: to.ip,
      sport: from.port,
      dport: to.port,
      seq: fromClient ? this.clientSeq : this.serverSeq,
      ...((flags & TcpFlag.ACK) !== 0 ? { ack: fromClient ? this.serverSeq : this.clientSeq } : {}),
      flags,
      payload,
      time: this.time,
    });
  }
}
