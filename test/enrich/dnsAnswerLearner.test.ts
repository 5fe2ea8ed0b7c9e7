import { DnsAnswerLearner } from '../../shared/enrich/dnsAnswerLearner';
import { DnsNameCache } from '../../shared/enrich/dnsNameCache';
import { ipKeyOfText } from '../../shared/enrich/ipKey';
import { parseIp } from '../../shared/net/ipAddress';
import { craftFrame, type CraftTransport } from '../../shared/packet/craftFrame';
import { decodePacket } from '../../shared/packet/decodePacket';
import type { DecodedPacket } from '../../shared/packet/decodedPacket';
import { LinkType } from '../../shared/packet/linkType';
import { be16, bytes, withLength } from '../l7/support/builders';
import { dnsMessage, dnsName, POINTER_TO_QUESTION, rr } from '../l7/support/dnsBuilders';

const ip = (text: string): Uint8Array => parseIp(text)!;
const POD = '10.244.1.5';
const RESOLVER = '10.0.0.10';
const A = 1;
const CNAME = 5;
const AAAA = 28;
const TXT = 16;

function setup(): { cache: DnsNameCache; learner: DnsAnswerLearner } {
  const cache = new DnsNameCache();
  return { cache, learner: new DnsAnswerLearner(cache) };
}

function learnAll(message: Uint8Array): { learned: number; cache: DnsNameCache } {
  const { cache, learner } = setup();
  const learned = learner.learnMessage(message, ipKeyOfText(POD)!, 1_000);
  return { learned, cache };
}

const name = (cache: DnsNameCache, address: string, client = POD): string | undefined =>
  cache.nameFor(ip(client), ip(address), 2_000);

function packet(
  transport: CraftTransport,
  payload: Uint8Array,
  source = RESOLVER,
  destination = POD,
): DecodedPacket {
  const data = craftFrame({ source, destination, transport, payload });
  return decodePacket(
    { frame: 1, timestampSec: 1, timestampNsec: 0, originalLength: data.length, data },
    LinkType.ETHERNET,
  );
}

