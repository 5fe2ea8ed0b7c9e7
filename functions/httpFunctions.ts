import type { HttpFunctionDefinition } from '../shared/local/httpFunctionHost';
import { health, healthDetails } from './health';
import { identities } from './identities';
import { traceConfigurations } from './traceConfigurations';

/**
 * The app's HTTP functions. `functions/index.ts` registers them with `app.http`, and the local
 * runner serves the same list, so both hosts run identical handlers on identical routes.
 */
export const HTTP_FUNCTIONS: readonly HttpFunctionDefinition[] = [
  {
    name: 'traceConfigurations',
    methods: ['GET', 'PUT', 'DELETE'],
    route: 'traceconfigurations/{namespace?}/{name?}/{subresource?}',
    authLevel: 'function',
    handler: traceConfigurations,
  },
  { name: 'identities', methods: ['POST'], route: 'identities', authLevel: 'function', handler: identities },
  { name: 'health', methods: ['GET'], route: 'health', authLevel: 'anonymous', handler: health },
  {
    name: 'healthDetails',
    methods: ['GET'],
    route: 'health/details',
    authLevel: 'function',
    handler: healthDetails,
  },
];
