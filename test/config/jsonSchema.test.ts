import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { caseInsensitivePattern } from '../../shared/config/enumText';
import { JSON_SCHEMA_PATH, traceConfigurationJsonSchema } from '../../shared/config/jsonSchema';
import { DESTINATIONS } from '../../shared/config/model';
import {
  CAPTURE_LEVEL_NAMES,
  OPERATOR_NAMES,
  PROTOCOL_NAMES,
  TRACE_POINT_NAMES,
} from '../../shared/config/schema';

const ROOT = join(__dirname, '..', '..');

describe('published schemas', () => {
  it('the committed JSON Schema equals the one generated from the zod schemas (run `npx tsx tools/generateSchema.ts`)', () => {
    const committed: unknown = JSON.parse(readFileSync(join(ROOT, JSON_SCHEMA_PATH), 'utf8'));
    expect(committed).toEqual(traceConfigurationJsonSchema());
  });

  it('the JSON Schema covers both spellings', () => {
    const schema = traceConfigurationJsonSchema() as { anyOf: { properties: { kind: { const: string } } }[] };
    expect(schema.anyOf.map((s) => s.properties.kind.const)).toEqual([
      'TraceConfiguration',
      'TracesConfiguration',
    ]);
  });

  it('the CRD uses the same case-insensitive patterns as the zod schemas', () => {
    const crd = parse(readFileSync(join(ROOT, 'infra/crd/traceconfigurations.retina.sh.yaml'), 'utf8')) as {
      metadata: { name: string };
      spec: { versions: { schema: { openAPIV3Schema: unknown } }[] };
    };
    expect(crd.metadata.name).toBe('traceconfigurations.retina.sh');
    const patterns = new Set<string>();
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (typeof node === 'object' && node !== null) {
        for (const [key, value] of Object.entries(node)) {
          if (key === 'pattern' && typeof value === 'string') patterns.add(value);
          else collect(value);
        }
      }
    };
    collect(crd.spec.versions[0]?.schema.openAPIV3Schema);
    expect(patterns).toEqual(
      new Set(
        [CAPTURE_LEVEL_NAMES, TRACE_POINT_NAMES, PROTOCOL_NAMES, OPERATOR_NAMES, DESTINATIONS].map(
          caseInsensitivePattern,
        ),
      ),
    );
  });
});
