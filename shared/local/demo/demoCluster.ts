/**
 * The built-in synthetic cluster of `npm run local`: two nodes, a `shop` namespace with a
 * frontend and a checkout service, CoreDNS, and an external HTTPS site. It yields the identity
 * snapshot an agent would publish and one pcapng trace batch per node, with HTTP (including a
 * secret query parameter and a 500), DNS (including NXDOMAIN), TLS traffic and gRPC over h2c
 * (one call that succeeds, one that fails with grpc-status 14), observed at the pods' veth
 * interfaces and the node's uplink, as Retina's trace points name them.
 */
import { craftFrame, type CraftSpec } from '../../packet/craftFrame';
import { PcapngWriter } from '../../capture/pcapngWriter';
import { TcpFlag, type TracePoint } from '../../packet/decodedPacket';
import type { IdentitySnapshot } from '../../enrich/identity';
import {
  HTTP2_PREFACE,
  concatBytes,
  dnsQuery,
  dnsResponse,
  grpcMessage,
  hpackBlock,
  http2Frame,
  http2Settings,
  protoString,
  protoVarint,
  tlsClientHello,
  tlsServerHello,
} from './l7Payloads';

/** Cluster name used by the demo. */
export const DEMO_CLUSTER = 'demo-cluster';

const FRONTEND = '10.244.1.10';
const CHECKOUT = '10.244.2.20';
const CHECKOUT_SERVICE = '10.0.12.34';
const COREDNS = '10.244.0.5';
const KUBE_DNS = '10.0.0.10';
const NODE_1 = '10.224.0.4';
const NODE_2 = '10.224.0.5';
const EXAMPLE_COM = '93.184.215.14';

/** The identity snapshot of the demo cluster (`retina.sh/identities/v1`). */
export function demoIdentities(generatedAt: string): IdentitySnapshot {
  const shopLabels = { 'kubernetes.io/metadata.name': 'shop', team: 'shop' };
  const systemLabels = { 'kubernetes.io/metadata.name': 'kube-system' };
  return {
    cluster: DEMO_CLUSTER,
    generatedAt,
    complete: true,
    endpoints: [
      { ip: FRONTEND, kind: 'pod', namespace: 'shop', name: 'frontend-7d9f8b6c5-x2x4q', labels: { app: 'frontend', tier: 'web' }, namespaceLabels: shopLabels, nodeName: 'aks-node-1', workload: { kind: 'Deployment', name: 'frontend' }, serviceNames: ['frontend'] },
      { ip: CHECKOUT, kind: 'pod', namespace: 'shop', name: 'checkout-5c8b7f9d4-k8m2n', labels: { app: 'checkout', tier: 'api' }, namespaceLabels: shopLabels, nodeName: 'aks-node-2', workload: { kind: 'Deployment', name: 'checkout' }, serviceNames: ['checkout'] },
      { ip: CHECKOUT_SERVICE, kind: 'service', namespace: 'shop', name: 'checkout', labels: { app: 'checkout' }, namespaceLabels: shopLabels, serviceNames: ['checkout'] },
      { ip: COREDNS, kind: 'pod', namespace: 'kube-system', name: 'coredns-6b9d7c8f5-abcde', labels: { 'k8s-app': 'kube-dns' }, namespaceLabels: systemLabels, nodeName: 'aks-node-1', workload: { kind: 'Deployment', name: 'coredns' }, serviceNames: ['kube-dns'] },
      { ip: KUBE_DNS, kind: 'service', namespace: 'kube-system', name: 'kube-dns', labels: { 'k8s-app': 'kube-dns' }, namespaceLabels: systemLabels, serviceNames: ['kube-dns'] },
      { ip: NODE_1, kind: 'node', name: 'aks-node-1', labels: { 'kubernetes.io/hostname': 'aks-node-1', 'topology.kubernetes.io/zone': 'westeurope-1' } },
      { ip: NODE_2, kind: 'node', name: 'aks-node-2', labels: { 'kubernetes.io/hostname': 'aks-node-2', 'topology.kubernetes.io/zone': 'westeurope-2' } },
    ],
  };
}

