/** `spec` of either form to the one internal {@link TraceConfigurationSpec}. */
import { matchEnum } from './enumText';
import type { IssueCollector, PathSegment } from './issues';
import type { CaptureLevel, Peer, PortRule, TraceConfigurationSpec, TraceRule, TraceTarget } from './model';
import { normaliseOutput } from './normaliseOutput';
import { DEFAULT_CONNECTION_POLICY, type ConnectionPolicy } from './connectionPolicy';
import { normalisePeer } from './normalisePeer';
import { normalisePort } from './normalisePort';
import { normaliseTracePoints, type NormalisedTracePoints } from './normaliseTracePoints';
import { isRawObject, type RawObject } from './rawValue';
import {
  CAPTURE_LEVEL_NAMES,
  DocumentedSpecSchema,
  DocumentedTraceConfigurationSchema,
  UpstreamSpecSchema,
  UpstreamTraceConfigurationSchema,
  UpstreamTraceTargetSchema,
} from './schema';
import { warnUnknownFields } from './unknownFields';

const TARGET_NEEDS_SOMETHING = 'needs at least one of from, to or ports';

function list(raw: unknown): unknown[] {
  return Array.isArray(raw) ? raw : [];
}

function peers(raw: unknown[], at: readonly PathSegment[], issues: IssueCollector): Peer[] {
  return raw.flatMap((entry, i) => normalisePeer(entry, [...at, i], issues) ?? []);
}

function ports(raw: unknown, at: readonly PathSegment[], issues: IssueCollector): PortRule[] {
  return list(raw).flatMap((entry, i) => normalisePort(entry, [...at, i], issues) ?? []);
}

/** Why a `FlowSummary` rule validates with a warning. */
export const FLOW_SUMMARY_WARNING =
  'FlowSummary is an extension of this backend: upstream Retina lists only FirstPacket and AllPackets, so its own tools reject this value';

function ruleSettings(
  raw: RawObject,
  at: readonly PathSegment[],
  issues: IssueCollector,
): Pick<TraceRule, 'captureLevel' | 'includeLayer7Data'> {
  const level: CaptureLevel | undefined =
    typeof raw.captureLevel === 'string' ? matchEnum(CAPTURE_LEVEL_NAMES, raw.captureLevel) : undefined;
  if (level === 'FlowSummary') issues.warn([...at, 'captureLevel'], FLOW_SUMMARY_WARNING);
  return { captureLevel: level ?? 'FirstPacket', includeLayer7Data: raw.includeLayer7Data === true };
}

function assemble(
  rules: TraceRule[],
  output: ReturnType<typeof normaliseOutput>,
  issues: IssueCollector,
  errorsBefore: number,
): TraceConfigurationSpec | undefined {
  return issues.errors.length === errorsBefore && output !== undefined ? { rules, output } : undefined;
}

/**
 * Documented form: each `spec.traceConfigurations[]` entry is one target (its `from`, `to`,
 * `ports`), observed at `spec.tracePoints`. Returns `undefined` when anything is wrong.
 */
export function normaliseDocumentedSpec(
  spec: RawObject,
  issues: IssueCollector,
  policy: ConnectionPolicy = DEFAULT_CONNECTION_POLICY,
): TraceConfigurationSpec | undefined {
  const errorsBefore = issues.errors.length;
  const at = ['spec'];
  warnUnknownFields(spec, Object.keys(DocumentedSpecSchema.shape), at, issues);
  const points: NormalisedTracePoints = normaliseTracePoints(spec.tracePoints);
  const rules: TraceRule[] = [];
  list(spec.traceConfigurations).forEach((entry, i) => {
    if (!isRawObject(entry)) return;
    const entryAt = [...at, 'traceConfigurations', i];
    warnUnknownFields(entry, Object.keys(DocumentedTraceConfigurationSchema.shape), entryAt, issues);
    const from = list(entry.from);
    const to = list(entry.to);
    const portList = list(entry.ports);
    if (from.length === 0 && to.length === 0 && portList.length === 0)
      issues.error(entryAt, TARGET_NEEDS_SOMETHING);
    const target: TraceTarget = {
      from: peers(from, [...entryAt, 'from'], issues),
      to: peers(to, [...entryAt, 'to'], issues),
      ports: ports(portList, [...entryAt, 'ports'], issues),
      ...points,
      tracePoints: [...points.tracePoints],
    };
    rules.push({ ...ruleSettings(entry, entryAt, issues), targets: [target] });
  });
  const output = normaliseOutput(spec.outputConfiguration, [...at, 'outputConfiguration'], issues, policy);
  return assemble(rules, output, issues, errorsBefore);
}

/**
 * Upstream CRD form: `spec.traceConfiguration[].traceTargets[]`, each with a single `from` and
 * `to` object and its own `tracePoints`. Returns `undefined` when anything is wrong.
 */
export function normaliseUpstreamSpec(
  spec: RawObject,
  issues: IssueCollector,
  policy: ConnectionPolicy = DEFAULT_CONNECTION_POLICY,
): TraceConfigurationSpec | undefined {
  const errorsBefore = issues.errors.length;
  const at = ['spec'];
  warnUnknownFields(spec, Object.keys(UpstreamSpecSchema.shape), at, issues);
  const rules: TraceRule[] = [];
  list(spec.traceConfiguration).forEach((entry, i) => {
    if (!isRawObject(entry)) return;
    const entryAt = [...at, 'traceConfiguration', i];
    warnUnknownFields(entry, Object.keys(UpstreamTraceConfigurationSchema.shape), entryAt, issues);
    const targets: TraceTarget[] = [];
    list(entry.traceTargets).forEach((rawTarget, j) => {
      if (!isRawObject(rawTarget)) return;
      const targetAt = [...entryAt, 'traceTargets', j];
      warnUnknownFields(rawTarget, Object.keys(UpstreamTraceTargetSchema.shape), targetAt, issues);
      const portList = list(rawTarget.ports);
      if (rawTarget.from === undefined && rawTarget.to === undefined && portList.length === 0) {
        issues.error(targetAt, TARGET_NEEDS_SOMETHING);
      }
      const from =
        rawTarget.from === undefined ? [] : [normalisePeer(rawTarget.from, [...targetAt, 'from'], issues)];
      const to = rawTarget.to === undefined ? [] : [normalisePeer(rawTarget.to, [...targetAt, 'to'], issues)];
      targets.push({
        from: from.filter((peer): peer is Peer => peer !== undefined),
        to: to.filter((peer): peer is Peer => peer !== undefined),
        ports: ports(portList, [...targetAt, 'ports'], issues),
        ...normaliseTracePoints(rawTarget.tracePoints),
      });
    });
    rules.push({ ...ruleSettings(entry, entryAt, issues), targets });
  });
  const output = normaliseOutput(spec.outputConfiguration, [...at, 'outputConfiguration'], issues, policy);
  return assemble(rules, output, issues, errorsBefore);
}
