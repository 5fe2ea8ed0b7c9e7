import type { TraceConfigurationSpec, TraceConfigurationStatus } from '../../shared/config/model';
import { initialStatus, nextStatus } from '../../shared/config/status';
import { validateTraceConfigurationObject } from '../../shared/config/validateObject';
import { documented, fromPeer, port } from './manifests';

const specA = validateTraceConfigurationObject(documented(port({ port: 1 }))).spec as TraceConfigurationSpec;
const specB = validateTraceConfigurationObject(documented(port({ port: 2 }))).spec as TraceConfigurationSpec;
const accepted = { state: 'Accepted', reason: '', spec: specB } as const;
const warning = { state: 'Warning', reason: 'x: w', spec: specB } as const;
const errored = { state: 'Errored', reason: 'y: e' } as const;

describe('status', () => {
  it('starts Initialized without a spec', () => {
    expect(initialStatus()).toEqual({ state: 'Initialized', reason: '' });
  });

  it.each<
    [string, TraceConfigurationStatus | undefined, Parameters<typeof nextStatus>[1], TraceConfigurationStatus]
  >([
    ['new and accepted', undefined, accepted, { state: 'Accepted', reason: '', lastKnownSpec: specB }],
    ['new with warnings', undefined, warning, { state: 'Warning', reason: 'x: w', lastKnownSpec: specB }],
    ['new and errored: nothing to keep', undefined, errored, { state: 'Errored', reason: 'y: e' }],
    ['initialized and errored', initialStatus(), errored, { state: 'Errored', reason: 'y: e' }],
    [
      'accepted, then errored: keeps the last accepted spec',
      { state: 'Accepted', reason: '', lastKnownSpec: specA },
      errored,
      { state: 'Errored', reason: 'y: e', lastKnownSpec: specA },
    ],
    [
      'errored, then errored again: still keeps it',
      { state: 'Errored', reason: 'old', lastKnownSpec: specA },
      errored,
      { state: 'Errored', reason: 'y: e', lastKnownSpec: specA },
    ],
    [
      'errored, then fixed: adopts the new spec',
      { state: 'Errored', reason: 'old', lastKnownSpec: specA },
      accepted,
      { state: 'Accepted', reason: '', lastKnownSpec: specB },
    ],
    [
      'accepted, then warning: adopts the new spec',
      { state: 'Accepted', reason: '', lastKnownSpec: specA },
      warning,
      { state: 'Warning', reason: 'x: w', lastKnownSpec: specB },
    ],
  ])('%s', (_name, previous, validation, expected) => {
    const before = JSON.stringify(previous);
    expect(nextStatus(previous, validation)).toEqual(expected);
    expect(JSON.stringify(previous)).toBe(before);
  });

  it('follows a real validation: Errored reason lists errors and warnings', () => {
    const result = validateTraceConfigurationObject(
      documented({ ...fromPeer({ namespaceSelector: { a: 'b' } }), ports: [{ port: 0 }] }),
    );
    const status = nextStatus({ state: 'Accepted', reason: '', lastKnownSpec: specA }, result);
    expect(status.state).toBe('Errored');
    expect(status.lastKnownSpec).toBe(specA);
    expect(status.reason).toBe(
      'spec.traceConfigurations[0].ports[0].port: must be between 1 and 65535, got 0; spec.traceConfigurations[0].from[0].namespaceSelector: shorthand selector map is read as matchLabels: {a: b}; write matchLabels explicitly (a plain map is not a Kubernetes label selector)',
    );
  });
});
