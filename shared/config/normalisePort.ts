/** `ports[]` entries to {@link PortRule}s: numbers, numeric strings, named ports and ranges. */
import { matchEnum } from './enumText';
import type { IssueCollector, PathSegment } from './issues';
import { portNameProblem } from './kubernetesNames';
import type { PortRule } from './model';
import { isRawObject } from './rawValue';
import { PortSchema, PROTOCOL_NAMES } from './schema';
import { warnUnknownFields } from './unknownFields';

const PORT_FIELDS = Object.keys(PortSchema.shape);

type PortValue =
  { kind: 'none' } | { kind: 'number'; value: number } | { kind: 'name'; value: string } | { kind: 'bad' };

/** Reads an IntOrString port; numeric strings ("80", as upstream stores ports) are numbers. */
function readPort(
  raw: unknown,
  at: readonly PathSegment[],
  issues: IssueCollector,
  isEnd: boolean,
): PortValue {
  if (raw === undefined) return { kind: 'none' };
  // Upstream stores an absent endPort as "" or "0".
  if (isEnd && (raw === '' || raw === '0' || raw === 0)) return { kind: 'none' };
  const numeric =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^[0-9]+$/.test(raw) ? Number(raw) : undefined;
  if (numeric !== undefined) {
    if (!Number.isInteger(numeric)) return { kind: 'bad' };
    if (numeric < 1 || numeric > 65535) {
      issues.error(at, `must be between 1 and 65535, got ${numeric}`);
      return { kind: 'bad' };
    }
    return { kind: 'number', value: numeric };
  }
  if (typeof raw !== 'string') return { kind: 'bad' };
  const problem = portNameProblem(raw);
  if (problem !== undefined) {
    issues.error(at, problem);
    return { kind: 'bad' };
  }
  return { kind: 'name', value: raw };
}

/** Normalises one port rule; `undefined` when it has errors (recorded in `issues`). Protocol defaults to TCP. */
export function normalisePort(
  raw: unknown,
  at: readonly PathSegment[],
  issues: IssueCollector,
): PortRule | undefined {
  if (!isRawObject(raw)) return undefined;
  const errorsBefore = issues.errors.length;
  warnUnknownFields(raw, PORT_FIELDS, at, issues);
  const protocol = typeof raw.protocol === 'string' ? matchEnum(PROTOCOL_NAMES, raw.protocol) : 'TCP';
  const port = readPort(raw.port, [...at, 'port'], issues, false);
  const endPort = readPort(raw.endPort, [...at, 'endPort'], issues, true);
  if (endPort.kind === 'name') {
    issues.error([...at, 'endPort'], 'must be a number; port ranges cannot use port names');
  } else if (endPort.kind === 'number') {
    if (port.kind === 'none') issues.error([...at, 'endPort'], 'needs a numeric port to start the range');
    else if (port.kind === 'name')
      issues.error([...at, 'endPort'], `cannot be used with the named port "${port.value}"`);
    else if (port.kind === 'number' && endPort.value < port.value) {
      issues.error(
        [...at, 'endPort'],
        `must be greater than or equal to port (${port.value}), got ${endPort.value}`,
      );
    }
  }
  if (
    issues.errors.length !== errorsBefore ||
    protocol === undefined ||
    port.kind === 'bad' ||
    endPort.kind === 'bad'
  ) {
    return undefined;
  }
  const rule: PortRule = { protocol };
  if (port.kind === 'number' || port.kind === 'name') rule.port = port.value;
  if (endPort.kind === 'number' && port.kind === 'number' && endPort.value !== port.value)
    rule.endPort = endPort.value;
  return rule;
}
