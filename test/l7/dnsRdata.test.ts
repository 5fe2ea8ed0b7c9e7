import { renderRdata, renderRdataBounded } from '../../shared/l7/dnsRdata';
import { TRUNCATION_MARKER } from '../../shared/l7/truncate';
import { be16, bytes, withLength } from './support/builders';
import { dnsName } from './support/dnsBuilders';

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

  it('bounds a long value with the truncation marker', () => {
    const message = m(new Uint8Array(400).fill(0xab));
    const value = renderRdataBounded(message, 65280, start, message.length)!;
    expect(value).toHaveLength(512);
    expect(value.endsWith(TRUNCATION_MARKER)).toBe(true);
  });
});
