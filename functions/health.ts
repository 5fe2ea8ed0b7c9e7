import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { ConfigurationStore } from '../shared/store/configurationStore';
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
  env: Readonly<Record<string, string | undefined>>;
  /** Per-check timeout in ms. Default 5 000. */
  timeoutInMs?: number;
}

/** One check's outcome. */
export interface HealthCheck {
  name: string;
  status: 'ok' | 'failed';
  detail?: string;
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

/** Builds `GET /api/health`: 200 when every check passes, 503 otherwise, with each check's detail. */
export function createHealthHandler(dependencies: () => HealthDependencies) {
  return async (_request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> => {
    const deps = dependencies();
    const timeout = deps.timeoutInMs ?? 5000;
    const checks = await Promise.all([
      check('configurationStore', timeout, (options) => deps.configurationStore.ping(options)),
      check('identityStore', timeout, deps.identityStorePing),
      check('deadLetterStore', timeout, deps.deadLetterPing),
    ]);
    // Every destination connection named by a stored configuration must resolve from app settings.
    if (checks[0]?.status === 'ok') {
      const outputs = new Map<
        string,
        { destination: Parameters<typeof resolveConnection>[0]; connection: string }
      >();
      for (const configuration of await deps.configurationStore.list()) {
        const output = configuration.spec?.output;
        if (output !== undefined) outputs.set(`${output.destination}/${output.connection}`, output);
      }
      for (const [key, output] of outputs) {
        checks.push(
          await check(`destination ${key}`, timeout, async () =>
            resolveConnection(output.destination, output.connection, deps.env),
          ),
        );
      }
    }
    const healthy = checks.every((c) => c.status === 'ok');
    return { status: healthy ? 200 : 503, jsonBody: { status: healthy ? 'healthy' : 'unhealthy', checks } };
  };
}

/** `GET /api/health`. */
export const health = createHealthHandler(() => {
  const services = appServices();
  return {
    configurationStore: services.configurationStore,
    identityStorePing: (options) => services.identityStorePing(options),
    deadLetterPing: (options) => services.deadLetter.ping(options),
    env: process.env,
  };
});
