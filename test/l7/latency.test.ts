import { createL7Analyzer } from '../../shared/l7/analyzer';
import { elapsedNs, MAX_PENDING_PER_CONNECTION } from '../../shared/l7/latency';
import type { DecodedPacket } from '../../shared/packet/decodedPacket';
import { TcpFlag } from '../../shared/packet/decodedPacket';
import { Conversation, tcpPacket, udpPacket } from './support/builders';
import { dnsMessage } from './support/dnsBuilders';
import * as h2 from './support/h2Builders';
import { runPackets } from './support/run';
import { chromeHello, rawExt, records, serverHello } from './support/tlsBuilders';
import { bytes } from './support/builders';

/** Microseconds (the builders' float packet times are exact to about 0.1 µs). */
const us = (ns: number | undefined) => (ns === undefined ? undefined : Math.round(ns / 1000));
const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: h\r\n\r\n`;
const ok = (status = 200) => `HTTP/1.1 ${status} X\r\nContent-Length: 0\r\n\r\n`;

/** A UDP DNS packet at `time` seconds. */
function dns(time: number, id: number, response: boolean, sport = 50000, name = 'a.example'): DecodedPacket {
  const packet = response
    ? udpPacket({
        src: '10.0.0.53',
        dst: '10.0.0.1',
        sport: 53,
        dport: sport,
        payload: dnsMessage({ id, flags: 0x8180, name }),
      })
    : udpPacket({ sport, payload: dnsMessage({ id, name }) });
  const sec = Math.floor(time);
  return { ...packet, timestampSec: sec, timestampNsec: Math.round((time - sec) * 1e9) };
}

/** FIN from both sides of `c`, ending the connection. */
function close(c: Conversation): DecodedPacket[] {
  const base = { src: c.clientEnd.ip, dst: c.serverEnd.ip, sport: c.clientEnd.port, dport: c.serverEnd.port };
  return [
    tcpPacket({
      ...base,
      seq: c.clientSeq,
      ack: c.serverSeq,
      flags: TcpFlag.FIN | TcpFlag.ACK,
      time: 1_700_000_010,
    }),
    tcpPacket({
      src: c.serverEnd.ip,
      dst: c.clientEnd.ip,
      sport: c.serverEnd.port,
      dport: c.clientEnd.port,
      seq: c.serverSeq,
      ack: c.clientSeq + 1,
      flags: TcpFlag.FIN | TcpFlag.ACK,
      time: 1_700_000_010.001,
    }),
  ];
}

describe('L7LatencyNs', () => {
  it('computes nanoseconds exactly from (sec, nsec) pairs beyond 2^53 ns', () => {
    expect(elapsedNs(1_700_000_000, 999_999_999, 1_700_000_001, 1)).toBe(2);
  });

  it('HTTP/1.x pipelining: responses answer requests first in, first out, and carry method and path', () => {
    const c = new Conversation();
    const found = runPackets([
      ...c.handshake(),
      c.client(get('/a')),
      c.client(get('/b')),
      c.server(ok()),
      c.server(ok(404)),
    ]);
    const responses = found.filter((m) => m.fields.HttpStatusCode !== undefined).map((m) => m.fields);
    expect(responses).toMatchObject([
      { HttpStatusCode: 200, HttpMethod: 'GET', HttpPath: '/a' },
      { HttpStatusCode: 404, HttpMethod: 'GET', HttpPath: '/b' },
    ]);
    // Packets are 1 ms apart: /a at 4, /b at 5, responses at 6 and 7.
    expect(responses.map((r) => Math.round(r.L7LatencyNs! / 1000))).toEqual([2000, 2000]);
    expect(
      found
        .filter((m) => m.fields.HttpMethod !== undefined && m.fields.HttpStatusCode === undefined)
        .every((m) => m.fields.L7LatencyNs === undefined),
    ).toBe(true);
  });

  it('HTTP/1.x: a request with a body completes at its end (as tshark), so an earlier 100 Continue is not timed', () => {
    const c = new Conversation();
    const found = runPackets([
      ...c.handshake(),
      c.client('POST /up HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n'),
      c.server('HTTP/1.1 100 Continue\r\n\r\n'),
      c.client('hi'),
      c.server(ok(201)),
    ]);
    const timed = found
      .filter((m) => m.fields.L7LatencyNs !== undefined)
      .map((m) => [m.fields.HttpStatusCode, us(m.fields.L7LatencyNs)]);
    expect(timed).toEqual([[201, 1000]]);
  });

  it('HTTP/1.x: a response with no request outstanding is not timed', () => {
    const c = new Conversation();
    const found = runPackets([...c.handshake(), c.server(ok())]);
    expect(found.map((m) => m.fields.L7LatencyNs)).toEqual([undefined]);
  });

  it('HTTP/1.x: a response lost to a gap counts as the answer of the requests before it', () => {
    const c = new Conversation();
    const analyzer = createL7Analyzer();
    const handshake = c.handshake();
    const lost = c.client(get('/lost'));
    c.server(ok()); // never captured; the client's next ACK shows the gap
    const found = runPackets(
      [...handshake, lost, c.client(get('/next')), c.server(ok())],
      undefined,
      analyzer,
    );
    const response = found.find((m) => m.fields.HttpStatusCode === 200)!.fields;
    expect(response.HttpPath).toBe('/next');
    expect(us(response.L7LatencyNs)).toBe(1000);
    expect(analyzer.takeUnanswered().map((u) => [u.fields.HttpPath, u.fields.L7Unanswered])).toEqual([
      ['/lost', true],
    ]);
  });

  it('DNS over UDP: pairs by id, addresses and ports; a reused id pairs with its own query', () => {
    const t = 1_700_000_000;
    const found = runPackets([
      dns(t, 7, false),
      dns(t + 0.005, 7, true),
      dns(t + 1, 7, false),
      dns(t + 1, 7, false, 50001), // same id, other port: another transaction
      dns(t + 1.002, 7, true),
      dns(t + 1.003, 7, true, 50001),
      dns(t + 2, 9, true), // no query
    ]);
    expect(found.filter((m) => m.fields.DnsIsResponse).map((m) => us(m.fields.L7LatencyNs))).toEqual([
      5000,
      2000,
      3000,
      undefined,
    ]);
    expect(found[1]!.fields.DnsQuery).toBe('a.example');
  });

  it('DNS over UDP: a retried query restarts the clock, as tshark pairs the latest', () => {
    const t = 1_700_000_000;
    const analyzer = createL7Analyzer();
    const found = runPackets(
      [dns(t, 3, false), dns(t + 1, 3, false), dns(t + 1.01, 3, true)],
      undefined,
      analyzer,
    );
    expect(us(found[2]!.fields.L7LatencyNs)).toBe(10_000);
    expect(analyzer.stats.dnsRetries).toBe(1);
    expect(analyzer.takeUnanswered()).toEqual([]);
  });

  it('DNS over UDP: a query without response is reported unanswered once, after the timeout', () => {
    const t = 1_700_000_000;
    const analyzer = createL7Analyzer({ dnsResponseTimeoutInMs: 5000 });
    runPackets(
      [dns(t, 1, false), dns(t + 0.001, 1, true), dns(t + 1, 2, false, 50000, 'lost.example')],
      undefined,
      analyzer,
    );
    // The sweep runs on TCP packets' clock (once a second of packet time).
    const c = new Conversation();
    runPackets([tcpPacket({ seq: 1, flags: TcpFlag.SYN, time: t + 3 })], undefined, analyzer);
    expect(analyzer.takeUnanswered()).toEqual([]);
    runPackets(
      [tcpPacket({ seq: 1, flags: TcpFlag.SYN, time: t + 7 }), ...c.handshake().slice(0, 0)],
      undefined,
      analyzer,
    );
    const unanswered = analyzer.takeUnanswered();
    expect(unanswered.map((u) => u.fields)).toMatchObject([
      { DnsQuery: 'lost.example', DnsId: 2, L7Unanswered: true },
    ]);
    expect(unanswered[0]!.packet.timestampSec).toBe(t + 1);
    expect(analyzer.takeUnanswered()).toEqual([]);
    expect(analyzer.stats.unanswered).toBe(1);
  });

  it('a point that never sees DNS responses reports no unanswered queries', () => {
    const t = 1_700_000_000;
    const analyzer = createL7Analyzer();
    runPackets([dns(t, 1, false), dns(t + 1, 2, false)], undefined, analyzer);
    analyzer.flush();
    expect(analyzer.takeUnanswered()).toEqual([]);
  });

  it('DNS over TCP: pairs by id on the connection', () => {
    const c = new Conversation(undefined, { ip: '10.0.0.53', port: 53 });
    const query = dnsMessage({ id: 0x42 });
    const answer = dnsMessage({ id: 0x42, flags: 0x8180 });
    const found = runPackets([
      ...c.handshake(),
      c.client(bytes([query.length >> 8, query.length & 0xff], query)),
      c.server(bytes([answer.length >> 8, answer.length & 0xff], answer)),
    ]);
    expect(found.map((m) => us(m.fields.L7LatencyNs))).toEqual([undefined, 1000]);
  });

  it('TLS: ServerHello is timed from the ClientHello', () => {
    const c = new Conversation(undefined, { ip: '10.0.0.2', port: 443 });
    const found = runPackets([
      ...c.handshake(),
      c.client(records(chromeHello())),
      c.server(records(serverHello({ cipher: 0x1301, extensions: [rawExt(0x002b, bytes(3, 4))] }))),
    ]);
    expect(found.map((m) => [m.fields.TlsHandshake, us(m.fields.L7LatencyNs)])).toEqual([
      ['ClientHello', undefined],
      ['ServerHello', 1000],
    ]);
  });

  it('reports requests still pending when the connection ends, once', () => {
    const c = new Conversation();
    const analyzer = createL7Analyzer();
    runPackets(
      [...c.handshake(), c.client(get('/a')), c.server(ok()), c.client(get('/never')), ...close(c)],
      undefined,
      analyzer,
    );
    const unanswered = analyzer.takeUnanswered();
    expect(unanswered.map((u) => u.fields)).toMatchObject([
      { HttpMethod: 'GET', HttpPath: '/never', L7Unanswered: true },
    ]);
    expect(unanswered[0]!.fields.L7LatencyNs).toBeUndefined();
    analyzer.flush();
    expect(analyzer.takeUnanswered()).toEqual([]);
  });

  it('reports nothing for a connection seen one way only (the response is elsewhere, not lost)', () => {
    const c = new Conversation();
    const [syn, , ack] = c.handshake();
    const analyzer = createL7Analyzer();
    runPackets([syn!, ack!, c.client(get('/a')), c.client(get('/b'))], undefined, analyzer);
    analyzer.flush();
    expect(analyzer.takeUnanswered()).toEqual([]);
  });

  it('bounds pending requests per connection: the oldest are evicted, counted and reported', () => {
    const c = new Conversation();
    const analyzer = createL7Analyzer();
    const opening = [...c.handshake(), c.server(ok(204))];
    const requests = Array.from({ length: MAX_PENDING_PER_CONNECTION + 6 }, (_, i) =>
      c.client(get(`/r${i}`)),
    );
    runPackets([...opening, ...requests], undefined, analyzer);
    expect(analyzer.stats.pendingEvicted).toBe(6);
    expect(analyzer.takeUnanswered().map((u) => u.fields.HttpPath)).toEqual([
      '/r0',
      '/r1',
      '/r2',
      '/r3',
      '/r4',
      '/r5',
    ]);
    // The next response answers the oldest request still held.
    const found = runPackets([c.server(ok())], undefined, analyzer);
    expect(found[0]!.fields.HttpPath).toBe('/r6');
    analyzer.flush();
    expect(analyzer.takeUnanswered()).toHaveLength(MAX_PENDING_PER_CONNECTION - 1);
  });
});

describe('L7LatencyNs on HTTP/2', () => {
  const request = (stream: number, path: string) =>
    h2.headers(
      stream,
      h2.block(h2.hp.indexed(2), h2.hp.indexed(6), h2.hp.plain(4, path), h2.hp.plain(1, 'svc')),
      true,
    );

  it('times a response from the request HEADERS of its stream, to the response END_STREAM', () => {
    const c = new Conversation(undefined, { ip: '10.0.0.2', port: 8080 });
    const found = runPackets([
      ...c.handshake(),
      c.client(bytes(h2.PREFACE, h2.settings())),
      c.server(h2.settings()),
      c.client(bytes(request(1, '/slow'), request(3, '/fast'))),
      c.server(h2.headers(3, h2.block(h2.hp.indexed(8)), true)),
      c.server(h2.headers(1, h2.block(h2.hp.indexed(8)), false)),
      c.server(h2.data(1, 'body', true)),
    ]);
    const responses = found.filter((m) => m.fields.HttpStatusCode !== undefined).map((m) => m.fields);
    expect(responses.map((r) => [r.Http2StreamId, r.HttpMethod, r.HttpPath, us(r.L7LatencyNs)])).toEqual([
      [3, 'GET', '/fast', 1000],
      [1, 'GET', '/slow', 3000],
    ]);
    const requests = found.filter((m) => m.fields.HttpStatusCode === undefined).map((m) => m.fields);
    expect(requests.every((r) => r.L7LatencyNs === undefined)).toBe(true);
  });
});
