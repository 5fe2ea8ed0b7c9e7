import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { ConfigurationStore } from '../shared/store/configurationStore';
import type { IdentityStore } from '../shared/enrich/identityStore';
import { resolveConnection } from '../shared/sinks/connection';
import { errorMessage } from '../shared/errors';
import { appServices } from './services';

/** What the health endpoint checks. */
export interface HealthDependencies {
  configurationStore: ConfigurationStore;
  identityStore: IdentityStore;
  /** Checks the dead-letter store can be reached. */
  deadLetterPing: () => Promise<void>;
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

async function check(name: string, timeoutInMs: number, probe: () => Promise<unknown>): Promise<HealthCheck> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutInMs} ms`)), timeoutInMs);
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
      check('configurationStore', timeout, () => deps.configurationStore.ping()),
      check('identityStore', timeout, () => deps.identityStore.lookupFor('__health__')),
      check('deadLetterStore', timeout, deps.deadLetterPing),
    ]);
    // Every destination connection named by a stored configuration must resolve from app settings.
    if (checks[0]?.status === 'ok') {
      const outputs = new Map<string, { destination: Parameters<typeof resolveConnection>[0]; connection: string }>();
      for (const configuration of await deps.configurationStore.list()) {
        const output = configuration.spec?.output;
        if (output !== undefined) outputs.set(`${output.destination}/${output.connection}`, output);
      }
      for (const [key, output] of outputs) {
        checks.push(await check(`destination ${key}`, timeout, async () => resolveConnection(output.destination, output.connection, deps.env)));
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
    identityStore: services.identityStore,
    deadLetterPing: () => services.deadLetter.ping(),
    env: process.env,
  };
});
