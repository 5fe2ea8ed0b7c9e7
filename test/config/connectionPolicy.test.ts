import {
  connectionNameProblem,
  connectionPolicyFromSetting,
  DEFAULT_CONNECTION_POLICY,
  isInternalConnectionName,
} from '../../shared/config/connectionPolicy';
import { validateTraceConfigurationObject } from '../../shared/config/validateObject';
import { documented, port } from './manifests';

const INTERNAL = [
  'CONFIG_STORE',
  'config_store',
  'IDENTITY_STORE',
  'DEADLETTER',
  'AzureWebJobsStorage',
  'EventHubConnection',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'AZURE_CLIENT_ID',
  'WEBSITE_AUTH_ENCRYPTION_KEY',
  'FUNCTIONS_WORKER_RUNTIME',
];

describe('connection policy', () => {
  it.each(INTERNAL)('%s is internal and never allowed', (name) => {
    expect(isInternalConnectionName(name)).toBe(true);
    expect(connectionNameProblem(name, { allowedNames: [name] })).toMatch(
      /internal connection of the backend/,
    );
  });

  it.each([
    ['TRACES_AZURETABLE', DEFAULT_CONNECTION_POLICY, undefined],
    ['TRACES_ORDERS', DEFAULT_CONNECTION_POLICY, undefined],
    ['PARTNER', { allowedNames: ['PARTNER'] }, undefined],
    ['PARTNER', DEFAULT_CONNECTION_POLICY, /not a declared trace output connection/],
    ['traces_orders', DEFAULT_CONNECTION_POLICY, /not a declared/],
    ['', DEFAULT_CONNECTION_POLICY, /not a declared/],
  ])('%s under %j', (name, policy, expected) => {
    const problem = connectionNameProblem(name, policy);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });

  it.each([
    [undefined, []],
    ['', []],
    [' A, B_2 ,', ['A', 'B_2']],
  ])('TRACE_OUTPUT_CONNECTIONS %j', (value, names) => {
    expect(connectionPolicyFromSetting(value).allowedNames).toEqual(names);
  });

  it.each([
    ['CONFIG_STORE', /internal/],
    ['a b', /not a connection name/],
    ['DEADLETTER,X', /internal/],
  ])('TRACE_OUTPUT_CONNECTIONS %j is refused', (value, message) => {
    expect(() => connectionPolicyFromSetting(value)).toThrow(message);
  });

  it.each(['azuretable', 'loganalytics', 'opentelemetry', 'stdout'])(
    'validation refuses an internal connection for %s with a field path',
    (destination) => {
      for (const name of INTERNAL.slice(0, 5)) {
        const result = validateTraceConfigurationObject(
          documented(port({ port: 1 }), {
            outputConfiguration: { destination, connectionConfiguration: name },
          }),
        );
        expect(result.state).toBe('Errored');
        expect(result.spec).toBeUndefined();
        expect(result.errors).toEqual([
          expect.objectContaining({
            path: 'spec.outputConfiguration.connectionConfiguration',
            code: 'CONNECTION_NOT_ALLOWED',
          }),
        ]);
      }
    },
  );

  it('validation accepts a declared name only under a policy declaring it', () => {
    const manifest = documented(port({ port: 1 }), {
      outputConfiguration: { destination: 'opentelemetry', connectionConfiguration: 'PARTNER' },
    });
    expect(validateTraceConfigurationObject(manifest).state).toBe('Errored');
    expect(
      validateTraceConfigurationObject(manifest, { connectionPolicy: { allowedNames: ['PARTNER'] } }).state,
    ).toBe('Accepted');
  });
});
