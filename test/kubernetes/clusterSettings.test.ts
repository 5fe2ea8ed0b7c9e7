import {
  agentSettingsSchema,
  controllerSettingsSchema,
  parseClusterSettings,
} from '../../shared/kubernetes/clusterSettings';

const controllerEnv = {
  CLUSTER_NAME: 'aks-prod',
  EVENTHUB_NAMESPACE: 'ns.servicebus.windows.net',
  BACKEND_URL: 'https://func.azurewebsites.net',
  POD_NAME: 'c-1',
  POD_NAMESPACE: 'retina-system',
};
const agentEnv = {
  CLUSTER_NAME: 'aks-prod',
  EVENTHUB_NAMESPACE: 'ns.servicebus.windows.net',
  NODE_NAME: 'aks-node-1',
};

describe('cluster settings', () => {
  it('reads the controller settings with defaults', () => {
    expect(parseClusterSettings(controllerSettingsSchema, controllerEnv)).toMatchObject({
      EVENTHUB_NAME: 'retina-traces',
      IDENTITY_COMPLETE_INTERVAL_SECONDS: 300,
    });
  });

  it('reads agent interfaces mapped to trace points, letter case ignored', () => {
    expect(
      parseClusterSettings(agentSettingsSchema, {
        ...agentEnv,
        AGENT_INTERFACES: 'eth0=nodetonetwork, azv1=PodToNode',
      }).AGENT_INTERFACES,
    ).toEqual([
      { name: 'eth0', tracePoint: 'NodeToNetwork' },
      { name: 'azv1', tracePoint: 'PodToNode' },
    ]);
    expect(parseClusterSettings(agentSettingsSchema, agentEnv).AGENT_INTERFACES).toEqual([
      { name: 'eth0', tracePoint: 'NodeToNetwork' },
    ]);
  });

  it.each([
    ['no cluster name', { ...controllerEnv, CLUSTER_NAME: '' }, 'CLUSTER_NAME'],
    ['a backend URL that is not one', { ...controllerEnv, BACKEND_URL: 'func' }, 'BACKEND_URL'],
    [
      'no Event Hubs at all',
      { ...controllerEnv, EVENTHUB_NAMESPACE: undefined },
      'exactly one of EVENTHUB_NAMESPACE',
    ],
    [
      'both Event Hubs settings',
      { ...controllerEnv, EVENTHUB_CONNECTION_STRING: 'Endpoint=sb://x/' },
      'exactly one of EVENTHUB_NAMESPACE',
    ],
    [
      'a complete interval past the identity TTL',
      { ...controllerEnv, IDENTITY_COMPLETE_INTERVAL_SECONDS: '3600' },
      'IDENTITY_COMPLETE_INTERVAL_SECONDS',
    ],
  ])('refuses controller settings with %s', (_what, env, message) => {
    expect(() => parseClusterSettings(controllerSettingsSchema, env)).toThrow(message);
  });

  it.each([
    ['no node name', { ...agentEnv, NODE_NAME: undefined }, 'NODE_NAME'],
    [
      'an interface without a trace point',
      { ...agentEnv, AGENT_INTERFACES: 'eth0' },
      "AGENT_INTERFACES: 'eth0' must be INTERFACE=TRACEPOINT",
    ],
    ['an unknown trace point', { ...agentEnv, AGENT_INTERFACES: 'eth0=Uplink' }, 'Uplink'],
  ])('refuses agent settings with %s', (_what, env, message) => {
    expect(() => parseClusterSettings(agentSettingsSchema, env)).toThrow(message);
  });
});