describe('DnsAnswerLearner.learnMessage', () => {
  it('maps every address of a CNAME chain to the name the client asked, lower-cased', () => {
    const edge = bytes(4, 'edge', 3, 'cdn', 3, 'net', 0);
    const { learned, cache } = learnAll(
      dnsMessage({
        flags: 0x8180,
        name: 'WWW.Example.com',
        answers: [
          rr(POINTER_TO_QUESTION, CNAME, 300, edge),
          rr(dnsName('edge.cdn.net'), A, 120, bytes(192, 0, 2, 7)),
          rr(dnsName('edge.cdn.net'), A, 120, bytes(192, 0, 2, 8)),
        ],
      }),
    );
    expect(learned).toBe(2);
    expect(name(cache, '192.0.2.7')).toBe('www.example.com');
    expect(name(cache, '192.0.2.8')).toBe('www.example.com');
  });

  it('follows chain links given out of order and takes the smallest TTL along the chain', () => {
    const { cache, learner } = setup();
    const message = dnsMessage({
      flags: 0x8180,
      name: 'a.example',
      answers: [
        rr(dnsName('c.example'), AAAA, 3_000, ip('2001:db8::1')),
        rr(dnsName('b.example'), CNAME, 90, dnsName('c.example')),
        rr(dnsName('a.example'), CNAME, 3_000, dnsName('b.example')),
      ],
    });
    expect(learner.learnMessage(message, ipKeyOfText(POD)!, 0)).toBe(1);
    expect(cache.nameFor(ip(POD), ip('2001:db8::1'), 89_999)).toBe('a.example');
    expect(cache.nameFor(ip(POD), ip('2001:db8::1'), 90_000)).toBeUndefined();
  });

  it('ignores addresses whose owner is not on the chain', () => {
    const { learned, cache } = learnAll(
      dnsMessage({
        flags: 0x8180,
        name: 'a.example',
        answers: [
          rr(POINTER_TO_QUESTION, A, 60, bytes(192, 0, 2, 1)),
          rr(dnsName('unrelated.example'), A, 60, bytes(192, 0, 2, 2)),
        ],
      }),
    );
    expect(learned).toBe(1);
    expect(name(cache, '192.0.2.1')).toBe('a.example');
    expect(name(cache, '192.0.2.2')).toBeUndefined();
  });

  it('survives a CNAME loop in the answers', () => {
    const { learned, cache } = learnAll(
      dnsMessage({
        flags: 0x8180,
        name: 'a.example',
        answers: [
          rr(dnsName('a.example'), CNAME, 60, dnsName('b.example')),
          rr(dnsName('b.example'), CNAME, 60, dnsName('a.example')),
          rr(dnsName('b.example'), A, 60, bytes(192, 0, 2, 3)),
        ],
      }),
    );
    expect(learned).toBe(1);
    expect(name(cache, '192.0.2.3')).toBe('a.example');
  });

  const header = (flags: number, questions: number, answers: number): number[] => [
    ...be16(0x4242),
    ...be16(flags),
    ...be16(questions),
    ...be16(answers),
    ...be16(0),
    ...be16(0),
  ];
  const goodAnswer = rr(POINTER_TO_QUESTION, A, 60, bytes(192, 0, 2, 9));

  it.each<[string, Uint8Array]>([
    ['empty message', new Uint8Array(0)],
    ['header only, truncated', bytes(header(0x8180, 1, 1)).subarray(0, 7)],
    ['a query (QR clear)', dnsMessage({ flags: 0x0100, answers: [goodAnswer] })],
    ['NXDOMAIN', dnsMessage({ flags: 0x8183, answers: [goodAnswer] })],
    ['SERVFAIL', dnsMessage({ flags: 0x8182 })],
    ['a response without answers', dnsMessage({ flags: 0x8180 })],
    ['another opcode (NOTIFY)', dnsMessage({ flags: 0xa180, answers: [goodAnswer] })],
    [
      'two questions',
      bytes(
        header(0x8180, 2, 0),
        dnsName('a.example'),
        be16(1),
        be16(1),
        dnsName('b.example'),
        be16(1),
        be16(1),
      ),
    ],
    ['no question', bytes(header(0x8180, 0, 1), goodAnswer)],
    [
      'question name with a pointer loop',
      bytes(header(0x8180, 1, 1), 0xc0, 12, be16(1), be16(1), goodAnswer),
    ],
    [
      'answer owner with a forward pointer',
      bytes(
        header(0x8180, 1, 1),
        dnsName('a.example'),
        be16(1),
        be16(1),
        0xc0,
        0x3f,
        be16(1),
        be16(1),
        be16(0),
        be16(60),
        withLength(2, bytes(1, 2, 3, 4)),
      ),
    ],
    [
      'A record with 5 bytes of data',
      dnsMessage({ flags: 0x8180, answers: [rr(POINTER_TO_QUESTION, A, 60, bytes(1, 2, 3, 4, 5))] }),
    ],
    ['answer truncated mid-record', dnsMessage({ flags: 0x8180, answers: [goodAnswer] }).subarray(0, 40)],
    [
      'only a TXT answer',
      dnsMessage({ flags: 0x8180, answers: [rr(POINTER_TO_QUESTION, TXT, 60, withLength(1, bytes('hi')))] }),
    ],
    [
      'CNAME whose target is damaged',
      dnsMessage({ flags: 0x8180, answers: [rr(POINTER_TO_QUESTION, CNAME, 60, bytes(0xc0, 0xff))] }),
    ],
  ])('learns nothing and does not throw from: %s', (_, message) => {
    const { learned, cache } = learnAll(message);
    expect(learned).toBe(0);
    expect(cache.stats().addresses).toBe(0);
  });

  it('keeps what was read whole when a later answer is damaged', () => {
    const message = dnsMessage({
      flags: 0x8180,
      answers: [goodAnswer, rr(POINTER_TO_QUESTION, A, 60, bytes(192, 0, 2, 10))],
    });
    const { learned, cache } = learnAll(message.subarray(0, message.length - 3));
    expect(learned).toBe(1);
    expect(name(cache, '192.0.2.9')).toBe('example.com');
  });

  it('reads at most 256 answers of a huge response', () => {
    const answers = Array.from({ length: 1000 }, (_, i) =>
      rr(POINTER_TO_QUESTION, A, 60, bytes(10, 9, i >> 8, i & 0xff)),
    );
    const { learned, cache } = learnAll(dnsMessage({ flags: 0x8180, answers }));
    expect(learned).toBe(256);
    expect(cache.stats().addresses).toBe(256);
  });

  it('never throws on random bytes', () => {
    const { learner } = setup();
    let seed = 7;
    const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    for (let i = 0; i < 2_000; i++) {
      const message = Uint8Array.from({ length: 12 + (i % 80) }, random);
      message[2] = 0x81; // a response, so the parser runs
      message[3] = 0x80;
      message[4] = 0;
      message[5] = 1;
      expect(() => learner.learnMessage(message, 1, i)).not.toThrow();
    }
  });
});

