import { createL7Analyzer } from '../../shared/l7/analyzer';
import type { DecodedPacket } from '../../shared/packet/decodedPacket';
import { TcpFlag } from '../../shared/packet/decodedPacket';
import { Conversation, tcpPacket, udpPacket } from './support/builders';
import { dnsMessage } from './support/dnsBuilders';
import { runPackets } from './support/run';
import { chromeHello, records } from './support/tlsBuilders';

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: h\r\n\r\n`;

describe('createL7Analyzer', () => {
  it('keeps many interleaved flows apart', () => {
    const conversations = Array.from(
      { length: 50 },
      (_, i) => new Conversation({ ip: `10.1.0.${i}`, port: 30000 + i }, { ip: '10.2.0.1', port: 80 }),
    );
    const packets: DecodedPacket[] = conversations.flatMap((c) => c.handshake());
    const halves = conversations.map((_, i) => get(`/flow/${i}`));
    packets.push(...conversations.map((c, i) => c.client(halves[i]!.slice(0, 10))));
    packets.push(...conversations.map((c, i) => c.client(halves[i]!.slice(10))).reverse());
    const found = runPackets(packets).map((m) => m.fields.HttpPath);
    expect(found.sort()).toEqual(conversations.map((_, i) => `/flow/${i}`).sort());
  });

  it('does not report a retransmitted request twice', () => {
    const c = new Conversation();
    const packets = c.handshake();
    const first = c.client(get('/once'));
    expect(runPackets([...packets, first, first, { ...first }])).toHaveLength(1);
  });

  it('resynchronises at the next request after a lost segment', () => {
    const c = new Conversation();
    const packets = c.handshake();
    const part1 = c.client('GET /lost HTTP/1.1\r\n');
    c.client('Host: h\r\n\r\n'); // never captured
    const next = c.client(get('/after'));
    const ack = c.server('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    const found = runPackets([...packets, part1, next, ack]);
    expect(found.map((m) => m.fields.HttpStatusCode ?? m.fields.HttpPath)).toEqual(['/after', 200]);
  });

  it('skips a lost part of a body without losing the next message', () => {
    const c = new Conversation();
    const packets = c.handshake();
    const head = c.client('POST /big HTTP/1.1\r\nContent-Length: 20\r\n\r\n0123456789');
    c.client('abcdefghij'); // lost
    const next = c.client(get('/next'));
    const ack = c.server('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    const found = runPackets([...packets, head, next, ack]);
    expect(found.map((m) => m.fields.HttpStatusCode ?? m.fields.HttpPath)).toEqual(['/big', '/next', 200]);
  });

  it('handles a connection whose sequence numbers wrap', () => {
    const c = new Conversation(undefined, undefined, 0xfffffff0, 0xfffffffa);
    const found = runPackets([
      ...c.handshake(),
      c.client('GET /wrap HTTP/1.1\r\n'),
      c.client('Host: h\r\n\r\n'),
      c.server('HTTP/1.1 204 No Content\r\n\r\n'),
    ]);
    expect(found.map((m) => m.fields.HttpStatusCode ?? m.fields.HttpPath)).toEqual(['/wrap', 204]);
  });

  it('starts over when a new SYN reuses the ports', () => {
    const c1 = new Conversation(undefined, undefined, 100);
    const c2 = new Conversation(undefined, undefined, 900000);
    const found = runPackets([
      ...c1.handshake(),
      c1.client('GET /half HTTP/1.1\r\n'),
      ...c2.handshake(),
      c2.client(get('/new')),
    ]);
    expect(found.map((m) => m.fields.HttpPath)).toEqual(['/new']);
  });

  it('forgets a flow after RST and after FIN from both sides', () => {
    const analyzer = createL7Analyzer();
    const c = new Conversation();
    for (const p of c.handshake()) analyzer.analyze(p);
    expect(analyzer.flowCount).toBe(1);
    analyzer.analyze(tcpPacket({ seq: c.clientSeq, flags: TcpFlag.RST }));
    expect(analyzer.flowCount).toBe(0);
    const d = new Conversation();
    for (const p of d.handshake()) analyzer.analyze(p);
    analyzer.analyze(tcpPacket({ seq: d.clientSeq, ack: d.serverSeq, flags: TcpFlag.FIN | TcpFlag.ACK }));
    analyzer.analyze(
      tcpPacket({
        src: '10.0.0.2',
        dst: '10.0.0.1',
        sport: 80,
        dport: 40000,
        seq: d.serverSeq,
        ack: d.clientSeq + 1,
        flags: TcpFlag.FIN | TcpFlag.ACK,
      }),
    );
    expect(analyzer.flowCount).toBe(0);
  });

  it.each([
    ['flow count', { maxFlows: 10 }, 'evictedFlows'],
    ['total memory', { maxTotalBytes: 2000 }, 'evictedMemory'],
  ] as const)('evicts the oldest flows to respect the %s limit, counted', (_name, options, counter) => {
    const analyzer = createL7Analyzer(options);
    for (let i = 0; i < 40; i++) {
      const c = new Conversation({ ip: '10.3.0.1', port: 20000 + i }, { ip: '10.3.0.2', port: 80 });
      for (const p of c.handshake()) analyzer.analyze(p);
      analyzer.analyze(c.client('GET /partial-request-' + 'x'.repeat(200)));
    }
    expect(analyzer.stats[counter]).toBeGreaterThan(0);
    expect(analyzer.flowCount).toBeLessThanOrEqual('maxFlows' in options ? options.maxFlows : 40);
  });

  it('drops idle flows by packet time', () => {
    const analyzer = createL7Analyzer({ idleTimeoutInMs: 1000 });
    const c = new Conversation();
    for (const p of c.handshake()) analyzer.analyze(p);
    analyzer.analyze(tcpPacket({ src: '10.9.9.9', seq: 1, flags: TcpFlag.SYN, time: 1_800_000_000 }));
    expect(analyzer.stats.evictedIdle).toBe(1);
    expect(analyzer.flowCount).toBe(1);
  });

  it('records nothing past a snaplen-truncated payload but keeps the flow in sync', () => {
    const c = new Conversation();
    const packets = c.handshake();
    const full = get('/cut');
    const truncated = tcpPacket({
      seq: c.clientSeq,
      ack: c.serverSeq,
      payload: full.slice(0, 10),
      payloadLength: full.length,
      time: 1_700_000_001,
    });
    c.clientSeq += full.length;
    const found = runPackets([...packets, truncated, c.client(get('/whole'))]);
    expect(found.map((m) => m.fields.HttpPath)).toEqual(['/whole']);
  });

  it.each([
    [
      'packet malformed before layer 4',
      {
        ...udpPacket({ payload: dnsMessage({}) }),
        sourcePort: undefined,
        malformed: { layer: 'network' as const, reason: 'x' },
      },
    ],
    ['non-first fragment', { ...udpPacket({ payload: dnsMessage({}) }), fragment: true }],
    ['ICMP', { ...udpPacket({ payload: dnsMessage({}) }), protocol: 1 }],
    ['TCP without payload or SYN', tcpPacket({ seq: 5, flags: TcpFlag.ACK })],
  ])('ignores %s', (_name, packet) => {
    const analyzer = createL7Analyzer();
    expect(analyzer.analyze(packet)).toBeUndefined();
    expect(analyzer.flowCount).toBe(0);
  });

  it('analyze returns the first message; flush forgets flows', () => {
    const analyzer = createL7Analyzer();
    const c = new Conversation(undefined, { ip: '10.0.0.2', port: 443 });
    for (const p of c.handshake()) analyzer.analyze(p);
    expect(analyzer.analyze(c.client(records(chromeHello())))?.TlsHandshake).toBe('ClientHello');
    expect(analyzer.stats.tls).toBe(1);
    analyzer.flush();
    expect(analyzer.flowCount).toBe(0);
  });

  it('joins a connection mid-stream and waits for a message start', () => {
    const c = new Conversation();
    c.handshake();
    const found = runPackets([c.client('tail of a body\r\n'), c.client(get('/seen'))]);
    expect(found.map((m) => m.fields.HttpPath)).toEqual(['/seen']);
  });
});
