import type http2 from 'node:http2';
import { createL7Analyzer } from '../../shared/l7/analyzer';
import type { L7Fields } from '../../shared/l7/l7Fields';
import { bytes, Conversation } from './support/builders';
import { block, data, frame, grpcMessage, headers, hp, PREFACE, settings } from './support/h2Builders';
import { chunksToPackets, exchange, recordHttp2, type RecordedChunk } from './support/h2Recorder';
import { runPackets } from './support/run';

function grpcReply(
  stream: http2.ServerHttp2Stream,
  messages: number,
  trailers: http2.OutgoingHttpHeaders,
): void {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers(trailers));
  for (let i = 0; i < messages; i++) stream.write(grpcMessage(100 + i * 3000));
  stream.end();
}

/** The test server: plain HTTP by path, and a small gRPC service. */
function serve(stream: http2.ServerHttp2Stream, requestHeaders: http2.IncomingHttpHeaders): void {
  stream.on('error', () => undefined);
  stream.on('data', () => undefined);
  const path = String(requestHeaders[':path']);
  stream.on('end', () => {
    if (path === '/pkg.Greeter/SayHello') grpcReply(stream, 1, { 'grpc-status': '0' });
    else if (path === '/pkg.Greeter/Chat')
      grpcReply(stream, 3, { 'grpc-status': '13', 'grpc-message': 'boom %C3%A9t%C3%A9' });
    else if (path === '/pkg.Greeter/Denied')
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-status': '7',
          'grpc-message': 'no access',
        },
        { endStream: true },
      );
    else if (path === '/missing') stream.respond({ ':status': 404 }, { endStream: true });
    else if (requestHeaders[':method'] === 'HEAD') stream.respond({ ':status': 200 }, { endStream: true });
    else if (requestHeaders[':method'] === 'POST') {
      stream.respond({ ':status': 201, 'content-type': 'application/json' });
      stream.end('{"id":1}');
    } else {
      stream.respond({ ':status': 200, 'content-type': 'text/plain' });
      stream.end('x'.repeat(20_000));
    }
  });
}

const secretHeaders = {
  authorization: 'Bearer very-secret',
  cookie: 'session=abc',
  'user-agent': 'h2-test/1.0',
};

async function scenario(session: http2.ClientHttp2Session): Promise<void> {
  await Promise.all([
    exchange(session, { ':method': 'GET', ':path': '/a?token=s3cret&page=2', ...secretHeaders }),
    exchange(
      session,
      { ':method': 'POST', ':path': '/items', 'content-type': 'application/json', ...secretHeaders },
      '{"name":"' + 'n'.repeat(5000) + '"}',
    ),
    exchange(session, { ':method': 'GET', ':path': '/missing', ...secretHeaders }),
    exchange(session, { ':method': 'HEAD', ':path': '/h', ...secretHeaders }),
  ]);
  const grpc = {
    ':method': 'POST',
    'content-type': 'application/grpc',
    te: 'trailers',
    'user-agent': 'grpc-test/1.0',
  };
  await exchange(session, { ...grpc, ':path': '/pkg.Greeter/SayHello' }, grpcMessage(10));
  await exchange(
    session,
    { ...grpc, ':path': '/pkg.Greeter/Chat' },
    Buffer.concat([grpcMessage(5), grpcMessage(7)]),
  );
  await exchange(session, { ...grpc, ':path': '/pkg.Greeter/Denied' }, grpcMessage(1));
  // Same headers again: now sent as dynamic table references.
  await exchange(session, { ':method': 'GET', ':path': '/a?token=s3cret&page=2', ...secretHeaders });
}

let recorded: RecordedChunk[] = [];
beforeAll(async () => {
  recorded = await recordHttp2(serve, scenario);
});

const byStream = (found: L7Fields[]) =>
  [...found].sort((a, b) => (a.Http2StreamId ?? 0) - (b.Http2StreamId ?? 0));

