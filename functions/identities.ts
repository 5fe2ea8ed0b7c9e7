import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { IdentityStore } from '../shared/enrich/identityStore';
import { parseIdentitySnapshot } from '../shared/enrich/identitySchema';
import { problem, readBodyWithin } from '../shared/api/httpTypes';
import { appServices } from './services';
import {
  DEFAULT_INPUT_LIMITS,
  InputLimitError,
  parseJsonWithin,
  type InputLimits,
} from '../shared/config/inputLimits';

/** Snapshots list many pods: a larger body than a manifest, the same depth and string bounds. */
const IDENTITY_BODY_LIMITS: InputLimits = {
  ...DEFAULT_INPUT_LIMITS,
  maxBytes: Number.MAX_SAFE_INTEGER,
  maxDepth: 16,
};

/** What the identities endpoint needs. */
export interface IdentitiesDependencies {
  identities: IdentityStore;
  maxRequestBodyBytes: number;
}

/** Builds `POST /api/identities`: the same snapshots as the hub (`retina.sh/identities/v1`), out of band. */
export function createIdentitiesHandler(dependencies: () => IdentitiesDependencies) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const deps = dependencies();
    const mediaType = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (mediaType !== 'application/json') {
      return problem(
        415,
        'Unsupported Media Type',
        `Content-Type '${mediaType || '(none)'}' is not supported; send application/json.`,
      );
    }
    const body = await readBodyWithin(request, deps.maxRequestBodyBytes);
    if (typeof body !== 'string') return body;
    // Bounded before parsing: deep nesting would otherwise reach recursive code (see inputLimits).
    const json = parseJsonWithin(body, 'The body', IDENTITY_BODY_LIMITS);
    if (!json.ok) {
      const status =
        json.error instanceof InputLimitError && json.error.limitCode === 'INPUT_TOO_LARGE' ? 413 : 400;
      return problem(
        status,
        status === 413 ? 'Payload Too Large' : 'Bad Request',
        json.error.message,
        json.path === undefined ? undefined : [{ path: json.path, message: json.error.message }],
      );
    }
    const parsed = parseIdentitySnapshot(json.value);
    if (!parsed.ok) {
      return problem(
        400,
        'Bad Request',
        'The identity snapshot is invalid.',
        parsed.issues.map((issue) => {
          const separator = issue.indexOf(': ');
          return separator < 0
            ? { path: '', message: issue }
            : { path: issue.slice(0, separator), message: issue.slice(separator + 2) };
        }),
      );
    }
    const outcome = await deps.identities.apply(parsed.snapshot);
    context.log(`identities for ${parsed.snapshot.cluster}: ${JSON.stringify(outcome)}`);
    return { status: 200, jsonBody: { cluster: parsed.snapshot.cluster, ...outcome } };
  };
}

/** `POST /api/identities`. */
export const identities = createIdentitiesHandler(() => {
  const services = appServices();
  return {
    identities: services.identityStore,
    maxRequestBodyBytes: Math.max(services.settings.maxRequestBodyBytes, 8 * 1024 * 1024),
  };
});
