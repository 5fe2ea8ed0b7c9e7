/**
 * The TraceConfiguration HTTP API: `PUT|GET|DELETE /api/traceconfigurations/{namespace}/{name}`,
 * `GET /api/traceconfigurations[?namespace=]`, `GET .../{namespace}/{name}/status`.
 * Bodies are YAML or JSON in either spelling; writes use ETags for optimistic concurrency.
 */
import type { CounterStore } from '../store/configurationCounters';
import { problem, readBodyWithin, type ApiRequest, type ApiResponse } from './httpTypes';
import type { OutputConfiguration, TraceConfigurationSpec, TraceConfigurationStatus } from '../config/model';
import {
  PreconditionFailedError,
  StoredValueTooLargeError,
  type ConfigurationStore,
  type StoredConfiguration,
} from '../store/configurationStore';
import {
  connectionNameProblem,
  DEFAULT_CONNECTION_POLICY,
  type ConnectionPolicy,
} from '../config/connectionPolicy';
import { dns1123LabelProblem, dns1123SubdomainProblem } from '../config/kubernetesNames';
import { scrubSecrets } from '../config/secrets';
import { scrubStatus } from '../store/storedRow';
import { errorMessage } from '../errors';

/** One problem found in a manifest. */
export interface ManifestIssue {
  path: string;
  message: string;
  line?: number;
  column?: number;
  /** Set on problems that refuse the whole document before anything is stored (see ConfigIssue.code). */
  code?: string;
}

/** The outcome of checking one manifest document. */
export interface ManifestCheck {
  namespace: string;
  name: string;
  state: 'Accepted' | 'Warning' | 'Errored';
  errors: ManifestIssue[];
  warnings: ManifestIssue[];
  /** The normalised spec when not Errored. */
  spec?: TraceConfigurationSpec;
  /** The document as parsed (plain JSON). */
  manifest: unknown;
}

/** What the API needs from the configuration module. */
export interface ManifestValidator {
  /** Parses a YAML (JSON is YAML) text into one check per document; syntax errors come back as Errored checks. */
  checkText(text: string, sourceName: string): ManifestCheck[];
  /** The status after applying `check` on top of `previous` (an Errored check keeps the last accepted spec). */
  nextStatus(previous: TraceConfigurationStatus | undefined, check: ManifestCheck): TraceConfigurationStatus;
}

/** Dependencies of the API. */
export interface ConfigurationApiDependencies {
  store: ConfigurationStore;
  validator: ManifestValidator;
  maxRequestBodyBytes: number;
  /** Clock for `updatedAt`; injected for tests. */
  now?: () => Date;
  /**
   * Connections configurations may name; a stored configuration outside it (stored before the
   * policy existed) is shown Errored. Default: `TRACES_*` only.
   */
  connectionPolicy?: ConnectionPolicy;
  /**
   * Why a configuration's destination cannot be used right now (e.g. its connection's app
   * settings are missing), or `undefined`. Shown as a Warning on that configuration's status.
   */
  outputProblem?: (output: OutputConfiguration) => string | undefined;
  /**
   * Per-configuration counters; when given, a GET of one configuration (or its status) shows
   * `status.counters`. Best effort: a failure to read them leaves them out.
   */
  counters?: Pick<CounterStore, 'read'>;
}

/** Issue codes that refuse a document before the store sees it, with the HTTP status to answer. */
const REFUSALS: Readonly<Record<string, number>> = {
  SECRET_IN_MANIFEST: 422,
  CONNECTION_NOT_ALLOWED: 422,
  INPUT_TOO_LARGE: 413,
  INPUT_TOO_DEEP: 400,
  TOO_MANY_DOCUMENTS: 400,
  ALIAS_EXPANSION_TOO_LARGE: 400,
  STRING_TOO_LONG: 400,
};

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  413: 'Payload Too Large',
  422: 'Unprocessable Content',
};

const CLUSTER_LABEL = 'retina.sh/cluster';
const SUPPORTED_MEDIA_TYPES = [
  'application/json',
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
  'text/x-yaml',
  'text/plain',
];