describe('HTTP/2 with prior knowledge, traffic from Node http2 (nghttp2)', () => {
  it.each([1400, 100, 9])('one record per request and per response (segments of %i bytes)', (mss) => {
    const found = runPackets(chunksToPackets(recorded, 50051, mss)).map((m) => m.fields);
    // A response carries its request's method and path and its latency (L7LatencyNs): checked here, then set aside.
    const isRequest = (f: L7Fields) => f.HttpMethod !== undefined && f.L7LatencyNs === undefined;
    const requests = byStream(found.filter(isRequest));
    const timed = found.filter((f) => !isRequest(f));
    for (const response of timed) {
      const request = requests.find((r) => r.Http2StreamId === response.Http2StreamId)!;
      expect([response.Http2StreamId, response.HttpMethod, response.HttpPath]).toEqual([
        request.Http2StreamId,
        request.HttpMethod,
        request.HttpPath,
      ]);
      expect(response.L7LatencyNs).toBeGreaterThan(0);
    }
    const responses = byStream(
      timed.map((f) => {
        const copy = { ...f };
        delete copy.L7LatencyNs;
        delete copy.HttpMethod;
        delete copy.HttpPath;
        return copy;
      }),
    );
    const common = {
      L7Protocol: 'HTTP',
      HttpVersion: '2',
      HttpHost: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
    };
    expect(requests).toEqual([
      {
        ...common,
        Http2StreamId: 1,
        HttpMethod: 'GET',
        HttpPath: '/a?token=REDACTED&page=2',
        HttpUserAgent: 'h2-test/1.0',
      },
      {
        ...common,
        Http2StreamId: 3,
        HttpMethod: 'POST',
        HttpPath: '/items',
        HttpUserAgent: 'h2-test/1.0',
        HttpContentType: 'application/json',
      },
      { ...common, Http2StreamId: 5, HttpMethod: 'GET', HttpPath: '/missing', HttpUserAgent: 'h2-test/1.0' },
      { ...common, Http2StreamId: 7, HttpMethod: 'HEAD', HttpPath: '/h', HttpUserAgent: 'h2-test/1.0' },
      ...['SayHello', 'Chat', 'Denied'].map((method, i) => ({
        ...common,
        Http2StreamId: 9 + 2 * i,
        HttpMethod: 'POST',
        HttpPath: `/pkg.Greeter/${method}`,
        HttpUserAgent: 'grpc-test/1.0',
        HttpContentType: 'application/grpc',
        GrpcService: 'pkg.Greeter',
        GrpcMethod: method,
        GrpcMessageCount: method === 'Chat' ? 2 : 1,
      })),
      {
        ...common,
        Http2StreamId: 15,
        HttpMethod: 'GET',
        HttpPath: '/a?token=REDACTED&page=2',
        HttpUserAgent: 'h2-test/1.0',
      },
    ]);
    const status = { L7Protocol: 'HTTP', HttpVersion: '2' };
    const grpc = {
      ...status,
      HttpStatusCode: 200,
      HttpContentType: 'application/grpc',
      GrpcService: 'pkg.Greeter',
    };
    expect(responses).toEqual([
      { ...status, Http2StreamId: 1, HttpStatusCode: 200, HttpContentType: 'text/plain' },
      { ...status, Http2StreamId: 3, HttpStatusCode: 201, HttpContentType: 'application/json' },
      { ...status, Http2StreamId: 5, HttpStatusCode: 404 },
      { ...status, Http2StreamId: 7, HttpStatusCode: 200 },
      { ...grpc, Http2StreamId: 9, GrpcMethod: 'SayHello', GrpcStatusCode: 0, GrpcMessageCount: 1 },
      {
        ...grpc,
        Http2StreamId: 11,
        GrpcMethod: 'Chat',
        GrpcStatusCode: 13,
        GrpcMessage: 'boom été',
        GrpcMessageCount: 3,
      },
      {
        ...grpc,
        Http2StreamId: 13,
        GrpcMethod: 'Denied',
        GrpcStatusCode: 7,
        GrpcMessage: 'no access',
        GrpcMessageCount: 0,
      },
      { ...status, Http2StreamId: 15, HttpStatusCode: 200, HttpContentType: 'text/plain' },
    ]);
    expect(JSON.stringify(found)).not.toMatch(/very-secret|session=abc|s3cret/);
  });

  it('counts the records as HTTP and aborts nothing', () => {
    const analyzer = createL7Analyzer();
    const found = runPackets(chunksToPackets(recorded), undefined, analyzer);
    expect(analyzer.stats).toMatchObject({
      http: found.length,
      http2Aborted: 0,
      malformed: 0,
      internalErrors: 0,
    });
  });

  it('a capture that starts mid-connection reports what is known, marked L7Partial, and invents nothing', () => {
    // One packet per write (frame-aligned); drop the first half: preface, SETTINGS, first requests.
    const packets = chunksToPackets(recorded, 50051, 1 << 20);
    const start = 3 + Math.floor((packets.length - 3) / 2);
    const found = runPackets(packets.slice(start)).map((m) => m.fields);
    expect(found.length).toBeGreaterThan(0);
    for (const fields of found) {
      expect(fields).toMatchObject({
        L7Protocol: 'HTTP',
        HttpVersion: '2',
        Http2StreamId: expect.any(Number),
      });
      // Whatever is reported must agree with the full decode of the same stream.
    }
    const full = runPackets(packets).map((m) => m.fields);
    for (const fields of found) {
      const same = full.find(
        (f) =>
          f.Http2StreamId === fields.Http2StreamId &&
          (f.HttpStatusCode === undefined && f.GrpcStatusCode === undefined) ===
            (fields.HttpStatusCode === undefined && fields.GrpcStatusCode === undefined),
      );
      expect(same).toBeDefined();
      for (const [key, value] of Object.entries(fields)) {
        if (key === 'L7Partial' || value === undefined) continue;
        expect([key, (same as Record<string, unknown>)[key]]).toEqual([key, value]);
      }
    }
    expect(found.some((f) => f.L7Partial === true)).toBe(true);
  });
});

