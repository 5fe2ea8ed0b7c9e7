import { parseDnsMessage } from '../../shared/l7/dns';
import { readDnsName } from '../../shared/l7/dnsName';
import { renderRdata } from '../../shared/l7/dnsRdata';
import { dnsRcodeName, dnsTypeName } from '../../shared/l7/dnsTypes';
import { be16, bytes, withLength } from './support/builders';
import { dnsMessage, dnsName, POINTER_TO_QUESTION, rr } from './support/dnsBuilders';

describe('readDnsName', () => {
  const header = new Uint8Array(12);
  it.each([
    ['simple', bytes(header, dnsName('www.example.com')), 12, 'www.example.com', 29],
    ['root', bytes(header, 0), 12, '.', 13],
    ['pointer', bytes(header, dnsName('example.com'), 3, 'www', 0xc0, 12), 25, 'www.example.com', 31],
    ['escapes dots and binary', bytes(header, 3, 'a.b', 2, 1, 0x20, 0), 12, 'a\\.b.\\001\\032', 20],
  ])('%s', (_name, message, offset, name, next) => {
    expect(readDnsName(message, offset)).toEqual({ name, next });
  });

  it.each([
    ['empty', new Uint8Array(0), 0],
    ['runs past the end', bytes(header, 5, 'ab'), 12],
    ['pointer to itself (loop)', bytes(header, 0xc0, 12), 12],
    ['pointer forward', bytes(header, 0xc0, 14, 0), 12],
    ['mutual pointers', bytes(header, 1, 'a', 0xc0, 15, 1, 'b', 0xc0, 12), 15],
    ['reserved label type', bytes(header, 0x40, 0), 12],
    [
      'longer than 255 bytes',
      bytes(header, ...Array.from({ length: 5 }, () => withLength(1, bytes('x'.repeat(63)))), 0),
      12,
    ],
    ['truncated pointer', bytes(header, 0xc0), 12],
  ])('rejects %s', (_name, message, offset) => {
    expect(readDnsName(message, offset)).toBeUndefined();
  });
});

describe('renderRdata', () => {
  const m = (rdata: Uint8Array) => bytes(new Uint8Array(12), dnsName('example.com'), rdata);
  const start = 12 + 13;
  it.each([
    ['A', 1, bytes(192, 0, 2, 1), '192.0.2.1'],
    ['AAAA', 28, bytes(0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1), '2001:db8::1'],
    ['CNAME compressed', 5, bytes(3, 'www', 0xc0, 12), 'www.example.com'],
    ['MX', 15, bytes(be16(10), dnsName('mx.example.com')), '10 mx.example.com'],
    [
      'TXT two strings',
      16,
      bytes(withLength(1, bytes('v=spf1 -all')), withLength(1, bytes('a"b'))),
      '"v=spf1 -all" "a\\"b"',
    ],
    ['SRV', 33, bytes(be16(1), be16(5), be16(443), dnsName('svc.example.com')), '1 5 443 svc.example.com'],
    [
      'SOA',
      6,
      bytes(
        dnsName('ns.example.com'),
        dnsName('admin.example.com'),
        ...[1, 2, 3, 4, 5].flatMap((n) => [0, 0, ...be16(n)]),
      ),
      'ns.example.com admin.example.com 1 2 3 4 5',
    ],
    ['CAA', 257, bytes(0, 5, 'issue', 'letsencrypt.org'), '0 issue "letsencrypt.org"'],
    [
      'HTTPS',
      65,
      bytes(
        be16(1),
        0,
        be16(1),
        withLength(2, bytes(2, 'h2', 2, 'h3')),
        be16(4),
        withLength(2, bytes(192, 0, 2, 1)),
      ),
      '1 . alpn=h2,h3 ipv4hint=192.0.2.1',
    ],
    ['SVCB alias', 64, bytes(be16(0), dnsName('svc.example.net')), '0 svc.example.net'],
    ['unknown type', 65280, bytes(0xde, 0xad), '\\# 2 dead'],
    ['unknown type, empty', 65280, bytes(), '\\# 0'],
  ])('%s', (_name, type, rdata, expected) => {
    const message = m(rdata);
    expect(renderRdata(message, type, start, message.length)).toBe(expected);
  });

  it.each([
    ['A of 3 bytes', 1, bytes(1, 2, 3)],
    ['AAAA of 4 bytes', 28, bytes(1, 2, 3, 4)],
    ['MX too short', 15, bytes(0)],
    ['TXT string past the end', 16, bytes(9, 'ab')],
    ['SOA without numbers', 6, bytes(0, 0)],
    ['CAA tag past the end', 257, bytes(0, 9, 'is')],
    ['SVCB param past the end', 64, bytes(be16(1), 0, be16(1), be16(9))],
    ['CNAME pointer loop', 5, bytes(0xc0, 25)],
  ])('rejects %s', (_name, type, rdata) => {
    const message = m(rdata);
    expect(renderRdata(message, type, start, message.length)).toBeUndefined();
  });
});