describe('DnsAnswerLearner.learn (packets)', () => {
  const message = dnsMessage({
    flags: 0x8180,
    name: 'api.example.com',
    answers: [rr(POINTER_TO_QUESTION, A, 60, bytes(198, 51, 100, 4))],
  });

  it.each<[string, DecodedPacket, number]>([
    ['UDP from port 53', packet({ protocol: 'udp', sourcePort: 53, destinationPort: 40000 }, message), 1],
    [
      'TCP from port 53, whole message in the segment',
      packet(
        { protocol: 'tcp', sourcePort: 53, destinationPort: 40000, flags: 0x18 },
        withLength(2, message),
      ),
      1,
    ],
    [
      'TCP whose length prefix promises more than the segment',
      packet(
        { protocol: 'tcp', sourcePort: 53, destinationPort: 40000, flags: 0x18 },
        bytes(be16(message.length + 9), message),
      ),
      0,
    ],
    [
      'TCP segment shorter than a length prefix',
      packet({ protocol: 'tcp', sourcePort: 53, destinationPort: 40000, flags: 0x18 }, bytes(0)),
      0,
    ],
    [
      'UDP to port 53 (a response must come from it)',
      packet({ protocol: 'udp', sourcePort: 40000, destinationPort: 53 }, message),
      0,
    ],
    ['mDNS (port 5353)', packet({ protocol: 'udp', sourcePort: 5353, destinationPort: 5353 }, message), 0],
    [
      'UDP from port 53 without payload',
      packet({ protocol: 'udp', sourcePort: 53, destinationPort: 40000 }, new Uint8Array(0)),
      0,
    ],
  ])('%s', (_, decoded, expected) => {
    const { cache, learner } = setup();
    expect(learner.learn(decoded)).toBe(expected);
    // The client is the response's destination.
    expect(cache.nameFor(ip(POD), ip('198.51.100.4'), 1_000) !== undefined).toBe(expected > 0);
  });
});

