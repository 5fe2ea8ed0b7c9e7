import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { ConfigurationStore } from '../shared/store/configurationStore';
import {
  connectionNameProblem,
  DEFAULT_CONNECTION_POLICY,
  type ConnectionPolicy,
} from '../shared/config/connectionPolicy';
import { resolveConnection } from '../shared/sinks/connection';
import { errorMessage } from '../shared/errors';
import { appServices } from './services';

/** What the health endpoint checks. */
export interface HealthDependencies {
  configurationStore: ConfigurationStore;
  /**
   * Checks the identity store's table can be read. Not a lookup: lookups are served from a cache
   * and would report a storage outage as healthy.
   */
  identityStorePing: (options: ProbeOptions) => Promise<void>;
  /** Checks the dead-letter store can be reached. */
  deadLetterPing: (options: ProbeOptions) => Promise<void>;
  /** The app settings the handlers resolve connections from (the same object, not `process.env` by default). */
  env: Readonly<Record<string, string | undefined>>;
  /** Connections configurations may name. Default: `TRACES_*` only. */
  connectionPolicy?: ConnectionPolicy;
  /** Per-check timeout in ms. Default 5 000. */
  timeoutInMs?: number;
}

/** One check's outcome. */
export interface HealthCheck {
  name: string;
  status: 'ok' | 'failed';
  detail?: string;
}

/** A problem of one configuration: reported on it, never making the app unhealthy. */
export interface ConfigurationProblem {
  namespace: string;
  name: string;
  problem: string;
}

/** Options a probe receives; the signal aborts it when the check times out. */
export interface ProbeOptions {
  abortSignal?: AbortSignal;
}

async function check(
  name: string,
  timeoutInMs: number,
  probe: (options: ProbeOptions) => Promise<unknown>,
): Promise<HealthCheck> {
  let timer: NodeJS.Timeout | undefined;
  // Aborting on timeout stops the SDK's own retries, so a dead dependency leaves nothing running.
  const controller = new AbortController();
  try {
    await Promise.race([
      probe({ abortSignal: controller.signal }),
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`no answer within ${timeoutInMs} ms`));
          controller.abort();
        }, timeoutInMs);
      }),
    ]);
    return { name, status: 'ok' };
  } catch (caught) {
    return { name, status: 'failed', detail: errorMessage(caught) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The problems of each stored configuration's destination: a connection the policy refuses or
 * whose app settings do not resolve. One user's broken configuration is its own problem, so
 * these never change the app's health.
 */
async function configurationProblems(
  deps: HealthDependencies,
  timeoutInMs: number,
): Promise<ConfigurationProblem[]> {
  const problems: ConfigurationProblem[] = [];
  const policy = deps.connectionPolicy ?? DEFAULT_CONNECTION_POLICY;
  const listed = await Promise.race([
    deps.configurationStore.list(),
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeoutInMs).unref()),
  ]).catch(() => undefined);
  for (const configuration of listed ?? []) {
    const at = { namespace: configuration.namespace, name: configuration.name };
    const output = configuration.spec?.output;
    if (configuration.status.state === 'Errored' && output === undefined) {
      problems.push({ ...at, problem: configuration.status.reason });
      continue;
    }
    if (output === undefined) continue;
    const refused = connectionNameProblem(output.connection, policy);
    if (refused !== undefined) {
      problems.push({ ...at, problem: `outputConfiguration.connectionConfiguration ${refused}` });
      continue;
    }
    try {
      resolveConnection(output.destination, output.connection, deps.env);
    } catch (caught) {
      problems.push({ ...at, problem: errorMessage(caught) });
    }
  }
  return problems;
}

/**
 * Builds the health handler: 200 when the app's own dependencies (configuration store, identity
 * store, dead-letter store) answer, 503 otherwise. The summary form (anonymous) answers only
 * `{status}`; the detailed form (behind the function key) adds each check and each
 * configuration's problems, which do not affect the status.
 */
export function createHealthHandler(
  dependencies: () => HealthDependencies,
  options: { detailed?: boolean } = {},
) {
  return async (_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    try {
      const deps = dependencies();
      const timeout = deps.timeoutInMs ?? 5000;
      const checks = await Promise.all([
        check('configurationStore', timeout, (probe) => deps.configurationStore.ping(probe)),
        check('identityStore', timeout, deps.identityStorePing),
        check('deadLetterStore', timeout, deps.deadLetterPing),
      ]);
      const healthy = checks.every((c) => c.status === 'ok');
      const status = healthy ? 'healthy' : 'unhealthy';
      if (options.detailed !== true) return { status: healthy ? 200 : 503, jsonBody: { status } };
      const configurations = checks[0]?.status === 'ok' ? await configurationProblems(deps, timeout) : [];
      return { status: healthy ? 200 : 503, jsonBody: { status, checks, configurations } };
    } catch (caught) {
      // Even building the services can fail (bad app settings): unhealthy, never a 500.
      context.error(`health: ${errorMessage(caught)}`);
      return {
        status: 503,
        jsonBody:
          options.detailed === true
            ? { status: 'unhealthy', detail: errorMessage(caught) }
            : { status: 'unhealthy' },
      };
    }
  };
}

function servicesDependencies(): HealthDependencies {
  const services = appServices();
  return {
    configurationStore: services.configurationStore,
    identityStorePing: (options) => services.identityStorePing(options),
    deadLetterPing: (options) => services.deadLetter.ping(options),
    env: services.env,
    connectionPolicy: services.settings.connectionPolicy,
  };
}

/** `GET /api/health` (anonymous): `{status}` only, 200 or 503. */
export const health = createHealthHandler(servicesDependencies);

/** `GET /api/health/details` (function key): every check and each configuration's problems. */
export const healthDetails = createHealthHandler(servicesDependencies, { detailed: true });