/** One node's trace batch. */
export interface DemoBatch {
  node: string;
  /** pcapng bytes, interfaces named `<TracePoint>/<ifname>`. */
  capture: Uint8Array;
  packets: number;
}

class BatchBuilder {
  private readonly writer = new PcapngWriter({ userApplication: 'retina-trace-backend demo agent' });
  private readonly interfaces = new Map<string, number>();
  private timeNs: bigint;
  packets = 0;

  constructor(startTimeMs: number) {
    this.timeNs = BigInt(startTimeMs) * 1_000_000n;
  }

  add(tracePoint: TracePoint, ifName: string, spec: CraftSpec, gapMicros = 150): void {
    const name = `${tracePoint}/${ifName}`;
    let index = this.interfaces.get(name);
    if (index === undefined) {
      index = this.writer.addInterface({ linkType: 1, name, tsResolution: 9 });
      this.interfaces.set(name, index);
    }
    this.timeNs += BigInt(gapMicros) * 1000n;
    const data = craftFrame(spec);
    const inbound = tracePoint === 'NodeToPod' || tracePoint === 'NetworkToNode';
    this.writer.addPacket({
      interfaceIndex: index,
      timestampSec: Number(this.timeNs / 1_000_000_000n),
      timestampNsec: Number(this.timeNs % 1_000_000_000n),
      data,
      direction: inbound ? 'inbound' : 'outbound',
    });
    this.packets += 1;
  }

  bytes(): Uint8Array {
    return this.writer.toBytes();
  }
}

/** A TCP connection whose packets are recorded at the client-side and server-side trace points. */
class TcpConversation {
  private clientSeq: number;
  private serverSeq: number;

  constructor(
    private readonly record: (fromClient: boolean, spec: CraftSpec) => void,
    private readonly client: string,
    private readonly clientPort: number,
    private readonly server: string,
    private readonly serverPort: number,
    seed: number,
  ) {
    this.clientSeq = (seed * 2654435761) >>> 0;
    this.serverSeq = (seed * 40503 + 12345) >>> 0;
  }

  private send(fromClient: boolean, flags: number, payload: Uint8Array = new Uint8Array(0)): void {
    const seq = fromClient ? this.clientSeq : this.serverSeq;
    const ack = fromClient ? this.serverSeq : this.clientSeq;
    this.record(fromClient, {
      source: fromClient ? this.client : this.server,
      destination: fromClient ? this.server : this.client,
      transport: {
        protocol: 'tcp',
        sourcePort: fromClient ? this.clientPort : this.serverPort,
        destinationPort: fromClient ? this.serverPort : this.clientPort,
        seq,
        ack: (flags & TcpFlag.ACK) !== 0 ? ack : 0,
        flags,
        window: 64240,
      },
      payload,
    });
    const advance = payload.length + ((flags & (TcpFlag.SYN | TcpFlag.FIN)) !== 0 ? 1 : 0);
    if (fromClient) this.clientSeq = (this.clientSeq + advance) >>> 0;
    else this.serverSeq = (this.serverSeq + advance) >>> 0;
  }

  handshake(): void {
    this.send(true, TcpFlag.SYN);
    this.send(false, TcpFlag.SYN | TcpFlag.ACK);
    this.send(true, TcpFlag.ACK);
  }

  data(fromClient: boolean, payload: Uint8Array | string): void {
    this.send(fromClient, TcpFlag.PSH | TcpFlag.ACK, typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload);
    this.send(!fromClient, TcpFlag.ACK);
  }

  close(): void {
    this.send(true, TcpFlag.FIN | TcpFlag.ACK);
    this.send(false, TcpFlag.FIN | TcpFlag.ACK);
    this.send(true, TcpFlag.ACK);
  }
}

