import { DNS_PORTS, isDnsPort, parseDnsMessage } from '../../shared/l7/dns';
import { be16, bytes } from './support/builders';
import { dnsMessage, dnsName, POINTER_TO_QUESTION, rr } from './support/dnsBuilders';

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
    ['unassigned opcode', bytes(be16(1), be16(0x7800), be16(0), be16(0), be16(0), be16(0))],
  ])('rejects %s', (_name, message) => {
    expect(parseDnsMessage(message).ok).toBe(false);
  });

  const head = (flags: number, questions: number, answers: number) =>
    bytes(be16(0x1234), be16(flags), be16(questions), be16(answers), be16(0), be16(0));
  const label63 = bytes(63, 'a'.repeat(63));
  it.each([
    [
      'question count without question',
      head(0x0100, 1, 0),
      'question 1 at offset 12: name runs past the end of the message',
    ],
    [
      'a pointer to itself',
      bytes(head(0x8183, 1, 0), 0xc0, 12, 0, 1, 0, 1),
      'question 1 at offset 12: compression pointer loop',
    ],
    [
      'a pointer forward',
      bytes(head(0x0100, 1, 0), 0xc0, 14, 0, 0, 1, 0, 1),
      'question 1 at offset 12: compression pointer forward',
    ],
    [
      'a pointer out of range',
      bytes(head(0x0100, 1, 0), 0xc3, 0xff, 0, 1, 0, 1),
      'question 1 at offset 12: compression pointer out of range',
    ],
    [
      'a label of 64 bytes (type bits 01)',
      bytes(head(0x0100, 1, 0), 0x40, 'a'.repeat(64), 0, 0, 1, 0, 1),
      'question 1 at offset 12: label longer than 63 bytes',
    ],
    [
      'a name over 255 bytes',
      bytes(head(0x0100, 1, 0), label63, label63, label63, label63, 0, 0, 1, 0, 1),
      'question 1 at offset 12: name longer than 255 bytes',
    ],
    [
      'an answer whose owner pointers loop',
      bytes(
        head(0x8180, 1, 1),
        dnsName('ok.example'),
        0,
        1,
        0,
        1,
        1,
        'x',
        0xc0,
        28,
        0,
        1,
        0,
        1,
        0,
        0,
        0,
        5,
        0,
        4,
        1,
        2,
        3,
        4,
      ),
      'answer 1 at offset 28: owner name: compression pointer loop',
    ],
  ])('keeps a message with %s, naming the problem in DnsParseError', (_name, message, error) => {
    const parsed = parseDnsMessage(message);
    expect(parsed).toMatchObject({
      ok: true,
      partial: true,
      fields: { L7Protocol: 'DNS', DnsId: 0x1234, DnsParseError: error },
    });
  });

  it('keeps the rcode of a response whose question cannot be read', () => {
    expect(parseDnsMessage(bytes(head(0x8183, 1, 0), 0xc0, 12))).toMatchObject({
      ok: true,
      fields: {
        DnsIsResponse: true,
        DnsResponseCode: 'NXDOMAIN',
        DnsParseError: expect.stringContaining('loop'),
      },
    });
  });

  it('limits answers to 64 rendered entries', () => {
    const answers = Array.from({ length: 100 }, () => rr(POINTER_TO_QUESTION, 1, 1, bytes(1, 1, 1, 1)));
    const result = parseDnsMessage(dnsMessage({ flags: 0x8180, answers }));
    expect(result.ok && result.fields.DnsAnswers?.length).toBe(64);
  });

  it('shows every answer read whole to onAnswer, with its owner name and RDATA bounds', () => {
    const seen: [string, number, number, number][] = [];
    const message = dnsMessage({
      flags: 0x8180,
      name: 'www.example.com',
      answers: [
        rr(POINTER_TO_QUESTION, 5, 300, bytes(4, 'edge', 0xc0, 16)),
        rr(bytes(4, 'edge', 0xc0, 16), 1, 60, bytes(192, 0, 2, 7)),
        rr(POINTER_TO_QUESTION, 1, 60, bytes(192, 0, 2)),
      ],
    });
    parseDnsMessage(message.subarray(0, message.length - 1), (owner, type, ttl, _message, start, end) =>
      seen.push([owner, type, ttl, end - start]),
    );
    expect(seen).toEqual([
      ['www.example.com', 5, 300, 7],
      ['edge.example.com', 1, 60, 4],
    ]);
    const unrendered = parseDnsMessage(message, () => undefined, false);
    expect(unrendered).toMatchObject({ ok: true, partial: false, fields: { DnsResponseCode: 'NOERROR' } });
    expect(unrendered.ok && unrendered.fields.DnsAnswers).toBeUndefined();
  });
});

describe('isDnsPort', () => {
  it('agrees with DNS_PORTS on every port', () => {
    const ports: number[] = [];
    for (let port = 0; port <= 0xffff; port++) if (isDnsPort(port)) ports.push(port);
    expect(ports).toEqual([...DNS_PORTS].sort((a, b) => a - b));
  });
});
