import { TRACE_POINTS, type TracePoint } from '../packet/decodedPacket';

/** An interface name split into its trace point and device name. */
export interface ParsedInterfaceName {
  tracePoint: TracePoint;
  /** The device name after the slash, e.g. `eth0`. */
  ifName: string;
}

const BY_LOWER = new Map<string, TracePoint>(TRACE_POINTS.map((p) => [p.toLowerCase(), p]));

/**
 * Parses a pcapng interface name of the form `<TracePoint>/<ifname>` (docs/wire-format.md). The trace point
 * is matched case-insensitively and returned in canonical spelling.
 *
 * @example parseInterfaceName('nodetopod/eth0') // { tracePoint: 'NodeToPod', ifName: 'eth0' }
 * @returns undefined when the name does not follow that form.
 */
export function parseInterfaceName(name: string | undefined): ParsedInterfaceName | undefined {
  if (name === undefined) return undefined;
  const slash = name.indexOf('/');
  if (slash <= 0 || slash === name.length - 1) return undefined;
  const tracePoint = BY_LOWER.get(name.slice(0, slash).toLowerCase());
  if (tracePoint === undefined) return undefined;
  return { tracePoint, ifName: name.slice(slash + 1) };
}

/** Formats the `<TracePoint>/<ifname>` interface name written into trace batches. */
export function formatInterfaceName(tracePoint: TracePoint, ifName: string): string {
  return `${tracePoint}/${ifName}`;
}
