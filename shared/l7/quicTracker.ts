import { u24 } from './bytes';
import type { L7Fields } from './l7Fields';
import type { L7Stats } from './l7Stats';
import type { QuicInitial } from './quicInitial';
import { decryptQuicInitial } from './quicInitial';
import { QuicKeyCache } from './quicKeyCache';
import { parseClientHello, parseServerHello } from './tls';
import { clientHelloFields, serverHelloFields } from './tlsStream';

/** Most CRYPTO bytes held per side: enough for any ClientHello, and the ServerHello at the start. */
const MAX_CRYPTO_BYTES = 16 * 1024;

interface CryptoSide {
  frames: Array<{ offset: number; data: Uint8Array }>;
  bytes: number;
  done: boolean;
}

interface QuicConnection {
  originalDcid: Uint8Array;
  client: CryptoSide;
  server: CryptoSide;
}

function side(): CryptoSide {
  return { frames: [], bytes: 0, done: false };
}

/**
 * QUIC handshakes seen over UDP: decrypts Initial packets (their keys derive from the client's
 * first Destination Connection ID, RFC 9001 §5.2), reassembles the CRYPTO stream and reports the
 * ClientHello (with JA4 `q...`) and ServerHello, once each per connection.
 */
export class QuicTracker {
  private readonly connections = new Map<string, QuicConnection>();
  private readonly keys = new QuicKeyCache();

  constructor(
    private readonly stats: L7Stats,
    private readonly maxConnections = 1024,
  ) {}

  /** Offers a UDP datagram of the flow `flowKey` (same for both directions). */
  datagram(flowKey: string, payload: Uint8Array, out: L7Fields[]): void {
    let connection = this.connections.get(flowKey);
    // Both hellos reported: nothing this connection sends can produce a record any more.
    if (connection !== undefined && connection.client.done && connection.server.done) return;
    const keysFor = this.keys.keys;
    // A client's first Initial (and its first after a Retry) is keyed by its own DCID; later ones
    // carry the server's connection id but keep the keys of the original DCID.
    const ownKeys = decryptQuicInitial(payload, 'client', undefined, keysFor);
    const asClient =
      ownKeys ?? (connection && decryptQuicInitial(payload, 'client', connection.originalDcid, keysFor));
    if (asClient) {
      if (connection === undefined) {
        connection = { originalDcid: asClient.destinationCid.slice(), client: side(), server: side() };
        this.remember(flowKey, connection);
      } else if (ownKeys) {
        connection.originalDcid = ownKeys.destinationCid.slice();
      }
      this.collect(connection.client, asClient, 1, out);
      return;
    }
    if (connection === undefined || connection.server.done) return;
    const asServer = decryptQuicInitial(payload, 'server', connection.originalDcid, keysFor);
    if (asServer) this.collect(connection.server, asServer, 2, out);
  }

  /** Forgets every connection. */
  clear(): void {
    this.connections.clear();
    this.keys.clear();
  }

  private remember(key: string, connection: QuicConnection): void {
    if (this.connections.size >= this.maxConnections) {
      const oldest = this.connections.keys().next();
      if (!oldest.done) {
        this.connections.delete(oldest.value);
        this.stats.evictedFlows++;
      }
    }
    this.connections.set(key, connection);
  }

  private collect(crypto: CryptoSide, packet: QuicInitial, type: 1 | 2, out: L7Fields[]): void {
    if (crypto.done) return;
    for (const frame of packet.crypto) {
      if (
        frame.offset + frame.data.length > MAX_CRYPTO_BYTES ||
        crypto.bytes + frame.data.length > MAX_CRYPTO_BYTES
      )
        continue;
      crypto.frames.push({ offset: frame.offset, data: frame.data.slice() });
      crypto.bytes += frame.data.length;
    }
    const stream = contiguous(crypto.frames);
    if (stream.length < 4) return;
    const length = u24(stream, 1);
    if (stream[0] !== type || length + 4 > MAX_CRYPTO_BYTES) {
      crypto.done = true;
      this.stats.malformed++;
      return;
    }
    if (stream.length < 4 + length) return;
    crypto.done = true;
    crypto.frames = [];
    if (type === 1) {
      const hello = parseClientHello(stream, 4, 4 + length);
      if (hello) out.push(clientHelloFields(hello, 'q'));
      else this.stats.malformed++;
    } else {
      const hello = parseServerHello(stream, 4, 4 + length);
      if (hello) out.push(serverHelloFields(hello));
      else this.stats.malformed++;
    }
  }
}

/** The bytes available from stream offset 0 without a hole. */
function contiguous(frames: Array<{ offset: number; data: Uint8Array }>): Uint8Array {
  const sorted = [...frames].sort((a, b) => a.offset - b.offset);
  let end = 0;
  for (const frame of sorted) {
    if (frame.offset > end) break;
    end = Math.max(end, frame.offset + frame.data.length);
  }
  const stream = new Uint8Array(end);
  for (const frame of sorted)
    if (frame.offset < end) stream.set(frame.data.subarray(0, end - frame.offset), frame.offset);
  return stream;
}
