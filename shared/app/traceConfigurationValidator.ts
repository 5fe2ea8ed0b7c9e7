/**
 * Adapts the configuration module (`shared/config`) to the HTTP API's {@link ManifestValidator}
 * port: YAML or JSON text in, one check per document with located issues and the parsed manifest.
 */
import { isScalar, parseAllDocuments } from 'yaml';
import type { ManifestCheck, ManifestValidator } from '../api/configurationApi';
import { parseTraceConfigurations } from '../config/parseManifests';
import { nextStatus } from '../config/status';

function manifestsOf(text: string): unknown[] {
  const parsed = parseAllDocuments(text, { merge: true });
  const documents = Array.isArray(parsed) ? parsed : [];
  // Same documents as parseTraceConfigurations reports: empty documents are skipped.
  return documents
    .filter((doc) => doc.errors.length > 0 || !(doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)))
    .map((doc) => (doc.errors.length > 0 ? undefined : (doc.toJS({ maxAliasCount: 1000 }) as unknown)));
}

/** The API's validator over `parseTraceConfigurations` and `nextStatus`. */
export const traceConfigurationValidator: ManifestValidator = {
  checkText(text, sourceName) {
    const results = parseTraceConfigurations(text, { fileName: sourceName });
    const manifests = manifestsOf(text);
    return results.map((result, index): ManifestCheck => {
      const check: ManifestCheck = {
        namespace: result.namespace,
        name: result.name,
        state: result.state,
        errors: result.errors,
        warnings: result.warnings,
        manifest: manifests[index],
      };
      if (result.spec !== undefined) check.spec = result.spec;
      return check;
    });
  },
  nextStatus(previous, check) {
    const reason = [...check.errors, ...check.warnings].map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    return nextStatus(previous, { state: check.state, reason, ...(check.spec !== undefined ? { spec: check.spec } : {}) });
  },
};
