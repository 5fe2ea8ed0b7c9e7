/**
 * Keeps the agent out of its own capture. A catch-all configuration would otherwise trace the
 * agent's uploads to Event Hubs (AMQP on 5671, AMQP over WebSockets on 443) and its token requests,
 * and every upload would make more packets to upload.
 */
import { lookup } from 'node:dns/promises';

/** A host the agent talks to, and the TCP ports it uses there. */
export interface OwnEndpoint {
  host: string;
  ports: number[];
}

/** An {@link OwnEndpoint} with the addresses its name resolved to (or the address itself). */
export interface ResolvedEndpoint extends OwnEndpoint {
  addresses: string[];
}

/** Event Hubs AMQP (TLS) and AMQP over WebSockets. */
const EVENT_HUBS_PORTS = [5671, 443];
/** Azure Instance Metadata Service: managed identity tokens on a node. */
const IMDS = { host: '169.254.169.254', ports: [80] };
const DEFAULT_AUTHORITY_HOST = 'login.microsoftonline.com';

/** Host and port of the `Endpoint=sb://host[:port]/` of an Event Hubs connection string. */
function connectionStringEndpoint(connectionString: string): OwnEndpoint | undefined {
  const match = /(?:^|;)\s*Endpoint\s*=\s*[a-z]+:\/\/(\[[^\]]+\]|[^/:;]+)(?::(\d+))?/i.exec(connectionString);
  if (match === null) return undefined;
  const host = match[1]!.replace(/^\[|\]$/g, '');
  const port = match[2] === undefined ? undefined : Number(match[2]);
  return { host, ports: port === undefined ? EVENT_HUBS_PORTS : [port] };
}

/**
 * The endpoints the agent itself talks to: the Event Hubs namespace it publishes to (from the
 * connection string or the namespace), and, when it authenticates with Entra ID, the token
 * endpoints (the authority host and the instance metadata service).
 */
export function ownEndpoints(options: {
  connectionString?: string;
  namespace?: string;
  /** `AZURE_AUTHORITY_HOST`, when set (e.g. `https://login.microsoftonline.us`). */
  authorityHost?: string;
}): OwnEndpoint[] {
  const endpoints: OwnEndpoint[] = [];
  if (options.connectionString !== undefined) {
    const endpoint = connectionStringEndpoint(options.connectionString);
    if (endpoint !== undefined) endpoints.push(endpoint);
  }
  if (options.namespace !== undefined) {
    endpoints.push({
      host: options.namespace.replace(/^[a-z]+:\/\//i, '').replace(/[/:].*$/, ''),
      ports: EVENT_HUBS_PORTS,
    });
    const authority = (options.authorityHost ?? DEFAULT_AUTHORITY_HOST)
      .replace(/^[a-z]+:\/\//i, '')
      .replace(/[/:].*$/, '');
    endpoints.push({ host: authority, ports: [443] }, IMDS);
  }
  return endpoints;
}

/** True for an IPv4 or IPv6 literal (no lookup needed). */
function isAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

/**
 * Resolves each endpoint's addresses (a BPF filter matches addresses; tcpdump would resolve a
 * name once at start too, but fails outright when it cannot). A name that does not resolve is
 * kept as a name with no addresses and reported by the caller.
 */
export async function resolveOwnEndpoints(
  endpoints: readonly OwnEndpoint[],
  resolve: (host: string) => Promise<string[]> = async (host) =>
    (await lookup(host, { all: true })).map((a) => a.address),
): Promise<ResolvedEndpoint[]> {
  return Promise.all(
    endpoints.map(async (endpoint) => {
      if (isAddress(endpoint.host)) return { ...endpoint, addresses: [endpoint.host] };
      const addresses = await resolve(endpoint.host).catch(() => []);
      return { ...endpoint, addresses: [...new Set(addresses)].sort() };
    }),
  );
}

/** The BPF expression matching traffic to or from one endpoint. */
function endpointExpression(endpoint: ResolvedEndpoint): string | undefined {
  if (endpoint.addresses.length === 0 || endpoint.ports.length === 0) return undefined;
  const hosts = endpoint.addresses.map((address) => `host ${address}`);
  const ports = endpoint.ports.map((port) => `tcp port ${port}`);
  const either = (parts: string[]) => (parts.length === 1 ? parts[0]! : `(${parts.join(' or ')})`);
  return `(${either(hosts)} and ${either(ports)})`;
}

/**
 * `expression` (empty: everything) without the agent's own traffic to `endpoints`. Endpoints
 * without addresses cannot be excluded and are left out.
 */
export function withoutOwnTraffic(expression: string, endpoints: readonly ResolvedEndpoint[]): string {
  const own = endpoints.map(endpointExpression).filter((part): part is string => part !== undefined);
  if (own.length === 0) return expression;
  const exclusion = `not (${own.join(' or ')})`;
  return expression === '' ? exclusion : `(${expression}) and ${exclusion}`;
}
