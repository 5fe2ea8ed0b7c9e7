import type { L7Fields } from '../../shared/l7/l7Fields';
import { emptyL7Stats } from '../../shared/l7/l7Stats';
import { QuicTracker } from '../../shared/l7/quicTracker';
import { bytes, udpPacket } from './support/builders';
import { cryptoFrame, initialPacket } from './support/quicBuilders';
import { runPackets } from './support/run';
import { chromeHello, rawExt, serverHello } from './support/tlsBuilders';

const DCID = Buffer.from('8394c8f03e515708', 'hex');
const SCID = bytes(1, 2, 3, 4);

describe('QUIC handshake over UDP', () => {
  const hello = chromeHello();
  const cut = 300;
  const first = initialPacket({
    side: 'client',
    dcid: DCID,
    scid: SCID,
    packetNumber: 0,
    frames: cryptoFrame(cut, hello.subarray(cut)),
  });
  const second = initialPacket({
    side: 'client',
    dcid: DCID,
    scid: SCID,
    packetNumber: 1,
    frames: bytes(1, cryptoFrame(0, hello.subarray(0, cut))),
  });
  const sh = serverHello({ cipher: 0x1301, extensions: [rawExt(0x002b, bytes(3, 4))] });
  const reply = initialPacket({
    side: 'server',
    dcid: SCID,
    scid: bytes(9, 9),
    originalDcid: DCID,
    packetNumber: 0,
    frames: bytes(2, 0, 0, 0, 0, cryptoFrame(0, sh)),
  });
  const client = (payload: Uint8Array) => udpPacket({ sport: 55000, dport: 443, payload });
  const server = (payload: Uint8Array) =>
    udpPacket({ src: '10.0.0.53', dst: '10.0.0.1', sport: 443, dport: 55000, payload });

  it('reassembles a ClientHello from CRYPTO frames across Initial packets, and reads the ServerHello', () => {
    const found = runPackets([client(first), client(second), server(reply), client(second)]);
    expect(
      found.map((m) => [m.index, m.fields.TlsHandshake, m.fields.Ja4 ?? m.fields.TlsCipherSuite]),
    ).toEqual([
      [1, 'ClientHello', 'q13d1516h2_8daaf6152771_d8a2da3f94cd'],
      [2, 'ServerHello', 'TLS_AES_128_GCM_SHA256'],
    ]);
  });

  it('keeps the original keys for later client Initials with a new DCID, and follows a Retry', () => {
    const later = initialPacket({
      side: 'client',
      dcid: bytes(9, 9),
      scid: SCID,
      originalDcid: DCID,
      packetNumber: 2,
      frames: cryptoFrame(0, hello.subarray(0, cut)),
    });
    const found = runPackets([client(first), client(later)]);
    expect(found.map((m) => m.index)).toEqual([1]);
    const retried = Buffer.from('0102030405060708', 'hex');
    const afterRetry = initialPacket({
      side: 'client',
      dcid: retried,
      scid: SCID,
      packetNumber: 0,
      frames: cryptoFrame(0, hello),
    });
    const replyAfterRetry = initialPacket({
      side: 'server',
      dcid: SCID,
      scid: bytes(9, 9),
      originalDcid: retried,
      packetNumber: 0,
      frames: cryptoFrame(0, sh),
    });
    expect(
      runPackets([client(afterRetry), server(replyAfterRetry)]).map((m) => m.fields.TlsHandshake),
    ).toEqual(['ClientHello', 'ServerHello']);
  });

  it('reads the ServerHello under the keys of a Retry that came after the ClientHello was complete', () => {
    const retried = Buffer.from('0a0b0c0d0e0f1011', 'hex');
    const resent = (frames: Uint8Array, packetNumber: number) =>
      initialPacket({ side: 'client', dcid: retried, scid: SCID, packetNumber, frames });
    const replyAfterRetry = initialPacket({
      side: 'server',
      dcid: SCID,
      scid: bytes(9, 9),
      originalDcid: retried,
      packetNumber: 0,
      frames: cryptoFrame(0, sh),
    });
    const found = runPackets([
      client(first),
      client(second),
      server(reply.slice(0, 200)), // damaged: the ServerHello side stays open
      client(resent(cryptoFrame(0, hello.subarray(0, cut)), 0)),
      server(reply), // keys of the first DCID no longer apply
      server(replyAfterRetry),
    ]);
    expect(found.map((m) => [m.index, m.fields.TlsHandshake])).toEqual([
      [1, 'ClientHello'],
      [5, 'ServerHello'],
    ]);
  });

  it('reports each hello once, however often its Initial packets repeat', () => {
    const found = runPackets([
      client(first),
      client(second),
      server(reply),
      client(first),
      client(second),
      server(reply),
      client(second),
    ]);
    expect(found.map((m) => [m.index, m.fields.TlsHandshake])).toEqual([
      [1, 'ClientHello'],
      [2, 'ServerHello'],
    ]);
  });

  it('bounds the connections it remembers', () => {
    const stats = emptyL7Stats();
    const tracker = new QuicTracker(stats, 2);
    for (const key of ['a', 'b', 'c']) tracker.datagram(key, first, []);
    expect(stats.evictedFlows).toBe(1);
  });

  it('forgets connections on clear', () => {
    const out: L7Fields[] = [];
    const tracker = new QuicTracker(emptyL7Stats());
    tracker.datagram('k', first, out);
    tracker.clear();
    tracker.datagram('k', reply, out);
    expect(out).toEqual([]);
  });

  it('ignores datagrams that are not Initial packets', () => {
    const out: L7Fields[] = [];
    new QuicTracker(emptyL7Stats()).datagram('k', bytes(0x40, 1, 2, 3), out);
    expect(out).toEqual([]);
  });
});
