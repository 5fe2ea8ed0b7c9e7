import {
  dns1123LabelProblem,
  dns1123SubdomainProblem,
  labelKeyProblem,
  labelValueProblem,
  portNameProblem,
} from '../../shared/config/kubernetesNames';

describe('Kubernetes names', () => {
  it.each<[string, boolean]>([
    ['a', true],
    ['http-to-storage', true],
    ['a.b-c.d', true],
    ['x'.repeat(253), true],
    ['', false],
    ['x'.repeat(254), false],
    ['Upper', false],
    ['-a', false],
    ['a-', false],
    ['a..b', false],
    ['a_b', false],
  ])('subdomain %j valid=%s', (name, valid) => {
    expect(dns1123SubdomainProblem(name) === undefined).toBe(valid);
  });

  it.each<[string, boolean]>([
    ['default', true],
    ['kube-system', true],
    ['a.b', false],
    ['', false],
    ['x'.repeat(64), false],
  ])('label %j valid=%s', (name, valid) => {
    expect(dns1123LabelProblem(name) === undefined).toBe(valid);
  });

  it.each<[string, boolean]>([
    ['app', true],
    ['app.kubernetes.io/name', true],
    ['A_b.c-D', true],
    ['kubernetes.io/metadata.name', true],
    ['', false],
    ['/name', false],
    ['a/b/c', false],
    ['Example.com/x', false],
    ['-x', false],
    ['x'.repeat(64), false],
    ['bad key', false],
  ])('label key %j valid=%s', (key, valid) => {
    expect(labelKeyProblem(key) === undefined).toBe(valid);
  });

  it.each<[string, boolean]>([
    ['', true],
    ['web', true],
    ['v1.2_3-x', true],
    ['-web', false],
    ['web.', false],
    ['a b', false],
    ['x'.repeat(64), false],
  ])('label value %j valid=%s', (value, valid) => {
    expect(labelValueProblem(value) === undefined).toBe(valid);
  });

  it.each<[string, boolean]>([
    ['http', true],
    ['grpc-web', true],
    ['h2c', true],
    ['123', false],
    ['HTTP', false],
    ['a--b', false],
    ['-a', false],
    ['a'.repeat(16), false],
    ['', false],
  ])('port name %j valid=%s', (name, valid) => {
    expect(portNameProblem(name) === undefined).toBe(valid);
  });
});
