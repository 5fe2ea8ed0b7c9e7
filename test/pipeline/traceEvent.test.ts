import { gzipSync } from 'node:zlib';
import { classifyEvent, IDENTITIES_SCHEMA, TRACE_BATCH_SCHEMA } from '../../shared/pipeline/traceEvent';
import type { EventMetadata } from '../../shared/pipeline/eventMetadata';

const pcapngMagic = Buffer.from([0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0]);

function meta(properties: Record<string, unknown>): EventMetadata {
  return { properties };
}

describe('classifyEvent', () => {
  it('accepts a plain trace batch', () => {
    const event = classifyEvent(
      pcapngMagic,
      meta({ 'trace-schema': TRACE_BATCH_SCHEMA, cluster: 'c1', node: 'n1' }),
      0,
    );
    expect(event).toMatchObject({ kind: 'traces', cluster: 'c1', node: 'n1', index: 0 });
    if (event.kind === 'traces') expect(Buffer.from(event.capture)).toEqual(pcapngMagic);
  });

  it('inflates a gzip trace batch and keeps the configuration hint', () => {
    const event = classifyEvent(
      gzipSync(pcapngMagic),
      meta({
        'trace-schema': TRACE_BATCH_SCHEMA,
        cluster: 'c1',
        node: 'n1',
        'content-encoding': 'gzip',
        'trace-configuration': 'ns/web',
      }),
      3,
    );
    expect(event).toMatchObject({ kind: 'traces', configurationHint: 'ns/web', index: 3 });
    if (event.kind === 'traces') expect(Buffer.from(event.capture)).toEqual(pcapngMagic);
  });

  it('inflates gzip detected by magic bytes even without the property', () => {
    const event = classifyEvent(
      gzipSync(pcapngMagic),
      meta({ 'trace-schema': TRACE_BATCH_SCHEMA, cluster: 'c', node: 'n' }),
      0,
    );
    expect(event.kind).toBe('traces');
    if (event.kind === 'traces') expect(Buffer.from(event.capture)).toEqual(pcapngMagic);
  });

  it('parses identity snapshots as JSON', () => {
    const body = { cluster: 'c1', generatedAt: '2026-01-01T00:00:00Z', complete: true, endpoints: [] };
    const event = classifyEvent(
      Buffer.from(JSON.stringify(body)),
      meta({ 'trace-schema': IDENTITIES_SCHEMA }),
      1,
    );
    expect(event).toEqual({
      kind: 'identities',
      index: 1,
      body,
      metadata: meta({ 'trace-schema': IDENTITIES_SCHEMA }),
    });
  });

  it('takes a node name of exactly 253 characters, and names with spaces and non-ASCII letters', () => {
    for (const node of ['n'.repeat(253), 'aks nodepool 1', 'nœud-1'])
      expect(
        classifyEvent(pcapngMagic, meta({ 'trace-schema': TRACE_BATCH_SCHEMA, cluster: 'c', node }), 0),
      ).toMatchObject({
        kind: 'traces',
        node,
      });
  });

  it.each([
    [
      'a string body',
      'text',
      { 'trace-schema': TRACE_BATCH_SCHEMA },
      'EVENT_BODY_NOT_BINARY',
      "dataType 'binary'",
    ],
    ['a null body', null, { 'trace-schema': TRACE_BATCH_SCHEMA }, 'EVENT_BODY_NOT_BINARY', 'body is null'],
    ['no trace-schema', pcapngMagic, {}, 'EVENT_SCHEMA_MISSING', "'trace-schema' is missing"],
    [
      'an unknown trace-schema',
      pcapngMagic,
      { 'trace-schema': 'v0' },
      'EVENT_SCHEMA_UNKNOWN',
      "'trace-schema' is 'v0'",
    ],
    [
      'no cluster',
      pcapngMagic,
      { 'trace-schema': TRACE_BATCH_SCHEMA, node: 'n' },
      'EVENT_PROPERTY_MISSING',
      "'cluster'",
    ],
    [
      'an empty node',
      pcapngMagic,
      { 'trace-schema': TRACE_BATCH_SCHEMA, cluster: 'c', node: '' },
      'EVENT_PROPERTY_MISSING',
      "'node'",
    ],
    [
      'a br encoding',
      pcapngMagic,
      { 'trace-schema': TRACE_BATCH_SCHEMA, 'content-encoding': 'br' },
      'EVENT_ENCODING_UNSUPPORTED',
      "'br'",
    ],
    [
      'broken gzip',
      Buffer.from([0x1f, 0x8b, 1, 2, 3]),
      { 'trace-schema': TRACE_BATCH_SCHEMA, cluster: 'c', node: 'n', 'content-encoding': 'gzip' },
      'EVENT_BODY_UNDECODABLE',
      'gzip',
    ],
    [
      'a node name longer than a Kubernetes node name can be',
      pcapngMagic,
      { 'trace-schema': TRACE_BATCH_SCHEMA, cluster: 'c', node: 'n'.repeat(254) },
      'EVENT_PROPERTY_INVALID',
      "application property 'node' is 254 characters long; the limit is 253 (a Kubernetes node name)",
    ],
    [
      'a cluster name of 100 KB (it would key every flow table of the partition)',
      pcapngMagic,
      { 'trace-schema': TRACE_BATCH_SCHEMA, cluster: 'c'.repeat(100_000), node: 'n' },
      'EVENT_PROPERTY_INVALID',
      "application property 'cluster' is 100000 characters long",
    ],
    [
      'a node name holding a control character',
      pcapngMagic,
      { 'trace-schema': TRACE_BATCH_SCHEMA, cluster: 'c', node: 'aks-\u0000node' },
      'EVENT_PROPERTY_INVALID',
      "application property 'node' holds control character U+0000 at 4",
    ],
    [
      'identities that are not JSON',
      Buffer.from('{nope'),
      { 'trace-schema': IDENTITIES_SCHEMA },
      'EVENT_BODY_UNDECODABLE',
      'not JSON',
    ],
  ])('rejects %s with a reason naming the event', (_name, body, properties, code, fragment) => {
    const event = classifyEvent(body, meta(properties), 7);
    expect(event.kind).toBe('rejected');
    if (event.kind === 'rejected') {
      expect(event.code).toBe(code);
      expect(event.reason).toContain('event 7');
      expect(event.reason).toContain(fragment);
      expect(event.body).toBeInstanceOf(Uint8Array);
    }
  });
});