describe('parseDnsMessage', () => {
  it.each([
    [
      'query',
      dnsMessage({ id: 7, name: 'example.com', qtype: 28 }),
      { L7Protocol: 'DNS', DnsId: 7, DnsIsResponse: false, DnsQuery: 'example.com', DnsQueryType: 'AAAA' },
    ],
    [
      'response with CNAME chain and A',
      dnsMessage({
        id: 9,
        flags: 0x8180,
        name: 'www.example.com',
        answers: [
          rr(POINTER_TO_QUESTION, 5, 300, bytes(4, 'edge', 0xc0, 16)),
          rr(bytes(4, 'edge', 0xc0, 16), 1, 60, bytes(192, 0, 2, 7)),
        ],
      }),
      {
        L7Protocol: 'DNS',
        DnsId: 9,
        DnsIsResponse: true,
        DnsQuery: 'www.example.com',
        DnsQueryType: 'A',
        DnsResponseCode: 'NOERROR',
        DnsAnswers: [
          { type: 'CNAME', value: 'edge.example.com', ttl: 300 },
          { type: 'A', value: '192.0.2.7', ttl: 60 },
        ],
      },
    ],
    [
      'NXDOMAIN',
      dnsMessage({ flags: 0x8183, qtype: 65 }),
      {
        L7Protocol: 'DNS',
        DnsId: 0x1234,
        DnsIsResponse: true,
        DnsQuery: 'example.com',
        DnsQueryType: 'HTTPS',
        DnsResponseCode: 'NXDOMAIN',
      },
    ],
    [
      'unknown rcode',
      dnsMessage({ flags: 0x818c, qtype: 999 }),
      {
        L7Protocol: 'DNS',
        DnsId: 0x1234,
        DnsIsResponse: true,
        DnsQuery: 'example.com',
        DnsQueryType: 'TYPE999',
        DnsResponseCode: 'RCODE12',
      },
    ],
    [
      'EDNS extended rcode (BADVERS) and OPT not in answers',
      dnsMessage({ flags: 0x8180, additional: [bytes(0, be16(41), be16(1232), 1, 0, 0, 0, be16(0))] }),
      {
        L7Protocol: 'DNS',
        DnsId: 0x1234,
        DnsIsResponse: true,
        DnsQuery: 'example.com',
        DnsQueryType: 'A',
        DnsResponseCode: 'BADVERS',
      },
    ],
  ])('%s', (_name, message, fields) => {
    expect(parseDnsMessage(message)).toEqual({ ok: true, fields, partial: false });
  });

  it('keeps the answers before a damaged one and marks the result partial', () => {
    const message = dnsMessage({
      flags: 0x8180,
      answers: [rr(POINTER_TO_QUESTION, 1, 5, bytes(1, 2, 3, 4))],
    });
    const truncated = bytes(message, 0xc0);
    truncated[7] = 2;
    const result = parseDnsMessage(truncated);
    expect(result).toMatchObject({
      ok: true,
      partial: true,
      fields: { DnsAnswers: [{ type: 'A', value: '1.2.3.4', ttl: 5 }] },
    });
  });

  it.each([
    ['empty', new Uint8Array(0)],
    ['short header', new Uint8Array(11)],
    ['question count without question', bytes(be16(1), be16(0), be16(1), be16(0), be16(0), be16(0))],
    ['unassigned opcode', bytes(be16(1), be16(0x7800), be16(0), be16(0), be16(0), be16(0))],
  ])('rejects %s', (_name, message) => {
    expect(parseDnsMessage(message).ok).toBe(false);
  });

  it('limits answers to 64 rendered entries', () => {
    const answers = Array.from({ length: 100 }, () => rr(POINTER_TO_QUESTION, 1, 1, bytes(1, 1, 1, 1)));
    const result = parseDnsMessage(dnsMessage({ flags: 0x8180, answers }));
    expect(result.ok && result.fields.DnsAnswers?.length).toBe(64);
  });
});

describe('DNS mnemonics', () => {
  it.each([
    [1, 'A'], [65, 'HTTPS'], [257, 'CAA'], [0, 'TYPE0'], [65535, 'TYPE65535'],
  ])('type %d → %s', (type, name) => expect(dnsTypeName(type)).toBe(name)); // prettier-ignore
  it.each([
    [0, 'NOERROR'], [3, 'NXDOMAIN'], [15, 'RCODE15'],
  ])('rcode %d → %s', (rcode, name) => expect(dnsRcodeName(rcode)).toBe(name)); // prettier-ignore
});
