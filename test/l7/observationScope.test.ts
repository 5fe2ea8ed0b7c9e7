import { createL7Analyzer } from '../../shared/l7/analyzer';
import { observationScope } from '../../shared/pipeline/observationScope';
import { Conversation, udpPacket } from './support/builders';
import { dnsMessage } from './support/dnsBuilders';

const get = 'GET /scoped HTTP/1.1\r\nHost: h\r\n\r\n';
const ok = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';

describe('observationScope', () => {
  it.each([
    ['aks-node-1', 'PodToNode/vethfront', 'aks-node-1\u0000vethfront\u0000'],
    ['aks-node-1', 'NodeToPod/vethfront', 'aks-node-1\u0000vethfront\u0000'],
    ['aks-node-1', 'eth0', 'aks-node-1\u0000eth0\u0000'],
    ['aks-node-1', '', 'aks-node-1\u0000\u0000'],
  ])('%s %s', (node, name, scope) => {
    expect(observationScope(node, name)).toBe(scope);
  });

  it('puts both trace points of one device in one scope, and keeps devices and nodes apart', () => {
    const scopes = new Set([
      observationScope('n1', 'PodToNode/vetha'),
      observationScope('n1', 'NodeToPod/vetha'),
    ]);
    expect(scopes.size).toBe(1);
    expect(observationScope('n1', 'PodToNode/vetha')).not.toBe(observationScope('n1', 'PodToNode/vethb'));
    expect(observationScope('n1', 'PodToNode/vetha')).not.toBe(observationScope('n2', 'PodToNode/vetha'));
    // No pair of (node, device) runs into another.
    expect(observationScope('a', 'PodToNode/bc')).not.toBe(observationScope('ab', 'PodToNode/c'));
  });
});

describe('layer-7 state per observation scope', () => {
  it('pairs a response with the request of the same scope', () => {
    const analyzer = createL7Analyzer();
    const c = new Conversation();
    for (const p of c.handshake()) analyzer.analyzeAll(p, 'vetha');
    expect(analyzer.analyzeAll(c.client(get), 'vetha')[0]?.HttpMethod).toBe('GET');
    const response = analyzer.analyzeAll(c.server(ok), 'vetha')[0];
    expect(response).toMatchObject({ HttpStatusCode: 200, HttpMethod: 'GET', HttpPath: '/scoped' });
    expect(response?.L7LatencyNs).toBeGreaterThan(0);
  });

  it('keeps the same connection seen in two scopes apart: each copy is parsed once, in its own scope', () => {
    const analyzer = createL7Analyzer();
    const c = new Conversation();
    const handshake = c.handshake();
    const request = c.client(get);
    const response = c.server(ok);
    const seen: string[] = [];
    for (const packet of [...handshake, request, response]) {
      for (const scope of ['vetha', 'vethb']) {
        for (const fields of analyzer.analyzeAll(packet, scope))
          seen.push(`${scope} ${fields.HttpStatusCode ?? fields.HttpMethod} ${fields.HttpPath}`);
      }
    }
    expect(seen).toEqual([
      'vetha GET /scoped',
      'vethb GET /scoped',
      'vetha 200 /scoped',
      'vethb 200 /scoped',
    ]);
    expect(analyzer.flowCount).toBe(2);
  });

  it('does not pair a response seen in another scope than its request', () => {
    const analyzer = createL7Analyzer();
    const c = new Conversation();
    for (const p of c.handshake()) {
      analyzer.analyzeAll(p, 'vetha');
      analyzer.analyzeAll(p, 'vethb');
    }
    analyzer.analyzeAll(c.client(get), 'vetha');
    const response = analyzer.analyzeAll(c.server(ok), 'vethb')[0];
    expect(response?.HttpStatusCode).toBe(200);
    expect(response?.L7LatencyNs).toBeUndefined();
    expect(response?.HttpPath).toBeUndefined();
  });

  it('reports a DNS query unanswered only in a scope that sees responses', () => {
    const analyzer = createL7Analyzer({ dnsResponseTimeoutInMs: 1000 });
    const query = (id: number, time: number) => ({
      ...udpPacket({ sport: 50000 + id, payload: dnsMessage({ id, name: 'a.example' }) }),
      timestampSec: time,
      timestampNsec: 0,
    });
    const answer = (id: number, time: number) => ({
      ...udpPacket({
        src: '10.0.0.53',
        dst: '10.0.0.1',
        sport: 53,
        dport: 50000 + id,
        payload: dnsMessage({ id, flags: 0x8180, name: 'a.example' }),
      }),
      timestampSec: time,
      timestampNsec: 0,
    });
    // Scope "both" sees queries and responses; scope "egress" sees queries only.
    analyzer.analyzeAll(query(1, 100), 'both');
    analyzer.analyzeAll(answer(1, 100), 'both');
    analyzer.analyzeAll(query(2, 101), 'both');
    analyzer.analyzeAll(query(3, 101), 'egress');
    analyzer.flush();
    expect(analyzer.takeUnanswered().map((u) => u.fields.DnsId)).toEqual([2]);
  });
});
