import { TcpFlag } from '../../shared/packet/decodedPacket';
import { bytes, Conversation, tcpPacket } from './support/builders';
import { runPackets, splitAt } from './support/run';
import { chromeHello, records } from './support/tlsBuilders';

const request = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: example.com\r\n${extra}\r\n`;

function exchange(clientPayloads: string[], serverPayloads: string[], port = 80) {
  const c = new Conversation(undefined, { ip: '10.0.0.2', port });
  const packets = [
    ...c.handshake(),
    ...clientPayloads.map((p) => c.client(p)),
    ...serverPayloads.map((p) => c.server(p)),
  ];
  return runPackets(packets).map((m) => m.fields);
}

describe('HTTP over reassembled TCP', () => {
  it.each([
    [
      'one request, one response',
      [request('/a')],
      ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'],
      [{ path: '/a' }, { status: 200 }],
    ],
    [
      'pipelined requests in one segment',
      [request('/1') + request('/2') + request('/3')],
      [],
      [{ path: '/1' }, { path: '/2' }, { path: '/3' }],
    ],
    [
      'Content-Length body that looks like a request is skipped',
      ['POST /p HTTP/1.1\r\nContent-Length: 16\r\n\r\nGET /evil HTTP/1' + request('/next')],
      [],
      [{ path: '/p' }, { path: '/next' }],
    ],
    [
      'chunked bodies, with extensions and trailers',
      [],
      [
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nWiki\r\n5\r\npedia\r\n0\r\nTrailer: t\r\n\r\n' +
          'HTTP/1.1 204 No Content\r\n\r\n',
      ],
      [{ status: 200 }, { status: 204 }],
    ],
    [
      '100-continue then the final response',
      [`POST /u HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n`, 'abc'],
      ['HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n'],
      [{ path: '/u' }, { status: 100 }, { status: 201 }],
    ],
    [
      'response to HEAD has no body even with Content-Length',
      ['HEAD /h HTTP/1.1\r\n\r\n' + request('/g')],
      ['HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx'],
      [{ path: '/h' }, { path: '/g' }, { status: 200 }, { status: 200 }],
    ],
    ['HTTP on a non-standard port', [request('/x')], [], [{ path: '/x' }], 1234],
    ['not HTTP', ['SSH-2.0-OpenSSH_9.6\r\n'], ['SSH-2.0-OpenSSH_9.6\r\n'], [], 22],
    ['empty', [], [], [], 80],
    [
      'garbage after a valid request gives up that message only',
      [request('/ok') + 'NOT HTTP\r\n\r\n'],
      [],
      [{ path: '/ok' }],
    ],
  ])('%s', (_name, client, server, expected, port = 80) => {
    const found = exchange(client, server, port).map((f) =>
      f.HttpStatusCode === undefined ? { path: f.HttpPath } : { status: f.HttpStatusCode },
    );
    // Messages are reported in packet order; client packets come first in these scripts.
    expect(found).toEqual(expected);
  });

  it('finds a request split at every byte offset, on the packet that completes it', () => {
    const text = bytes(request('/split?sig=abc', 'User-Agent: test\r\n'));
    for (let cut = 1; cut < text.length; cut++) {
      const c = new Conversation();
      const packets = [...c.handshake(), ...splitAt(text, cut).map((piece) => c.client(piece))];
      const found = runPackets(packets);
      expect(found).toEqual([
        {
          index: 4,
          fields: expect.objectContaining({
            HttpMethod: 'GET',
            HttpPath: '/split?sig=REDACTED',
            HttpUserAgent: 'test',
          }),
        },
      ]);
    }
  });

  it.each([
    [
      '101 Switching Protocols',
      'GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n',
      'HTTP/1.1 101 Switching Protocols\r\n\r\n',
    ],
  ])('stops parsing after %s', (_name, ask, answer) => {
    const c = new Conversation();
    const packets = [
      ...c.handshake(),
      c.client(ask),
      c.server(answer),
      c.client(request('/inside')),
      c.server('HTTP/1.1 200 OK\r\n\r\n'),
    ];
    expect(runPackets(packets).map((m) => m.index)).toEqual([3, 4]);
  });

  it('detects TLS inside a CONNECT tunnel', () => {
    const c = new Conversation(undefined, { ip: '10.0.0.2', port: 3128 });
    const packets = [
      ...c.handshake(),
      c.client('CONNECT tls.browserleaks.com:443 HTTP/1.1\r\nHost: tls.browserleaks.com:443\r\n\r\n'),
      c.server('HTTP/1.1 200 Connection established\r\n\r\n'),
      c.client(records(chromeHello())),
    ];
    expect(
      runPackets(packets).map((m) => [
        m.index,
        m.fields.HttpStatusCode ?? m.fields.HttpMethod ?? m.fields.TlsServerName,
      ]),
    ).toEqual([
      [3, 'CONNECT'],
      [4, 200],
      [5, 'tls.browserleaks.com'],
    ]);
  });

  it('hands the connection to HTTP/2 after the preface (no record for the preface itself)', () => {
    const found = exchange(['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00'], []);
    expect(found).toEqual([]);
  });

  it.each([
    [
      'an endless chunk-size line',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' + 'f'.repeat(2000),
    ],
    ['a chunk-size that is not hex', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    ['a body cut short by the capture', 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'],
  ])('reports nothing for a response with %s (the message never completes)', (_name, text) => {
    expect(exchange([], [text])).toEqual([]);
  });

  it('reports a response delimited by the connection close on the FIN', () => {
    const c = new Conversation();
    const packets = [
      ...c.handshake(),
      c.client(request('/close')),
      c.server('HTTP/1.0 200 OK\r\n\r\nbody until close'),
    ];
    packets.push(
      tcpPacket({
        src: '10.0.0.2',
        dst: '10.0.0.1',
        sport: 80,
        dport: 40000,
        seq: c.serverSeq,
        ack: c.clientSeq,
        flags: TcpFlag.FIN | TcpFlag.ACK,
      }),
    );
    expect(runPackets(packets).map((m) => [m.index, m.fields.HttpStatusCode])).toEqual([
      [3, undefined],
      [5, 200],
    ]);
  });
});