/** Packets of one crafted connection: client and server byte strings in order. */
function crafted(...steps: Array<['c' | 's', Uint8Array | string]>) {
  const c = new Conversation(undefined, { ip: '10.0.0.2', port: 8080 });
  return [
    ...c.handshake(),
    ...steps.map(([who, payload]) => (who === 'c' ? c.client(payload) : c.server(payload))),
  ];
}

const get = (stream: number, path: string, end = true) =>
  headers(stream, block(hp.indexed(2), hp.indexed(6), hp.plain(4, path), hp.plain(1, 'svc:8080')), end);
const ok = (stream: number, end = true) => headers(stream, block(hp.indexed(8)), end);

describe('HTTP/2 crafted frames', () => {
  it('reads a header block spread over HEADERS and CONTINUATION, and padded frames', () => {
    const fields = block(
      hp.indexed(2),
      hp.indexed(6),
      hp.plain(4, '/long'),
      hp.plain('x-big', 'v'.repeat(3000)),
    );
    const packets = crafted(
      ['c', bytes(PREFACE, settings())],
      ['c', bytes(frame(1, 0x8 | 0x1, 1, bytes(4, fields.subarray(0, 1000), 0, 0, 0, 0)))],
      ['c', bytes(frame(9, 0, 1, fields.subarray(1000, 2000)), frame(9, 0x4, 1, fields.subarray(2000)))],
      ['s', bytes(settings(), ok(1, false), frame(0, 0x8 | 0x1, 1, bytes(3, 'abc', 0, 0, 0)))],
    );
    expect(runPackets(packets).map((m) => [m.index, m.fields.HttpStatusCode ?? m.fields.HttpPath])).toEqual([
      [5, '/long'],
      [6, 200],
    ]);
  });

  it('reports a pushed request from PUSH_PROMISE and its response', () => {
    const promise = frame(
      5,
      0x4,
      1,
      bytes(0, 0, 0, 2, block(hp.indexed(2), hp.indexed(6), hp.plain(4, '/style.css'))),
    );
    const packets = crafted(
      ['c', bytes(PREFACE, settings(), get(1, '/index.html'))],
      [
        's',
        bytes(settings(), promise, ok(1, false), data(1, 'page', true), ok(2, false), data(2, 'css', true)),
      ],
    );
    expect(
      runPackets(packets).map((m) => [m.fields.Http2StreamId, m.fields.HttpStatusCode ?? m.fields.HttpPath]),
    ).toEqual([
      [1, '/index.html'],
      [2, '/style.css'],
      [1, 200],
      [2, 200],
    ]);
  });

  it('RST_STREAM completes what was seen of a stream; PING, PRIORITY, WINDOW_UPDATE, GOAWAY are passed over', () => {
    const packets = crafted(
      ['c', bytes(PREFACE, settings(), get(1, '/slow', false), frame(2, 0, 1, [0, 0, 0, 0, 16]))],
      ['s', bytes(settings(), frame(6, 0, 0, new Uint8Array(8)), frame(8, 0, 0, [0, 0, 1, 0]), ok(1, false))],
      ['c', bytes(frame(3, 0, 1, [0, 0, 0, 8]), frame(7, 0, 0, [0, 0, 0, 1, 0, 0, 0, 0]))],
    );
    expect(runPackets(packets).map((m) => [m.index, m.fields.HttpStatusCode ?? m.fields.HttpPath])).toEqual([
      [5, '/slow'],
      [5, 200],
    ]);
  });

  it('DATA with END_STREAM after RST_STREAM on a closed stream invents no record', () => {
    const packets = crafted(
      ['c', bytes(PREFACE, settings(), get(1, '/x', true))],
      ['s', bytes(settings(), ok(1, false))],
      ['c', frame(3, 0, 1, [0, 0, 0, 8])],
      ['s', data(1, 'late', true)],
    );
    expect(runPackets(packets).map((m) => [m.index, m.fields.HttpStatusCode ?? m.fields.HttpPath])).toEqual([
      [3, '/x'],
      [5, 200],
    ]);
  });

  it('follows dynamic table size updates from SETTINGS_HEADER_TABLE_SIZE and eviction', () => {
    const packets = crafted(
      ['c', bytes(PREFACE, settings([1, 100]))],
      ['s', bytes(settings([1, 64]))],
      [
        'c',
        headers(1, block(hp.indexed(2), hp.indexed(6), hp.indexing(4, '/first'), hp.plain(1, 'h')), true),
      ],
      [
        'c',
        headers(
          3,
          block(hp.sizeUpdate(60), hp.indexed(2), hp.indexed(6), hp.indexing(4, '/second'), hp.plain(1, 'h')),
          true,
        ),
      ],
      ['c', headers(5, block(hp.indexed(2), hp.indexed(6), hp.indexed(62), hp.plain(1, 'h')), true)],
    );
    expect(runPackets(packets).map((m) => m.fields.HttpPath)).toEqual(['/first', '/second', '/second']);
  });

  it('upgrades from HTTP/1.1 with Upgrade: h2c: the response to the upgraded request arrives on stream 1', () => {
    const packets = crafted(
      [
        'c',
        'GET /up HTTP/1.1\r\nHost: svc\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n',
      ],
      [
        's',
        bytes(
          'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n',
          settings(),
          ok(1, false),
        ),
      ],
      ['c', bytes(PREFACE, settings(), get(3, '/next'))],
      ['s', bytes(data(1, 'hello', true), ok(3))],
    );
    expect(
      runPackets(packets).map((m) => [
        m.index,
        m.fields.HttpVersion,
        m.fields.Http2StreamId,
        m.fields.HttpStatusCode ?? m.fields.HttpPath,
      ]),
    ).toEqual([
      [3, 'HTTP/1.1', undefined, '/up'],
      [4, 'HTTP/1.1', undefined, 101],
      [5, '2', 3, '/next'],
      [6, '2', 1, 200],
      [6, '2', 3, 200],
    ]);
  });

  it('a 101 to some other upgrade (WebSocket) still ends parsing', () => {
    const packets = crafted(
      ['c', 'GET /ws HTTP/1.1\r\nHost: svc\r\nUpgrade: websocket\r\n\r\n'],
      ['s', bytes('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n', settings(), ok(1))],
    );
    expect(runPackets(packets).map((m) => m.fields.HttpStatusCode ?? m.fields.HttpPath)).toEqual([
      '/ws',
      101,
    ]);
  });

  it('a header block held across CONTINUATION frames counts towards the analyser memory bound', () => {
    const analyzer = createL7Analyzer({ maxTotalBytes: 10_000 });
    runPackets(
      crafted(['c', bytes(PREFACE, settings(), frame(1, 0, 1, new Uint8Array(12_000)))]),
      undefined,
      analyzer,
    );
    expect(analyzer.stats.evictedMemory).toBe(1);
    expect(analyzer.flowCount).toBe(0);
  });

  const manyStreams = bytes(...Array.from({ length: 6 }, (_, i) => get(1 + 2 * i, '/s', false)));
  it.each([
    [
      'too-many-continuations',
      { maxContinuationFrames: 2 },
      bytes(frame(1, 0, 1, [0x82]), frame(9, 0, 1, [0x86]), frame(9, 0, 1, [0x84]), frame(9, 0x4, 1, [0x84])),
    ],
    [
      'header-block-too-large',
      { maxHeaderBlockBytes: 100 },
      bytes(frame(1, 0, 1, new Uint8Array(80)), frame(9, 0x4, 1, new Uint8Array(80))),
    ],
    ['header-list-too-large', { maxHeaderListSize: 100 }, headers(1, block(hp.plain('x', 'v'.repeat(200))))],
    ['hpack-table-size-update', { maxTableSize: 1000 }, headers(1, block(hp.sizeUpdate(5000)))],
    ['too-many-streams', { maxStreams: 4 }, manyStreams],
    ['frame-too-large', { maxFrameBytes: 1000 }, frame(1, 0x4, 1, new Uint8Array(2000))],
    ['continuation-expected', {}, bytes(frame(1, 0, 1, [0x82]), data(1, 'x'))],
    ['hpack-bad-index', {}, headers(1, block(hp.indexed(99)))],
  ])('%s ends parsing of the connection, counted, without an exception', (reason, limits, clientFrames) => {
    const analyzer = createL7Analyzer({ http2: limits });
    const found = runPackets(
      crafted(['c', bytes(PREFACE, settings(), clientFrames)], ['c', get(101, '/after')], ['s', ok(101)]),
      undefined,
      analyzer,
    );
    expect(found.map((m) => m.fields.HttpPath)).not.toContain('/after');
    expect(analyzer.stats).toMatchObject({
      http2Aborted: 1,
      http2AbortReasons: { [reason]: 1 },
      internalErrors: 0,
    });
  });
});
