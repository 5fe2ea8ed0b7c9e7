import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { WATCHED_KINDS } from '../../shared/kubernetes/identity/identityPublisher';
import {
  agentSettingsSchema,
  controllerSettingsSchema,
  parseClusterSettings,
} from '../../shared/kubernetes/clusterSettings';

const ROOT = path.resolve(__dirname, '..', '..');
const DEPLOY = path.join(ROOT, 'deploy', 'kubernetes');

type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  [field: string]: unknown;
};
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
type Container = {
  image: string;
  args: string[];
  securityContext: Record<string, unknown>;
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: unknown;
  readinessProbe?: unknown;
};
type Workload = K8sObject & {
  spec: {
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        hostNetwork?: boolean;
        serviceAccountName: string;
        securityContext?: Record<string, unknown>;
        containers: Container[];
      };
    };
  };
};

function parseYaml(text: string, where: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc, index) => {
      if (doc.errors.length > 0) throw new Error(`${where} document ${index + 1}: ${doc.errors[0]!.message}`);
      return doc.toJS() as K8sObject;
    })
    .filter((o) => o !== null);
}

function fromFiles(): K8sObject[] {
  const kustomization = parseYaml(
    readFileSync(path.join(DEPLOY, 'kustomization.yaml'), 'utf8'),
    'kustomization.yaml',
  )[0] as unknown as { resources: string[] };
  return kustomization.resources.flatMap((file) =>
    parseYaml(readFileSync(path.join(DEPLOY, file), 'utf8'), file),
  );
}

