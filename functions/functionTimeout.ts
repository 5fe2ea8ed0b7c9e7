/**
 * The host's `functionTimeout`, as the Functions host itself resolves it: the app setting
 * `AzureFunctionsJobHost__functionTimeout` (which overrides host.json) or host.json beside the app.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_FUNCTION_TIMEOUT_MS, parseFunctionTimeout } from '../shared/pipeline/invocationBudget';

/** App setting that overrides host.json's `functionTimeout`. */
export const FUNCTION_TIMEOUT_SETTING = 'AzureFunctionsJobHost__functionTimeout';

function hostJsonTimeout(from: string): string | undefined {
  // functions/ under tsx, dist/functions/ when built: host.json is one or two folders up.
  for (const candidate of [
    path.resolve(from, '..', 'host.json'),
    path.resolve(from, '..', '..', 'host.json'),
  ]) {
    try {
      const parsed = JSON.parse(readFileSync(candidate, 'utf8')) as { functionTimeout?: unknown };
      return typeof parsed.functionTimeout === 'string' ? parsed.functionTimeout : undefined;
    } catch {
      continue;
    }
  }
  return undefined;
}

/** `functionTimeout` in ms (-1 when unbounded); the 30-minute default when neither source sets it. */
export function functionTimeoutMs(env: Record<string, string | undefined>, from: string = __dirname): number {
  return (
    parseFunctionTimeout(env[FUNCTION_TIMEOUT_SETTING]) ??
    parseFunctionTimeout(hostJsonTimeout(from)) ??
    DEFAULT_FUNCTION_TIMEOUT_MS
  );
}
