import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import {
  handleConfigurationRequest,
  type ConfigurationApiDependencies,
} from '../shared/api/configurationApi';
import { appServices } from './services';
import { resolveConnection } from '../shared/sinks/connection';
import { errorMessage } from '../shared/errors';

/** Builds the TraceConfiguration API handler over the given dependencies. */
export function createTraceConfigurationsHandler(dependencies: () => ConfigurationApiDependencies) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const response = await handleConfigurationRequest(request, dependencies());
    context.log(`${request.method} ${new URL(request.url).pathname} -> ${response.status}`);
    return response;
  };
}

/** `GET|PUT|DELETE /api/traceconfigurations/{namespace?}/{name?}/{subresource?}`. */
export const traceConfigurations = createTraceConfigurationsHandler(() => {
  const services = appServices();
  return {
    store: services.configurationStore,
    counters: services.configurationCounters,
    validator: services.validator,
    maxRequestBodyBytes: services.settings.maxRequestBodyBytes,
    connectionPolicy: services.settings.connectionPolicy,
    outputProblem: (output) => {
      try {
        resolveConnection(output.destination, output.connection, services.env);
        return undefined;
      } catch (caught) {
        return errorMessage(caught);
      }
    },
  };
});