function readEnvFile(): Record<string, string> {
  return Object.fromEntries(
    readFileSync(path.join(DEPLOY, 'config.env'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

const byKind = (objects: K8sObject[], kind: string, name?: string) =>
  objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
const rulesOf = (objects: K8sObject[], kind: 'ClusterRole' | 'Role', name: string) =>
  (byKind(objects, kind, name)[0] as unknown as { rules: Rule[] } | undefined)?.rules ?? [];

function allows(rules: readonly Rule[], group: string, resource: string, verb: string): boolean {
  return rules.some(
    (r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb),
  );
}

/** Checks shared by the files and the rendered output. */
function checkObjects(objects: K8sObject[]): void {
  expect(objects.map((o) => o.kind).sort()).toEqual([
    'ClusterRole',
    'ClusterRole',
    'ClusterRoleBinding',
    'ClusterRoleBinding',
    'CustomResourceDefinition',
    'DaemonSet',
    'Deployment',
    'Namespace',
    'Role',
    'RoleBinding',
    'ServiceAccount',
    'ServiceAccount',
  ]);
  const controllerRules = [
    ...rulesOf(objects, 'ClusterRole', 'retina-trace-controller'),
    ...rulesOf(objects, 'Role', 'retina-trace-controller-lease'),
  ];
  const agentRules = rulesOf(objects, 'ClusterRole', 'retina-trace-agent');
  for (const rule of [...controllerRules, ...agentRules]) {
    expect(rule.verbs).not.toContain('*');
    expect(rule.resources).not.toContain('*');
    expect(rule.verbs.filter((v) => !['get', 'list', 'watch', 'update', 'create'].includes(v))).toEqual([]);
  }
  // Everything the identity publisher watches is readable, and nothing else is writable.
  for (const watched of WATCHED_KINDS) {
    const group = watched.apiVersion.includes('/') ? watched.apiVersion.split('/')[0]! : '';
    for (const verb of ['list', 'watch'])
      expect(allows(controllerRules, group, watched.plural, verb)).toBe(true);
    expect(allows(controllerRules, group, watched.plural, 'update')).toBe(false);
  }
  expect(allows(controllerRules, 'retina.sh', 'traceconfigurations', 'update')).toBe(true);
  expect(allows(controllerRules, 'retina.sh', 'traceconfigurations/status', 'update')).toBe(true);
  expect(allows(controllerRules, 'retina.sh', 'traceconfigurations', 'delete')).toBe(false);
  const lease = controllerRules.filter((r) => r.apiGroups.includes('coordination.k8s.io'));
  expect(
    lease
      .filter((r) => r.verbs.includes('update'))
      .every((r) => r.resourceNames?.join() === 'retina-trace-controller'),
  ).toBe(true);
  expect(agentRules.every((r) => r.verbs.every((v) => ['get', 'list', 'watch'].includes(v)))).toBe(true);
  expect(
    allows(agentRules, '', 'pods', 'watch') &&
      allows(agentRules, 'retina.sh', 'traceconfigurations', 'watch'),
  ).toBe(true);

  for (const account of byKind(objects, 'ServiceAccount'))
    expect(account.metadata.annotations?.['azure.workload.identity/client-id']).toBeDefined();
  const controller = byKind(objects, 'Deployment', 'retina-trace-controller')[0] as Workload;
  const agent = byKind(objects, 'DaemonSet', 'retina-trace-agent')[0] as Workload;
  for (const workload of [controller, agent]) {
    expect(workload.spec.template.metadata.labels['azure.workload.identity/use']).toBe('true');
    const container = workload.spec.template.spec.containers[0]!;
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
    expect(container.livenessProbe).toBeDefined();
    expect(container.readinessProbe).toBeDefined();
    expect(Object.keys(container.resources.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(container.resources.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
  }
  expect(controller.spec.template.spec.containers[0]!.args).toEqual(['controller']);
  expect(controller.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true });
  expect(controller.spec.template.spec.containers[0]!.securityContext).toMatchObject({
    capabilities: { drop: ['ALL'] },
  });
  expect(agent.spec.template.spec.hostNetwork).toBe(true);
  expect(agent.spec.template.spec.containers[0]!.args).toEqual(['agent']);
  expect(agent.spec.template.spec.containers[0]!.securityContext).toMatchObject({
    capabilities: { drop: ['ALL'], add: ['NET_RAW', 'NET_ADMIN'] },
  });
}

describe('deploy/kubernetes', () => {
  it('holds the CRD of infra/crd unchanged (copy it after changing the CRD)', () => {
    expect(readFileSync(path.join(DEPLOY, 'crd-traceconfigurations.yaml'), 'utf8')).toBe(
      readFileSync(path.join(ROOT, 'infra', 'crd', 'traceconfigurations.retina.sh.yaml'), 'utf8'),
    );
  });

  it('the CRD shows state, destination, capture level and age, and its status holds what the controller writes', () => {
    const [crd] = parseYaml(
      readFileSync(path.join(DEPLOY, 'crd-traceconfigurations.yaml'), 'utf8'),
      'crd',
    ) as unknown as {
      spec: {
        versions: {
          additionalPrinterColumns: { name: string; jsonPath: string; priority?: number }[];
          schema: { openAPIV3Schema: { properties: { status: { properties: Record<string, unknown> } } } };
        }[];
      };
    }[];
    const version = crd!.spec.versions[0]!;
    expect(
      version.additionalPrinterColumns.filter((c) => c.priority === undefined).map((c) => c.name),
    ).toEqual(['State', 'Destination', 'Capture Level', 'Age']);
    expect(Object.keys(version.schema.openAPIV3Schema.properties.status.properties).sort()).toEqual([
      'backendGeneration',
      'counters',
      'lastKnownSpec',
      'observedGeneration',
      'reason',
      'state',
      'syncError',
    ]);
  });

  it('the files parse and describe least-privilege RBAC, hardened workloads, probes and resources', () => {
    checkObjects(fromFiles());
  });

  it('config.env holds every setting both roles need, in one place', () => {
    const env = readEnvFile();
    expect(() =>
      parseClusterSettings(controllerSettingsSchema, {
        ...env,
        POD_NAME: 'p',
        POD_NAMESPACE: 'retina-system',
      }),
    ).not.toThrow();
    expect(() => parseClusterSettings(agentSettingsSchema, { ...env, NODE_NAME: 'n' })).not.toThrow();
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['AZURE_CLIENT_ID', 'IMAGE']));
  });

  it('every file in deploy/kubernetes is used by the kustomization', () => {
    const kustomization = readFileSync(path.join(DEPLOY, 'kustomization.yaml'), 'utf8');
    for (const file of readdirSync(DEPLOY).filter((f) => f !== 'kustomization.yaml'))
      expect(kustomization).toContain(file);
  });

  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  const hasKubectl = kubectl.status === 0;
  if (!hasKubectl)
    process.stderr.write(
      'deploy/kubernetes: kubectl is not installed (apt-get install -y kubectl); the `kubectl kustomize` rendering test is skipped, the file checks still run\n',
    );
  (hasKubectl ? it : it.skip)(
    'renders with `kubectl kustomize`: namespace, image and identity from config.env',
    () => {
      const rendered = parseYaml(
        execFileSync('kubectl', ['kustomize', DEPLOY], { encoding: 'utf8' }),
        'kubectl kustomize',
      );
      const env = readEnvFile();
      const configMap = byKind(rendered, 'ConfigMap')[0]!;
      expect(configMap.metadata.name).toMatch(/^retina-trace-config-/);
      checkObjects(rendered.filter((o) => o.kind !== 'ConfigMap'));
      for (const o of rendered)
        if (!['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind))
          expect(o.metadata.namespace).toBe('retina-system');
      for (const kind of ['Deployment', 'DaemonSet']) {
        const container = (byKind(rendered, kind)[0] as Workload).spec.template.spec.containers[0]!;
        expect(container.image).toBe(env.IMAGE);
        expect(JSON.stringify(container)).toContain(configMap.metadata.name);
      }
      for (const account of byKind(rendered, 'ServiceAccount'))
        expect(account.metadata.annotations?.['azure.workload.identity/client-id']).toBe(env.AZURE_CLIENT_ID);
    },
  );
});
