import { readDnsName } from '../../shared/l7/dnsName';
import { bytes, withLength } from './support/builders';
import { dnsName } from './support/dnsBuilders';

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