const HTTP_GET =
  'GET /api/cart?session=42&token=s3cr3t-t0ken HTTP/1.1\r\nHost: checkout.shop.svc.cluster.local\r\nUser-Agent: frontend/2.3 (node)\r\nAccept: application/json\r\nAuthorization: Bearer abc.def.ghi\r\n\r\n';
const HTTP_OK_BODY = '{"items":[{"sku":"A-1","qty":2}]}';
const HTTP_OK = `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${HTTP_OK_BODY.length}\r\n\r\n${HTTP_OK_BODY}`;
const HTTP_POST_BODY = '{"cart":42,"card":"tok_visa"}';
const HTTP_POST = `POST /api/pay HTTP/1.1\r\nHost: checkout.shop.svc.cluster.local\r\nUser-Agent: frontend/2.3 (node)\r\nContent-Type: application/json\r\nContent-Length: ${HTTP_POST_BODY.length}\r\n\r\n${HTTP_POST_BODY}`;
const HTTP_ERROR_BODY = '{"error":"payment backend unavailable"}';
const HTTP_ERROR = `HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: ${HTTP_ERROR_BODY.length}\r\n\r\n${HTTP_ERROR_BODY}`;

/** HTTP/2 frame types and flags the demo's gRPC exchange uses (RFC 9113 §6). */
const H2 = { DATA: 0x0, HEADERS: 0x1, SETTINGS: 0x4, END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4 } as const;

/** A unary gRPC request on `streamId`: HEADERS, then one DATA frame with the message and END_STREAM. */
function grpcRequest(streamId: number, method: string, protobuf: readonly number[]): Uint8Array {
  const headers = hpackBlock([
    [':method', 'POST'],
    [':scheme', 'http'],
    [':path', `/shop.checkout.v1.CheckoutService/${method}`],
    [':authority', 'checkout.shop.svc.cluster.local:8080'],
    ['content-type', 'application/grpc'],
    ['user-agent', 'grpc-node-js/1.12.6'],
    ['te', 'trailers'],
    ['grpc-timeout', '5S'],
  ]);
  return concatBytes(
    http2Frame(H2.HEADERS, H2.END_HEADERS, streamId, headers),
    http2Frame(H2.DATA, H2.END_STREAM, streamId, grpcMessage(protobuf)),
  );
}

function dnsExchange(batch: BatchBuilder, id: number, name: string, clientPort: number, rcode: number, answers: Parameters<typeof dnsResponse>[4]): void {
  batch.add('PodToNode', 'vethfront', { source: FRONTEND, destination: KUBE_DNS, transport: { protocol: 'udp', sourcePort: clientPort, destinationPort: 53 }, payload: dnsQuery(id, name, 'A') });
  batch.add('NodeToPod', 'vethfront', { source: KUBE_DNS, destination: FRONTEND, transport: { protocol: 'udp', sourcePort: 53, destinationPort: clientPort }, payload: dnsResponse(id, name, 'A', rcode, answers) }, 900);
}

/**
 * The demo's trace batches, one per node, with packet times starting at `startTimeMs`.
 * Node 1 sees the frontend's side of everything; node 2 sees the checkout pod's side of the HTTP calls.
 */
