/**
 * `@kubernetes/client-node`, loaded once. The package is ESM-only and this project is CommonJS:
 * types come through a type-only import with the ESM resolution mode, the value through
 * `require`, which Node 20.19+ and 22 support for ESM without top-level await (jest compiles the
 * package to CommonJS, see jest.config.js).
 */
import type * as ClientNode from '@kubernetes/client-node' with { 'resolution-mode': 'import' };

export type * as K8s from '@kubernetes/client-node' with { 'resolution-mode': 'import' };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const loaded = require('@kubernetes/client-node') as typeof ClientNode;

/** The client module. */
export const k8s: typeof ClientNode = loaded;
