import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMANDS } from '../../shared/cli/commands';
import { runCli } from '../../shared/cli/run';
import { FLOW_SUMMARY_WARNING } from '../../shared/config/normaliseSpec';

const ROOT = join(__dirname, '..', '..');

async function validate(file: string): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const code = await runCli(['validate', '-f', file], COMMANDS, {
    stdout: (text) => (stdout += text),
    stderr: () => undefined,
    env: {},
    cwd: ROOT,
  });
  return { code, stdout };
}

const documented = (level: string): string => `apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata:
  name: flows
  namespace: default
spec:
  traceConfigurations:
    - captureLevel: ${level}
      to:
        - ipBlock:
            cidr: 10.0.0.0/8
  outputConfiguration:
    destination: stdout
`;

describe('tracectl validate and captureLevel FlowSummary', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'tracectl-flows-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it.each([
    ['the documented form', documented('FlowSummary'), 'spec.traceConfigurations[0].captureLevel'],
    ['any letter case', documented('flowsummary'), 'spec.traceConfigurations[0].captureLevel'],
    [
      'the upstream CRD form',
      readFileSync(join(ROOT, 'samples', 'upstream-crd-form.yaml'), 'utf8').replace(
        'captureLevel: FirstPacket',
        'captureLevel: FlowSummary',
      ),
      'spec.traceConfiguration[0].captureLevel',
    ],
  ])('accepts it in %s with a warning that upstream Retina does not know it', async (_name, text, path) => {
    const file = join(scratch, 'flows.yaml');
    writeFileSync(file, text);
    const out = await validate(file);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^Warning /m);
    expect(out.stdout).toContain(`${path}: ${FLOW_SUMMARY_WARNING}`);
  });

  it.each([
    ['FirstPacket', 'Accepted'],
    ['AllPackets', 'Accepted'],
  ])('keeps the upstream spelling %s as before (%s, no warning)', async (level, state) => {
    const file = join(scratch, 'upstream.yaml');
    writeFileSync(file, documented(level));
    const out = await validate(file);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(new RegExp(`^${state} `, 'm'));
    expect(out.stdout).not.toContain('FlowSummary');
  });

  it('rejects a near miss, naming the three levels', async () => {
    const file = join(scratch, 'typo.yaml');
    writeFileSync(file, documented('FlowSummaries'));
    const out = await validate(file);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain(
      'must be one of FirstPacket, AllPackets, FlowSummary (any letter case), got "FlowSummaries"',
    );
  });
});