export function demoBatches(startTimeMs: number): DemoBatch[] {
  const node1 = new BatchBuilder(startTimeMs);
  const node2 = new BatchBuilder(startTimeMs + 1);

  dnsExchange(node1, 0x1a2b, 'checkout.shop.svc.cluster.local', 40001, 0, [{ type: 'A', value: CHECKOUT_SERVICE, ttl: 30 }]);

  // frontend → checkout service; node 1 sees the service IP, node 2 the pod IP after DNAT.
  const recordHttp = (fromClient: boolean, spec: CraftSpec) => {
    const onNode1: CraftSpec = fromClient ? { ...spec, destination: CHECKOUT_SERVICE } : { ...spec, source: CHECKOUT_SERVICE };
    node1.add(fromClient ? 'PodToNode' : 'NodeToPod', 'vethfront', onNode1);
    node2.add(fromClient ? 'NodeToPod' : 'PodToNode', 'vethcheck', spec);
  };
  const cart = new TcpConversation(recordHttp, FRONTEND, 51000, CHECKOUT, 8080, 1);
  cart.handshake();
  cart.data(true, HTTP_GET);
  cart.data(false, HTTP_OK);
  cart.close();
  const pay = new TcpConversation(recordHttp, FRONTEND, 51002, CHECKOUT, 8080, 2);
  pay.handshake();
  pay.data(true, HTTP_POST);
  pay.data(false, HTTP_ERROR);
  pay.close();

  dnsExchange(node1, 0x3c4d, 'payments.shop.svc.cluster.local', 40002, 3, []);
  dnsExchange(node1, 0x5e6f, 'example.com', 40003, 0, [{ type: 'A', value: EXAMPLE_COM, ttl: 300 }]);

  // frontend → example.com:443, seen at the pod's veth and, SNATed to the node, at the uplink.
  const recordTls = (fromClient: boolean, spec: CraftSpec) => {
    node1.add(fromClient ? 'PodToNode' : 'NodeToPod', 'vethfront', spec);
    const snat: CraftSpec = fromClient
      ? { ...spec, source: NODE_1, transport: { ...spec.transport, sourcePort: 61000 } as CraftSpec['transport'] }
      : { ...spec, destination: NODE_1, transport: { ...spec.transport, destinationPort: 61000 } as CraftSpec['transport'] };
    node1.add(fromClient ? 'NodeToNetwork' : 'NetworkToNode', 'eth0', snat, 20);
  };
  const tls = new TcpConversation(recordTls, FRONTEND, 51004, EXAMPLE_COM, 443, 3);
  tls.handshake();
  tls.data(true, tlsClientHello('example.com', ['h2', 'http/1.1']));
  tls.data(false, tlsServerHello());
  tls.close();

  // frontend → checkout's gRPC API on the same service port, HTTP/2 with prior knowledge (h2c):
  // GetQuote succeeds (grpc-status 0 in trailers), PlaceOrder fails with a trailers-only response.
  const rpc = new TcpConversation(recordHttp, FRONTEND, 51006, CHECKOUT, 8080, 4);
  rpc.handshake();
  rpc.data(true, concatBytes(HTTP2_PREFACE, http2Frame(H2.SETTINGS, 0, 0, http2Settings([[2, 0], [4, 4_194_304]])), grpcRequest(1, 'GetQuote', protoString(1, 'cart-42'))));
  rpc.data(
    false,
    concatBytes(
      http2Frame(H2.SETTINGS, 0, 0, http2Settings([[3, 100], [4, 65_535]])),
      http2Frame(H2.SETTINGS, H2.ACK, 0),
      http2Frame(H2.HEADERS, H2.END_HEADERS, 1, hpackBlock([[':status', '200'], ['content-type', 'application/grpc']])),
      http2Frame(H2.DATA, 0, 1, grpcMessage([...protoVarint(1, 2598), ...protoString(2, 'EUR')])),
      http2Frame(H2.HEADERS, H2.END_HEADERS | H2.END_STREAM, 1, hpackBlock([['grpc-status', '0'], ['grpc-message', '']])),
    ),
  );
  rpc.data(true, concatBytes(http2Frame(H2.SETTINGS, H2.ACK, 0), grpcRequest(3, 'PlaceOrder', [...protoString(1, 'cart-42'), ...protoString(2, 'tok_visa')])));
  rpc.data(
    false,
    http2Frame(
      H2.HEADERS,
      H2.END_HEADERS | H2.END_STREAM,
      3,
      hpackBlock([[':status', '200'], ['content-type', 'application/grpc'], ['grpc-status', '14'], ['grpc-message', 'payment%20backend%20unavailable']]),
    ),
  );
  rpc.close();

  return [
    { node: 'aks-node-1', capture: node1.bytes(), packets: node1.packets },
    { node: 'aks-node-2', capture: node2.bytes(), packets: node2.packets },
  ];
}