describe('DnsAnswerLearner.learn over TCP: messages spread over segments', () => {
  /** A response with `count` A answers 198.51.100.x: large enough to need several segments. */
  const bigMessage = (count: number, name = 'big.example.com') =>
    dnsMessage({
      flags: 0x8180,
      name,
      answers: Array.from({ length: count }, (_, i) =>
        rr(POINTER_TO_QUESTION, A, 60, bytes(198, 51, 100, i)),
      ),
    });
  const segment = (seq: number, payload: Uint8Array, destination = POD): DecodedPacket =>
    packet(
      { protocol: 'tcp', sourcePort: 53, destinationPort: 40000, flags: 0x18, seq },
      payload,
      RESOLVER,
      destination,
    );
  /** `stream` cut at `cuts`, as segments starting at sequence number `start`. */
  const segments = (stream: Uint8Array, cuts: number[], start = 1000): DecodedPacket[] => {
    const bounds = [0, ...cuts, stream.length];
    return bounds
      .slice(1)
      .map((end, i) => segment((start + bounds[i]!) >>> 0, stream.subarray(bounds[i], end)));
  };
  const known = (cache: DnsNameCache, last: number) => name(cache, `198.51.100.${last}`);

  it('learns a message spread over three in-order segments, once its last byte arrives', () => {
    const { cache, learner } = setup();
    const stream = withLength(2, bigMessage(120));
    const [first, second, third] = segments(stream, [500, 1000]);
    expect(learner.learn(first!)).toBe(0);
    expect(learner.learn(second!)).toBe(0);
    expect(known(cache, 0)).toBeUndefined();
    expect(learner.learn(third!)).toBe(120);
    expect([known(cache, 0), known(cache, 119)]).toEqual(['big.example.com', 'big.example.com']);
    expect(learner.pendingTcpMessages).toBe(0);
  });

  it.each<[string, number[], number]>([
    ['a retransmitted segment', [0, 1, 1, 2], 120],
    ['a retransmission overlapping the next bytes', [0, 1, 3, 2], 120],
    ['a lost segment (a gap): nothing, and nothing held', [0, 2], 0],
  ])('%s', (_name, order, expected) => {
    const { learner } = setup();
    const stream = withLength(2, bigMessage(120));
    const parts = segments(stream, [500, 1000]);
    // Segment 3 of the "overlapping" case: bytes 400..1100, starting inside the first.
    const overlapping = segment(1000 + 400, stream.subarray(400, 1100));
    const learned = order
      .map((i) => learner.learn(i === 3 ? overlapping : parts[i]!))
      .reduce((a, b) => a + b, 0);
    expect(learned).toBe(expected);
    expect(learner.pendingTcpMessages).toBe(0);
  });

  it('learns two messages in one segment, and a message that ends where the next begins', () => {
    const { cache, learner } = setup();
    const one = withLength(2, bigMessage(2, 'one.example'));
    const two = withLength(
      2,
      dnsMessage({
        flags: 0x8180,
        name: 'two.example',
        answers: [rr(POINTER_TO_QUESTION, A, 60, bytes(192, 0, 2, 9))],
      }),
    );
    expect(learner.learn(segment(1, bytes(one, two)))).toBe(3);
    const three = withLength(2, bigMessage(60, 'three.example'));
    const stream = bytes(three, two);
    const [head, tail] = segments(stream, [300], 5000);
    expect(learner.learn(head!)).toBe(0);
    expect(learner.learn(tail!)).toBe(61);
    expect([known(cache, 59), name(cache, '192.0.2.9')]).toEqual(['three.example', 'two.example']);
  });

  it('keeps the copies seen at two devices apart, and follows sequence numbers across 2^32', () => {
    const { cache, learner } = setup();
    const stream = withLength(2, bigMessage(120));
    const parts = segments(stream, [500, 1000], 2 ** 32 - 700);
    expect(learner.learn(parts[0]!, 'node/vethA')).toBe(0);
    expect(learner.learn(parts[0]!, 'node/vethB')).toBe(0);
    expect(learner.learn(parts[1]!, 'node/vethA')).toBe(0);
    expect(learner.learn(parts[1]!, 'node/vethB')).toBe(0);
    expect(learner.learn(parts[2]!, 'node/vethA')).toBe(120);
    expect(learner.learn(parts[2]!, 'node/vethB')).toBe(120);
    expect(known(cache, 7)).toBe('big.example.com');
  });

  it('holds no more than its budget, forgets idle messages, and gives the bytes back on clear', () => {
    const cache = new DnsNameCache();
    const budget = { usedBytes: 0, maxBytes: 3000, skipped: 0 };
    const learner = new DnsAnswerLearner(cache, budget);
    const stream = withLength(2, bigMessage(120));
    learner.learn(segments(stream, [500])[0]!);
    expect(budget.usedBytes).toBe(stream.length);
    // A second client's message would pass the budget: not followed, and counted.
    learner.learn(segment(1000, stream.subarray(0, 500), '10.244.1.6'));
    expect([learner.pendingTcpMessages, budget.skipped]).toEqual([1, 1]);
    // 30 s later (packet time), the first is dropped when anything else arrives.
    const later = { ...segment(1, withLength(2, bigMessage(1, 'x.example'))), timestampSec: 40 };
    expect(learner.learn(later)).toBe(1);
    expect([learner.pendingTcpMessages, budget.usedBytes]).toEqual([0, 0]);
    learner.learn(segments(stream, [500])[0]!);
    learner.clear();
    expect([learner.pendingTcpMessages, budget.usedBytes]).toEqual([0, 0]);
  });
});
