/**
 * Validation of one TraceConfiguration object (a parsed YAML document or a JSON body) in either
 * spelling, producing every error and warning with its field path and, when valid, the normalised
 * spec.
 */
import { formatPath, formatReason, IssueCollector, type ConfigIssue, type PathedIssue } from './issues';
import { dns1123LabelProblem, dns1123SubdomainProblem } from './kubernetesNames';
import type { ConfigurationState, TraceConfigurationSpec } from './model';
import { normaliseDocumentedSpec, normaliseUpstreamSpec } from './normaliseSpec';
import { describeValue, isRawObject, withoutNullFields, type RawObject } from './rawValue';
import {
  API_VERSION,
  DOCUMENTED_KIND,
  DocumentedSpecSchema,
  UPSTREAM_KIND,
  UpstreamSpecSchema,
} from './schema';
import { warnUnknownFields } from './unknownFields';
import { DEFAULT_CONNECTION_POLICY, type ConnectionPolicy } from './connectionPolicy';
import { checkValueLimits, DEFAULT_INPUT_LIMITS, type InputLimits } from './inputLimits';
import { findSecrets } from './secrets';
import { zodIssuesToPathed } from './zodIssues';
import { retainPacketsFromMetadata } from '../retention/retainPacketsAnnotation';

/** Which spelling a manifest used. */
export type ManifestForm = 'documented' | 'upstream';

/** The outcome of validating one resource: never `Initialized`. */
export type ValidationState = Exclude<ConfigurationState, 'Initialized'>;

/** The result of validating one TraceConfiguration. */
export interface TraceConfigurationValidation {
  /** As written (empty when absent or not a string). */
  apiVersion: string;
  /** As written (empty when absent or not a string). */
  kind: string;
  /** `metadata.namespace`, default `default`. */
  namespace: string;
  /** `metadata.name` (empty when absent). */
  name: string;
  /** Errored when there is any error, Warning when there are only warnings, else Accepted. */
  state: ValidationState;
  /** All errors then all warnings as `path: message` joined by `; `. Empty when Accepted. */
  reason: string;
  warnings: ConfigIssue[];
  errors: ConfigIssue[];
  /** The spelling used, when it could be told. */
  form?: ManifestForm;
  /** The normalised spec; present exactly when `state` is not Errored. */
  spec?: TraceConfigurationSpec;
}

/** A validation whose issues still carry path segments, so a YAML front end can locate them. */
export interface PathedValidation extends Omit<
  TraceConfigurationValidation,
  'warnings' | 'errors' | 'reason' | 'state'
> {
  errors: PathedIssue[];
  warnings: PathedIssue[];
}

const TOP_LEVEL_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function checkEnvelope(doc: RawObject, issues: IssueCollector): void {
  if (doc.apiVersion === undefined) issues.error(['apiVersion'], `is required: ${API_VERSION}`);
  else if (doc.apiVersion !== API_VERSION) {
    issues.error(['apiVersion'], `must be ${API_VERSION}, got ${describeValue(doc.apiVersion)}`);
  }
  if (doc.kind === undefined) issues.error(['kind'], `is required: ${DOCUMENTED_KIND}`);
  else if (doc.kind !== DOCUMENTED_KIND && doc.kind !== UPSTREAM_KIND) {
    issues.error(
      ['kind'],
      `must be ${DOCUMENTED_KIND} (or the upstream ${UPSTREAM_KIND}), got ${describeValue(doc.kind)}`,
    );
  }
  const metadata = doc.metadata;
  if (!isRawObject(metadata)) {
    issues.error(
      ['metadata'],
      metadata === undefined
        ? 'is required, with at least a name'
        : `must be a mapping, got ${describeValue(metadata)}`,
    );
    return;
  }
  if (metadata.name === undefined) issues.error(['metadata', 'name'], 'is required');
  else if (typeof metadata.name !== 'string')
    issues.error(['metadata', 'name'], `must be a string, got ${describeValue(metadata.name)}`);
  else {
    const problem = dns1123SubdomainProblem(metadata.name);
    if (problem !== undefined)
      issues.error(['metadata', 'name'], `${JSON.stringify(metadata.name)} ${problem}`);
  }
  if (metadata.namespace !== undefined) {
    const problem =
      typeof metadata.namespace === 'string'
        ? dns1123LabelProblem(metadata.namespace)
        : `must be a string, got ${describeValue(metadata.namespace)}`;
    if (problem !== undefined) issues.error(['metadata', 'namespace'], problem);
  }
}

function chooseForm(doc: RawObject, spec: RawObject, issues: IssueCollector): ManifestForm {
  const documented = 'traceConfigurations' in spec;
  const upstream = 'traceConfiguration' in spec;
  if (documented && upstream) {
    issues.error(
      ['spec'],
      'has both traceConfigurations (documented form) and traceConfiguration (upstream form); use one of them',
    );
  }
  const form: ManifestForm = documented
    ? 'documented'
    : upstream
      ? 'upstream'
      : doc.kind === UPSTREAM_KIND
        ? 'upstream'
        : 'documented';
  const expectedKind = form === 'documented' ? DOCUMENTED_KIND : UPSTREAM_KIND;
  if ((doc.kind === DOCUMENTED_KIND || doc.kind === UPSTREAM_KIND) && doc.kind !== expectedKind) {
    const field = form === 'documented' ? 'spec.traceConfigurations' : 'spec.traceConfiguration';
    issues.warn(
      ['kind'],
      `kind ${String(doc.kind)} with the ${form} layout (${field}); read as the ${form} form`,
    );
  }
  return form;
}

