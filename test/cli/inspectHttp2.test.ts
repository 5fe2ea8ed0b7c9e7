import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMANDS } from '../../shared/cli/commands';
import type { InspectedRecord } from '../../shared/cli/inspectOutput';
import { runCli } from '../../shared/cli/run';
import { grpcMessage } from '../l7/support/h2Builders';
import { chunksToPcap, exchange, recordHttp2 } from '../l7/support/h2Recorder';

let scratch: string;

function serve(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
  stream.on('error', () => undefined);
  stream.on('data', () => undefined);
  stream.on('end', () => {
    if (headers[':path'] === '/shop.Cart/Add') {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () =>
        stream.sendTrailers({ 'grpc-status': '5', 'grpc-message': 'no such item' }),
      );
      stream.end(grpcMessage(20));
    } else {
      stream.respond({ ':status': 200, 'content-type': 'text/plain' });
      stream.end('ok');
    }
  });
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'tracectl-inspect-h2-'));
  const chunks = await recordHttp2(serve, async (session) => {
    await exchange(session, { ':method': 'GET', ':path': '/healthz' });
    await exchange(
      session,
      { ':method': 'POST', ':path': '/shop.Cart/Add', 'content-type': 'application/grpc', te: 'trailers' },
      grpcMessage(12),
    );
  });
  writeFileSync(join(scratch, 'grpc.pcap'), chunksToPcap(chunks, 50051));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function inspect(args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const code = await runCli(['inspect', ...args], COMMANDS, {
    stdout: (text) => (stdout += text),
    stderr: () => undefined,
    env: {},
    cwd: scratch,
  });
  return { code, stdout };
}

describe('tracectl inspect on HTTP/2 and gRPC (h2c on port 50051, made by Node http2)', () => {
  it('prints one record per request and per response with the HTTP/2 and gRPC columns', async () => {
    const out = await inspect([join(scratch, 'grpc.pcap')]);
    expect(out.code).toBe(0);
    const records = out.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as InspectedRecord)
      .filter((r) => r.L7Protocol === 'HTTP');
    expect(
      records.map((r) => [r.Http2StreamId, r.HttpStatusCode ?? r.HttpMethod, r.GrpcMethod, r.GrpcStatusCode]),
    ).toEqual([
      [1, 'GET', undefined, undefined],
      [1, 200, undefined, undefined],
      [3, 'POST', 'Add', undefined],
      [3, 200, 'Add', 5],
    ]);
    expect(records[3]).toMatchObject({
      HttpVersion: '2',
      GrpcService: 'shop.Cart',
      GrpcMessage: 'no such item',
      GrpcMessageCount: 1,
      // The response is timed from its request HEADERS and names the call (docs/layer7.md "Latency").
      L7LatencyNs: expect.any(Number),
      HttpMethod: 'POST',
    });
  });

  it('summarises them in the table output', async () => {
    const out = await inspect([join(scratch, 'grpc.pcap'), '-o', 'table']);
    expect(out.stdout).toContain('HTTP/2 #1 GET');
    expect(out.stdout).toContain('gRPC #3 shop.Cart/Add status 5 (no such item)');
  });
});
