/**
 * The node agent's tcpdump filter: the configurations' filter (shared/agent/bpfFilter) minus the
 * agent's own traffic (to Event Hubs and to the Kubernetes API), which would otherwise be
 * captured, published, captured again, and grow without end.
 */
import { bpfFilterFor, type BpfFilter } from '../../agent/bpfFilter';
import type { TraceConfigurationSpec } from '../../config/model';
import { parseIp } from '../../net/ipAddress';

/** An address and TCP port the agent itself talks to. */
export interface OwnEndpoint {
  host: string;
  port: number;
}

/** The filter for `specs`, excluding every `own` endpoint. An invalid address is left out and noted. */
export function captureFilter(
  specs: readonly { key: string; spec: TraceConfigurationSpec }[],
  own: readonly OwnEndpoint[],
): BpfFilter {
  const base = bpfFilterFor(specs);
  const notes = [...base.notes];
  const exclusions: string[] = [];
  for (const endpoint of own) {
    if (
      parseIp(endpoint.host) === undefined ||
      !Number.isInteger(endpoint.port) ||
      endpoint.port < 1 ||
      endpoint.port > 65535
    ) {
      notes.push(
        `own traffic to ${endpoint.host}:${endpoint.port} cannot be excluded (not an IP address and port)`,
      );
      continue;
    }
    exclusions.push(`not (host ${endpoint.host} and tcp port ${endpoint.port})`);
  }
  const unique = [...new Set(exclusions)];
  if (unique.length === 0) return { expression: base.expression, notes };
  const excluded = unique.join(' and ');
  return { expression: base.expression === '' ? excluded : `(${base.expression}) and ${excluded}`, notes };
}
