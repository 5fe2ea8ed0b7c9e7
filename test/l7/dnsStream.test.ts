import { bytes, Conversation, udpPacket, withLength } from './support/builders';
import { dnsMessage, POINTER_TO_QUESTION, rr } from './support/dnsBuilders';
import { runPackets, splitAt } from './support/run';

describe('DNS over TCP', () => {
  const query = withLength(2, dnsMessage({ id: 1, name: 'a.example' }));
  const answer = withLength(
    2,
    dnsMessage({
      id: 1,
      flags: 0x8180,
      name: 'a.example',
      answers: [rr(POINTER_TO_QUESTION, 1, 30, bytes(10, 0, 0, 9))],
    }),
  );

  it('reads a response split at every byte offset', () => {
    for (let cut = 1; cut < answer.length; cut++) {
      const c = new Conversation(undefined, { ip: '10.0.0.53', port: 53 });
      const found = runPackets([
        ...c.handshake(),
        c.client(query),
        ...splitAt(answer, cut).map((p) => c.server(p)),
      ]);
      expect(
        found.map((m) => [m.index, m.fields.DnsId, m.fields.DnsIsResponse, m.fields.DnsAnswers?.[0]?.value]),
      ).toEqual([
        [3, 1, false, undefined],
        [5, 1, true, '10.0.0.9'],
      ]);
    }
  });

  it('reads several messages in one segment; one with a bad name is kept with its error and skipped by its length', () => {
    const bad = withLength(2, bytes(0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12));
    const second = withLength(2, dnsMessage({ id: 2, name: 'b.example' }));
    const c = new Conversation(undefined, { ip: '10.0.0.53', port: 53 });
    const found = runPackets([...c.handshake(), c.client(bytes(query, bad, second))]);
    expect(found.map((m) => [m.fields.DnsId, m.fields.DnsQuery, m.fields.DnsParseError])).toEqual([
      [1, 'a.example', undefined],
      [1, undefined, 'question 1 at offset 12: compression pointer loop'],
      [2, 'b.example', undefined],
    ]);
  });
});

describe('DNS over UDP', () => {
  it.each([
    ['to port 53', 53, 50000, dnsMessage({ name: 'x.example' }), 'x.example'],
    ['mDNS', 5353, 5353, dnsMessage({ name: 'printer.local' }), 'printer.local'],
    ['not a DNS port', 5000, 6000, dnsMessage({ name: 'x.example' }), undefined],
    ['malformed', 53, 40000, bytes(1, 2, 3), undefined],
  ])('%s', (_name, dport, sport, payload, query) => {
    const found = runPackets([udpPacket({ sport, dport, payload })]);
    expect(found[0]?.fields.DnsQuery).toBe(query);
  });
});
