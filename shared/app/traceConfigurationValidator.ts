/**
 * Adapts the configuration module (`shared/config`) to the HTTP API's {@link ManifestValidator}
 * port: YAML or JSON text in, one check per document with located issues and the parsed manifest.
 */
import type { ManifestCheck, ManifestValidator } from '../api/configurationApi';
import { parseTraceConfigurations } from '../config/parseManifests';
import { nextStatus } from '../config/status';
import type { ValidationOptions } from '../config/validateObject';

/**
 * The API's validator over `parseTraceConfigurations` and `nextStatus`, enforcing `options`
 * (the deployment's connection policy and input limits).
 */
export function createTraceConfigurationValidator(options: ValidationOptions = {}): ManifestValidator {
  return {
    checkText(text, sourceName) {
      return parseTraceConfigurations(text, { ...options, fileName: sourceName }).map(
        (result): ManifestCheck => {
          const check: ManifestCheck = {
            namespace: result.namespace,
            name: result.name,
            state: result.state,
            errors: result.errors,
            warnings: result.warnings,
            manifest: result.manifest,
          };
          if (result.spec !== undefined) check.spec = result.spec;
          return check;
        },
      );
    },
    nextStatus(previous, check) {
      const reason = [...check.errors, ...check.warnings]
        .map((issue) => (issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`))
        .join('; ');
      return nextStatus(previous, {
        state: check.state,
        reason,
        ...(check.spec !== undefined ? { spec: check.spec } : {}),
      });
    },
  };
}

/** The validator with the default policy (only `TRACES_*` connections) and default limits. */
export const traceConfigurationValidator: ManifestValidator = createTraceConfigurationValidator();