/** Options of the validators: what the deployment allows and how large inputs may be. */
export interface ValidationOptions {
  /** Connections a configuration may name besides `TRACES_*`. Default: none. */
  connectionPolicy?: ConnectionPolicy;
  /** Bounds on the parsed value (depth, string length). Default {@link DEFAULT_INPUT_LIMITS}. */
  limits?: Readonly<InputLimits>;
}

/** Errors for every string in the manifest that looks like a credential (value never shown). */
function secretIssues(doc: unknown, alreadyReported: readonly PathedIssue[]): PathedIssue[] {
  const reported = new Set(alreadyReported.map((issue) => formatPath(issue.segments)));
  return findSecrets(doc)
    .filter((secret) => !reported.has(formatPath(secret.segments)))
    .map((secret) => ({
      segments: secret.segments,
      message: `${secret.inKey ? 'has a key that looks like' : 'contains'} ${secret.kind}: credentials must not be written in a TraceConfiguration (the value is not shown here)`,
      code: 'SECRET_IN_MANIFEST',
    }));
}

/** Validates and normalises one object, keeping issue paths as segments. */
export function checkTraceConfigurationObject(
  input: unknown,
  options: ValidationOptions = {},
): PathedValidation {
  const issues = new IssueCollector();
  const tooLarge = checkValueLimits(input, options.limits ?? DEFAULT_INPUT_LIMITS);
  if (tooLarge !== undefined) {
    issues.error(tooLarge.segments, tooLarge.error.message, tooLarge.error.code);
    return { apiVersion: '', kind: '', namespace: 'default', name: '', errors: issues.errors, warnings: [] };
  }
  const result = checkBoundedObject(input, issues, options.connectionPolicy ?? DEFAULT_CONNECTION_POLICY);
  const secrets = secretIssues(input, result.errors);
  if (secrets.length === 0) return result;
  const { spec: _refused, ...rest } = result;
  return { ...rest, errors: [...result.errors, ...secrets] };
}

function checkBoundedObject(
  input: unknown,
  issues: IssueCollector,
  policy: ConnectionPolicy,
): PathedValidation {
  const doc = withoutNullFields(input);
  if (!isRawObject(doc)) {
    issues.error(
      [],
      `a TraceConfiguration must be a mapping with apiVersion, kind, metadata and spec, got ${describeValue(doc)}`,
    );
    return {
      apiVersion: '',
      kind: '',
      namespace: 'default',
      name: '',
      errors: issues.errors,
      warnings: issues.warnings,
    };
  }
  const metadata = isRawObject(doc.metadata) ? doc.metadata : {};
  const identity = {
    apiVersion: text(doc.apiVersion),
    kind: text(doc.kind),
    namespace: text(metadata.namespace) || 'default',
    name: text(metadata.name),
  };
  checkEnvelope(doc, issues);
  warnUnknownFields(doc, TOP_LEVEL_FIELDS, [], issues);
  if (!isRawObject(doc.spec)) {
    issues.error(
      ['spec'],
      doc.spec === undefined ? 'is required' : `must be a mapping, got ${describeValue(doc.spec)}`,
    );
    return { ...identity, errors: issues.errors, warnings: issues.warnings };
  }
  const form = chooseForm(doc, doc.spec, issues);
  const schema = form === 'documented' ? DocumentedSpecSchema : UpstreamSpecSchema;
  const parsed = schema.safeParse(doc.spec, { reportInput: true });
  const structural = parsed.success ? [] : zodIssuesToPathed(parsed.error, ['spec']);
  const spec =
    form === 'documented'
      ? normaliseDocumentedSpec(doc.spec, issues, policy)
      : normaliseUpstreamSpec(doc.spec, issues, policy);
  const retention = retainPacketsFromMetadata(metadata);
  if (retention.issue !== undefined) issues.error(retention.issue.segments, retention.issue.message);
  if (spec !== undefined && retention.days !== undefined) spec.retainPacketsDays = retention.days;
  const errors = [...structural, ...issues.errors];
  return {
    ...identity,
    form,
    errors,
    warnings: issues.warnings,
    ...(errors.length === 0 && spec ? { spec } : {}),
  };
}

/** The state a set of issues leads to. */
export function stateOf(errors: readonly unknown[], warnings: readonly unknown[]): ValidationState {
  return errors.length > 0 ? 'Errored' : warnings.length > 0 ? 'Warning' : 'Accepted';
}

/** Issues with their segments turned into a printable path. */
export function toConfigIssues(issues: readonly PathedIssue[]): ConfigIssue[] {
  return issues.map((issue) => ({
    path: formatPath(issue.segments),
    message: issue.message,
    ...(issue.code === undefined ? {} : { code: issue.code }),
  }));
}

/**
 * Validates one TraceConfiguration given as a plain object, e.g. a JSON request body: both
 * spellings, every rule of docs/trace-configuration.md, all problems reported with field paths. The spec is
 * present exactly when the state is Accepted or Warning.
 */
export function validateTraceConfigurationObject(
  input: unknown,
  options: ValidationOptions = {},
): TraceConfigurationValidation {
  const checked = checkTraceConfigurationObject(input, options);
  const errors = toConfigIssues(checked.errors);
  const warnings = toConfigIssues(checked.warnings);
  const state = stateOf(errors, warnings);
  return { ...checked, state, reason: formatReason([...errors, ...warnings]), errors, warnings };
}
