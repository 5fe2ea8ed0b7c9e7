/** The published JSON Schema of both TraceConfiguration spellings, generated from the zod schemas. */
import { z } from 'zod';
import { DocumentedManifestSchema, UpstreamManifestSchema } from './schema';

/** Where the schema is published in the repository (and its `$id`). */
export const JSON_SCHEMA_PATH = 'docs/schema/traceconfiguration.schema.json';

/**
 * JSON Schema (draft 2020-12) accepting either spelling. It checks shapes, types and enumerations
 * (case-insensitive patterns); the cross-field rules are only in `tracectl validate` and the
 * backend. Unknown fields are allowed, as the backend accepts them with a Warning.
 */
export function traceConfigurationJsonSchema(): Record<string, unknown> {
  const manifest = z.union([DocumentedManifestSchema, UpstreamManifestSchema]).meta({
    title: 'Retina TraceConfiguration',
    description:
      'A retina.sh/v1alpha1 TraceConfiguration (documented form) or TracesConfiguration (upstream CRD form). See docs/trace-configuration.md.',
  });
  return {
    $id: `https://retina.sh/schemas/${JSON_SCHEMA_PATH.split('/').pop() ?? ''}`,
    ...z.toJSONSchema(manifest),
  };
}
