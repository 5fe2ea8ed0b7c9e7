/**
 * Format version of retention indexes, apart from their zod schema so that writing an index (the
 * packet retainer, loaded by every pipeline) does not load zod.
 */
export const RETENTION_INDEX_VERSION = 1;
