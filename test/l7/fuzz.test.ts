import { Http2Connection } from '../../shared/l7/http2Connection';
import { Http2StreamParser } from '../../shared/l7/http2Stream';
import fc from 'fast-check';
import { createL7Analyzer } from '../../shared/l7/analyzer';
import { parseDnsMessage } from '../../shared/l7/dns';
import { DnsTcpStreamParser } from '../../shared/l7/dnsStream';
import { parseHttpHead } from '../../shared/l7/http';
import { HttpFlowState, HttpStreamParser } from '../../shared/l7/httpStream';
import type { L7Fields } from '../../shared/l7/l7Fields';
import { emptyL7Stats } from '../../shared/l7/l7Stats';
import type { StreamParser } from '../../shared/l7/messageStream';
import { MessageStream } from '../../shared/l7/messageStream';
import { decryptQuicInitial } from '../../shared/l7/quicInitial';
import { DEFAULT_REASSEMBLY_LIMITS, TcpDirection } from '../../shared/l7/reassembly';
import { parseClientHello, parseServerHello, parseSslv2ClientHello } from '../../shared/l7/tls';
import { TlsFlowState, TlsStreamParser } from '../../shared/l7/tlsStream';
import { TcpFlag } from '../../shared/packet/decodedPacket';
import { bytes, Conversation, tcpPacket } from './support/builders';
import { chromeHello, records } from './support/tlsBuilders';

const RUNS = { numRuns: 300 };
const anyBytes = fc.uint8Array({ maxLength: 600 });

/** Bytes that start like a real message and then go wrong: mutations of a valid sample. */
function mutated(sample: Uint8Array) {
  return fc
    .array(fc.tuple(fc.nat(sample.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 })
    .chain((edits) =>
      fc.nat(sample.length).map((cut) => {
        const copy = sample.slice(0, cut);
        for (const [at, value] of edits) if (at < copy.length) copy[at] = value;
        return copy;
      }),
    );
}

describe('parsers never throw', () => {
  const hello = chromeHello();
  it.each([
    ['parseHttpHead', (b: Uint8Array) => parseHttpHead(b, 0, b.length)],
    ['parseDnsMessage', (b: Uint8Array) => parseDnsMessage(b)],
    ['parseClientHello', (b: Uint8Array) => parseClientHello(b, 0, b.length)],
    ['parseServerHello', (b: Uint8Array) => parseServerHello(b, 0, b.length)],
    ['parseSslv2ClientHello', (b: Uint8Array) => parseSslv2ClientHello(b, 0, b.length)],
    ['decryptQuicInitial', (b: Uint8Array) => decryptQuicInitial(bytes(0xc0, 0, 0, 0, 1, b), 'client')],
  ])('%s on random bytes', (_name, parse) => {
    fc.assert(
      fc.property(anyBytes, (b) => void parse(b)),
      RUNS,
    );
  });

  it('parseClientHello on mutated ClientHellos', () => {
    fc.assert(
      fc.property(mutated(hello), (b) => void parseClientHello(b, 4, b.length)),
      RUNS,
    );
  });

  it('parseDnsMessage on pointer loops and huge counts', () => {
    const header = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }));
    const pointers = fc.array(fc.constantFrom(0xc0, 0x0c, 0x0d, 0x3f, 0x00, 0x01, 0x41), { maxLength: 40 });
    fc.assert(
      fc.property(header, pointers, ([flags, count], tail) => {
        const message = bytes(
          0,
          1,
          flags >> 8,
          flags & 0xff,
          count >> 8,
          count & 0xff,
          count >> 8,
          count & 0xff,
          0,
          0,
          0,
          0,
          tail,
        );
        const result = parseDnsMessage(message);
        if (result.ok) expect((result.fields.DnsAnswers ?? []).length).toBeLessThanOrEqual(64);
      }),
      RUNS,
    );
  });
});

