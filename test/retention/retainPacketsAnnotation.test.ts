import { validateTraceConfigurationObject } from '../../shared/config/validateObject';
import {
  parseRetainPackets,
  RETAIN_PACKETS_ANNOTATION,
} from '../../shared/retention/retainPacketsAnnotation';

describe('parseRetainPackets', () => {
  it.each([
    ['7d', 7],
    ['1d', 1],
    [' 30d ', 30],
    ['3650d', 3650],
  ])('%j is %i days', (value, days) => {
    expect(parseRetainPackets(value)).toEqual({ ok: true, days });
  });

  it.each([[''], ['0d'], ['7'], ['7h'], ['1w'], ['-1d'], ['07d'], ['3651d'], ['1.5d'], [7], [null], [true]])(
    'rejects %j',
    (value) => {
      const parsed = parseRetainPackets(value);
      expect(parsed.ok).toBe(false);
    },
  );
});

const manifest = (annotations: unknown) => ({
  apiVersion: 'retina.sh/v1alpha1',
  kind: 'TraceConfiguration',
  metadata: { name: 'web', namespace: 'shop', ...(annotations === undefined ? {} : { annotations }) },
  spec: {
    traceConfigurations: [{ captureLevel: 'FirstPacket', ports: [{ port: 80, protocol: 'TCP' }] }],
    outputConfiguration: { destination: 'stdout' },
  },
});

const upstream = (annotations: unknown) => ({
  apiVersion: 'retina.sh/v1alpha1',
  kind: 'TraceConfiguration',
  metadata: { name: 'web', annotations },
  spec: {
    traceConfiguration: [
      { captureLevel: 'FirstPacket', traceTargets: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
    ],
    outputConfiguration: { destination: 'stdout' },
  },
});

describe('the retina.sh/retain-packets annotation on a TraceConfiguration', () => {
  it('sets retainPacketsDays on the normalised spec', () => {
    const result = validateTraceConfigurationObject(
      manifest({ [RETAIN_PACKETS_ANNOTATION]: '7d', other: 'x' }),
    );
    expect(result.state).toBe('Accepted');
    expect(result.spec?.retainPacketsDays).toBe(7);
  });

  it('leaves retention off without the annotation', () => {
    const result = validateTraceConfigurationObject(manifest(undefined));
    expect(result.state).toBe('Accepted');
    expect(result.spec).toBeDefined();
    expect(result.spec?.retainPacketsDays).toBeUndefined();
  });

  it.each([['forever'], ['7'], [7]])('errors on %j naming the field path', (value) => {
    const result = validateTraceConfigurationObject(manifest({ [RETAIN_PACKETS_ANNOTATION]: value }));
    expect(result.state).toBe('Errored');
    expect(result.spec).toBeUndefined();
    expect(result.errors).toEqual([
      expect.objectContaining({
        path: 'metadata.annotations["retina.sh/retain-packets"]',
        message: expect.stringContaining('whole days') as unknown,
      }),
    ]);
  });

  it('works with the upstream spelling too', () => {
    const result = validateTraceConfigurationObject(upstream({ [RETAIN_PACKETS_ANNOTATION]: '30d' }));
    expect(result.errors).toEqual([]);
    expect(result.spec?.retainPacketsDays).toBe(30);
  });
});
