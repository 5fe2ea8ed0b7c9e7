import { DEFAULT_HTTP2_LIMITS } from '../../shared/l7/http2Limits';
import type { L7Fields } from '../../shared/l7/l7Fields';
import { emptyL7Stats } from '../../shared/l7/l7Stats';
import { secretKeyTest } from '../../shared/l7/redact';
import { DEFAULT_REASSEMBLY_LIMITS } from '../../shared/l7/reassembly';
import { TcpFlow } from '../../shared/l7/tcpFlow';
import { bytes } from './support/builders';
import { chromeHello, records } from './support/tlsBuilders';

function flow(dnsPort = false) {
  const out: L7Fields[] = [];
  const stats = emptyL7Stats();
  const tcp = new TcpFlow(dnsPort, {
    stats,
    limits: DEFAULT_REASSEMBLY_LIMITS,
    isSecret: secretKeyTest(),
    http2Limits: DEFAULT_HTTP2_LIMITS,
    out,
  });
  tcp.start(0, 100);
  tcp.start(1, 900);
  return { tcp, out, stats };
}

describe('TcpFlow', () => {
  it.each([
    ['HTTP', false, bytes('GET / HTTP/1.1\r\n\r\n'), 'http'],
    ['TLS', false, records(chromeHello()), 'tls'],
    ['DNS by port', true, bytes(0, 12, new Uint8Array(12)), 'dns'],
    ['unknown', false, bytes('SSH-2.0-OpenSSH_9.6\r\n'), 'unknown'],
    ['too short to decide', false, bytes('GET'), 'unknown'],
  ] as const)('detects %s', (_name, dnsPort, payload, protocol) => {
    const { tcp } = flow(dnsPort);
    tcp.segment(0, 100, payload, payload.length);
    expect(tcp.protocol).toBe(protocol);
  });

  it('gathers the first bytes of a direction before deciding', () => {
    const { tcp, out } = flow();
    tcp.segment(0, 100, bytes('GE'), 2);
    tcp.segment(0, 102, bytes('T /a HTTP/1.1\r\n\r\n'), 17);
    expect(out.map((f) => f.HttpPath)).toEqual(['/a']);
  });

  it('stops examining a flow after 8 unrecognised segments', () => {
    const { tcp } = flow();
    for (let i = 0; i < 8; i++) tcp.segment(0, 100 + i * 10, bytes('0123456789'), 10);
    expect(tcp.protocol).toBe('opaque');
    tcp.segment(0, 180, bytes('GET / HTTP/1.1\r\n\r\n'), 18);
    expect(tcp.protocol).toBe('opaque');
  });

  it('reports held bytes and FIN', () => {
    const { tcp } = flow();
    tcp.segment(0, 200, bytes('later'), 5);
    expect(tcp.bufferedBytes).toBe(5);
    expect(tcp.expects(0, 100)).toBe(true);
    expect(tcp.expects(0, 101)).toBe(false);
    tcp.finish(0);
    tcp.finish(1);
    expect(tcp.fin).toBe(3);
  });
});