/** The status shown for a stored configuration: scrubbed, and Errored when its connection is not allowed. */
function shownStatus(
  stored: StoredConfiguration,
  policy: ConnectionPolicy,
  outputProblem: ConfigurationApiDependencies['outputProblem'],
): StoredConfiguration['status'] {
  const status = scrubStatus(stored.status);
  const output = stored.spec?.output;
  if (output === undefined) return status;
  const refused = connectionNameProblem(output.connection, policy);
  if (refused !== undefined) {
    return {
      ...status,
      state: 'Errored',
      reason: `spec.outputConfiguration.connectionConfiguration: ${refused}; the configuration is not traced until it is applied again with an allowed connection`,
    };
  }
  const unusable = outputProblem?.(output);
  if (unusable === undefined || status.state === 'Errored') return status;
  const note = `spec.outputConfiguration: ${unusable}; its records go to the dead-letter store until the operator sets these app settings`;
  return { ...status, state: 'Warning', reason: status.reason === '' ? note : `${status.reason}; ${note}` };
}

/**
 * The resource representation returned by the API. Credentials stored before the secret check
 * existed are scrubbed from the manifest and the status.
 */
export function toResource(
  stored: StoredConfiguration,
  policy: ConnectionPolicy = DEFAULT_CONNECTION_POLICY,
  outputProblem?: ConfigurationApiDependencies['outputProblem'],
): Record<string, unknown> {
  const manifest = scrubSecrets(
    (typeof stored.manifest === 'object' && stored.manifest !== null ? stored.manifest : {}) as Record<
      string,
      unknown
    >,
  );
  const metadata = (
    typeof manifest.metadata === 'object' && manifest.metadata !== null ? manifest.metadata : {}
  ) as Record<string, unknown>;
  return {
    apiVersion: manifest.apiVersion ?? 'retina.sh/v1alpha1',
    kind: manifest.kind ?? 'TraceConfiguration',
    metadata: {
      ...metadata,
      namespace: stored.namespace,
      name: stored.name,
      generation: stored.generation,
      resourceVersion: stored.etag,
    },
    spec: manifest.spec,
    status: shownStatus(stored, policy, outputProblem),
  };
}

