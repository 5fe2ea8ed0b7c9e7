#!/usr/bin/env node
'use strict';
// Runs the compiled CLI (dist/, built by `npm ci` through the `prepare` script, or `npm run build`):
// no TypeScript compilation at run time. In a checkout that has not been built yet, it falls back
// to the sources through tsx (a development dependency) and says so.
const path = require('node:path');
const { existsSync } = require('node:fs');

const root = path.join(__dirname, '..');
const compiled = path.join(root, 'dist', 'shared', 'cli', 'main.js');
if (existsSync(compiled)) {
  // Node 22.1+ keeps V8's compiled code of dist/ between runs (faster start-up); Node 20 has no such
  // cache and starts as before. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
  const { enableCompileCache } = require('node:module');
  if (typeof enableCompileCache === 'function') enableCompileCache();
  require(compiled);
} else {
  let loader;
  try {
    loader = require.resolve('tsx/cjs', { paths: [root] });
  } catch {
    process.stderr.write('tracectl: not built yet: run `npm run build` (npm ci does it for you).\n');
    process.exit(2);
  }
  process.stderr.write(
    'tracectl: dist/ is missing, running from source (slower start; `npm run build` fixes it).\n',
  );
  require(loader);
  require(path.join(root, 'shared', 'cli', 'main.ts'));
}