describe('stream parsers stay bounded on adversarial streams', () => {
  const parsers: Array<[string, () => StreamParser]> = [
    ['HTTP', () => new HttpStreamParser(new HttpFlowState(emptyL7Stats()), 0)],
    ['TLS', () => new TlsStreamParser(new TlsFlowState(), emptyL7Stats())],
    ['DNS/TCP', () => new DnsTcpStreamParser(emptyL7Stats())],
    [
      'HTTP/2',
      () => new Http2StreamParser(new Http2Connection(0, false, emptyL7Stats(), undefined), 0, true),
    ],
    [
      'HTTP/2 mid-connection',
      () => new Http2StreamParser(new Http2Connection(undefined, true, emptyL7Stats(), undefined), 1),
    ],
  ];
  it.each(parsers)('%s on random chunks', (_name, make) => {
    fc.assert(
      fc.property(fc.array(anyBytes, { maxLength: 12 }), (chunks) => {
        const parser = make();
        const stream = new MessageStream(parser, emptyL7Stats());
        const out: L7Fields[] = [];
        for (const chunk of chunks) stream.push(chunk, out);
        expect(stream.bufferedBytes).toBeLessThanOrEqual(parser.maxMessageBytes);
      }),
      RUNS,
    );
  });

  it.each([
    ['a header flood', 'GET / HTTP/1.1\r\n' + 'X-A: b\r\n'.repeat(20000)],
    [
      'an endless chunked body',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' + '1\r\na\r\n'.repeat(20000),
    ],
    [
      'a huge Content-Length',
      'POST / HTTP/1.1\r\nContent-Length: 999999999999999\r\n\r\n' + 'x'.repeat(70000),
    ],
  ])('HTTP: %s keeps memory bounded', (_name, text) => {
    const parser = new HttpStreamParser(new HttpFlowState(emptyL7Stats()), 0);
    const stream = new MessageStream(parser, emptyL7Stats());
    const data = bytes(text);
    for (let at = 0; at < data.length; at += 1460) stream.push(data.subarray(at, at + 1460), []);
    expect(stream.bufferedBytes).toBeLessThanOrEqual(parser.maxMessageBytes);
  });
});

describe('reassembly and the analyser never throw', () => {
  it('TcpDirection with overlapping, repeated, wrapped segments delivers each byte at most once', () => {
    const segment = fc.tuple(fc.integer({ min: -50, max: 400 }), fc.integer({ min: 1, max: 80 }));
    fc.assert(
      fc.property(
        fc.array(segment, { maxLength: 60 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (segments, isn) => {
          const stats = emptyL7Stats();
          const direction = new TcpDirection(
            { ...DEFAULT_REASSEMBLY_LIMITS, maxOutOfOrderSegments: 8 },
            stats,
          );
          direction.start(isn);
          let delivered = 0;
          let gaps = 0;
          const sink = {
            data: (c: Uint8Array) => void (delivered += c.length),
            gap: (n: number) => void (gaps += n),
          };
          let maxEnd = 0;
          for (const [offset, length] of segments) {
            direction.segment((isn + offset) >>> 0, new Uint8Array(length), sink);
            maxEnd = Math.max(maxEnd, offset + length);
          }
          expect(delivered + gaps).toBeLessThanOrEqual(Math.max(0, maxEnd));
          expect(direction.bufferedBytes).toBeLessThanOrEqual(DEFAULT_REASSEMBLY_LIMITS.maxOutOfOrderBytes);
        },
      ),
      RUNS,
    );
  });

  it('the analyser on shuffled, duplicated and truncated real-looking segments', () => {
    const c = new Conversation(undefined, { ip: '10.0.0.2', port: 443 });
    const wire = records(chromeHello(), 200);
    const base = [
      ...c.handshake(),
      ...Array.from({ length: Math.ceil(wire.length / 100) }, (_, i) =>
        c.client(wire.subarray(i * 100, i * 100 + 100)),
      ),
    ];
    fc.assert(
      fc.property(
        fc.array(fc.nat(base.length - 1), { maxLength: 40 }),
        fc.array(anyBytes, { maxLength: 4 }),
        (order, junk) => {
          const analyzer = createL7Analyzer({ maxFlows: 4 });
          for (const index of order) analyzer.analyze(base[index]!);
          for (const payload of junk)
            analyzer.analyze(tcpPacket({ seq: 7, dport: 443, payload, flags: TcpFlag.ACK }));
          expect(analyzer.flowCount).toBeLessThanOrEqual(4);
          expect(analyzer.stats.internalErrors).toBe(0);
        },
      ),
      RUNS,
    );
  });
});