function clusterLabel(manifest: unknown): string | undefined {
  const labels = (manifest as { metadata?: { labels?: Record<string, unknown> } } | undefined)?.metadata
    ?.labels;
  const value = labels?.[CLUSTER_LABEL];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function specOf(manifest: unknown): unknown {
  return (manifest as { spec?: unknown } | undefined)?.spec;
}

/** Handles one API request. Never throws for client errors; store outages surface as 503. */
/** A 400 naming the first URL part that is not a Kubernetes name, or `undefined`. */
function badNames(namespace: string | undefined, name: string | undefined): ApiResponse | undefined {
  const errors: { path: string; message: string }[] = [];
  const shown = (value: string) => JSON.stringify(value.length > 64 ? `${value.slice(0, 61)}...` : value);
  if (namespace !== undefined && namespace !== '') {
    const why = dns1123LabelProblem(namespace);
    if (why !== undefined) errors.push({ path: 'metadata.namespace', message: `${shown(namespace)} ${why}` });
  }
  if (name !== undefined && name !== '') {
    const why = dns1123SubdomainProblem(name);
    if (why !== undefined) errors.push({ path: 'metadata.name', message: `${shown(name)} ${why}` });
  }
  return errors.length === 0
    ? undefined
    : problem(400, 'Bad Request', 'The URL does not name a valid namespace and name.', errors);
}

/** Handles one API request. Never throws: client errors are 4xx, store failures 503. */
export async function handleConfigurationRequest(
  request: ApiRequest,
  deps: ConfigurationApiDependencies,
): Promise<ApiResponse> {
  const { namespace, name, subresource } = request.params;
  const method = request.method.toUpperCase();
  const policy = deps.connectionPolicy ?? DEFAULT_CONNECTION_POLICY;
  const resource = (stored: StoredConfiguration) => toResource(stored, policy, deps.outputProblem);
  try {
    const refused = badNames(
      namespace === undefined || namespace === '' ? (request.query.get('namespace') ?? undefined) : namespace,
      name,
    );
    if (refused !== undefined) return refused;
    if (namespace === undefined || namespace === '') {
      if (method !== 'GET')
        return problem(
          405,
          'Method Not Allowed',
          `${method} needs /api/traceconfigurations/{namespace}/{name}.`,
        );
      const filter = request.query.get('namespace') ?? undefined;
      const items = await deps.store.list(filter === undefined ? {} : { namespace: filter });
      return { status: 200, jsonBody: { apiVersion: 'v1', kind: 'List', items: items.map(resource) } };
    }
    if (name === undefined || name === '') {
      if (method !== 'GET')
        return problem(
          405,
          'Method Not Allowed',
          `${method} needs /api/traceconfigurations/{namespace}/{name}.`,
        );
      const items = await deps.store.list({ namespace });
      return { status: 200, jsonBody: { apiVersion: 'v1', kind: 'List', items: items.map(resource) } };
    }
    if (subresource !== undefined && subresource !== '' && subresource !== 'status') {
      return problem(404, 'Not Found', `Unknown sub-resource '${subresource}'; only 'status' exists.`);
    }
    switch (method) {
      case 'GET': {
        const stored = await deps.store.get(namespace, name);
        if (stored === undefined)
          return problem(404, 'Not Found', `TraceConfiguration ${namespace}/${name} does not exist.`);
        const shown = resource(stored);
        if (deps.counters !== undefined) {
          const counters = await deps.counters
            .read(namespace, name, (deps.now ?? (() => new Date()))().getTime())
            .catch(() => undefined);
          if (counters !== undefined) shown.status = { ...(shown.status as object), counters };
        }
        return {
          status: 200,
          headers: { etag: stored.etag },
          jsonBody: subresource === 'status' ? shown.status : shown,
        };
      }
      case 'DELETE': {
        if (subresource === 'status')
          return problem(405, 'Method Not Allowed', 'The status sub-resource is read-only.');
        const ifMatch = request.headers.get('if-match') ?? undefined;
        const deleted = await deps.store.delete(namespace, name, ifMatch === undefined ? {} : { ifMatch });
        return deleted
          ? { status: 204 }
          : problem(404, 'Not Found', `TraceConfiguration ${namespace}/${name} does not exist.`);
      }
      case 'PUT':
        if (subresource === 'status')
          return problem(405, 'Method Not Allowed', 'The status sub-resource is computed by the backend.');
        return await put(request, namespace, name, deps, resource);
      default:
        return problem(405, 'Method Not Allowed', `${method} is not supported; use GET, PUT or DELETE.`);
    }
  } catch (caught) {
    if (caught instanceof PreconditionFailedError) return problem(412, 'Precondition Failed', caught.message);
    if (caught instanceof StoredValueTooLargeError) return problem(413, 'Payload Too Large', caught.message);
    // Anything else is the store failing (or a bug): the client is not at fault and may retry.
    return problem(503, 'Service Unavailable', `The configuration store failed: ${errorMessage(caught)}`);
  }
}

async function put(
  request: ApiRequest,
  namespace: string,
  name: string,
  deps: ConfigurationApiDependencies,
  resource: (stored: StoredConfiguration) => Record<string, unknown>,
): Promise<ApiResponse> {
  const mediaType = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!SUPPORTED_MEDIA_TYPES.includes(mediaType)) {
    return problem(
      415,
      'Unsupported Media Type',
      `Content-Type '${mediaType || '(none)'}' is not supported; send application/json or application/yaml.`,
    );
  }
  const body = await readBodyWithin(request, deps.maxRequestBodyBytes);
  if (typeof body !== 'string') return body;
  const checks = deps.validator.checkText(body, `request body`);
  if (checks.length !== 1) {
    return problem(
      400,
      'Bad Request',
      `The body must hold exactly one TraceConfiguration document; it holds ${checks.length}.`,
    );
  }
  const check = checks[0]!;
  // Admission: secrets, forbidden connections and oversized input are refused before the store sees anything.
  const refusal = check.errors.find(
    (issue) => issue.code !== undefined && REFUSALS[issue.code] !== undefined,
  );
  if (refusal !== undefined) {
    const status = REFUSALS[refusal.code!]!;
    return problem(
      status,
      TITLES[status] ?? 'Bad Request',
      `The TraceConfiguration was refused and nothing was stored: ${refusal.path === '' ? '' : `${refusal.path}: `}${refusal.message}`,
      check.errors,
    );
  }
  const mismatches = [
    ...(check.namespace !== namespace
      ? [
          {
            path: 'metadata.namespace',
            message: `is '${check.namespace}' but the URL names namespace '${namespace}'`,
          },
        ]
      : []),
    ...(check.name !== name && check.name !== ''
      ? [{ path: 'metadata.name', message: `is '${check.name}' but the URL names '${name}'` }]
      : []),
  ];
  if (mismatches.length > 0)
    return problem(400, 'Bad Request', 'The manifest and the URL disagree.', mismatches);
  if (check.manifest === undefined || check.manifest === null) {
    return problem(400, 'Bad Request', 'The body could not be parsed.', check.errors);
  }

  const existing = await deps.store.get(namespace, name);
  const ifMatch = request.headers.get('if-match') ?? undefined;
  const ifNoneMatch = request.headers.get('if-none-match') ?? undefined;
  if (ifNoneMatch === '*' && existing !== undefined)
    throw new PreconditionFailedError(`${namespace}/${name} already exists (If-None-Match: *)`);
  if (ifMatch !== undefined && (existing === undefined || (ifMatch !== '*' && ifMatch !== existing.etag))) {
    throw new PreconditionFailedError(
      existing === undefined
        ? `${namespace}/${name} does not exist (If-Match: ${ifMatch})`
        : `${namespace}/${name} was changed by someone else: its etag is ${existing.etag}, If-Match was ${ifMatch}`,
    );
  }
  const status = deps.validator.nextStatus(existing?.status, check);
  const specChanged =
    existing === undefined ||
    JSON.stringify(specOf(existing.manifest)) !== JSON.stringify(specOf(check.manifest));
  const write = {
    namespace,
    name,
    generation: existing === undefined ? 1 : existing.generation + (specChanged ? 1 : 0),
    manifest: check.manifest,
    status,
    updatedAt: (deps.now ?? (() => new Date()))().toISOString(),
    ...(status.lastKnownSpec !== undefined ? { spec: status.lastKnownSpec } : {}),
    ...(clusterLabel(check.manifest) !== undefined ? { cluster: clusterLabel(check.manifest)! } : {}),
  };
  let stored: StoredConfiguration;
  try {
    // Always write conditionally on what was read, so a concurrent writer is detected.
    stored = await deps.store.put(
      write,
      existing === undefined ? { ifNoneMatch: '*' } : { ifMatch: existing.etag },
    );
  } catch (caught) {
    if (caught instanceof PreconditionFailedError && ifMatch === undefined && ifNoneMatch === undefined) {
      return problem(
        409,
        'Conflict',
        `${namespace}/${name} was changed concurrently by another writer; read it again and retry.`,
      );
    }
    throw caught;
  }
  const headers = { etag: stored.etag };
  if (check.state === 'Errored') {
    const kept = status.lastKnownSpec !== undefined ? ' The last accepted spec stays in force.' : '';
    return {
      status: 422,
      headers: { ...headers, 'content-type': 'application/problem+json' },
      jsonBody: {
        title: 'Unprocessable Content',
        status: 422,
        detail: `The TraceConfiguration is invalid.${kept}`,
        errors: check.errors,
        resource: resource(stored),
      },
    };
  }
  return { status: existing === undefined ? 201 : 200, headers, jsonBody: resource(stored) };
}
