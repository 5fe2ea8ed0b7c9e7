/**
 * The TraceConfiguration resource: schemas of both spellings, validation and normalisation to
 * {@link TraceConfigurationSpec}, YAML parsing with locations, and status computation.
 */
export * from './model';
export { type ConfigIssue, formatPath, formatReason } from './issues';
export {
  parseTraceConfigurations,
  type DocumentResult,
  type ParseTraceConfigurationsOptions,
} from './parseManifests';
export {
  validateTraceConfigurationObject,
  type ManifestForm,
  type TraceConfigurationValidation,
  type ValidationState,
} from './validateObject';
export { initialStatus, nextStatus } from './status';
export { defaultConnectionName } from './normaliseOutput';
export { API_VERSION, DOCUMENTED_KIND, UPSTREAM_KIND } from './schema';
