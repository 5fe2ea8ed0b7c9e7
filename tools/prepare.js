'use strict';
// `npm ci` / `npm install` run this (the `prepare` script): it compiles the TypeScript into dist/
// so `tracectl` and `func start` run JavaScript. Where the sources or the compiler are absent
// (a production install of the packaged app), there is nothing to build and it says so.
const path = require('node:path');
const { existsSync } = require('node:fs');
const { execFileSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const config = path.join(root, 'tsconfig.build.json');
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
} catch {
  tsc = undefined;
}
if (!existsSync(config) || tsc === undefined) {
  process.stdout.write('prepare: no sources or no TypeScript compiler here; nothing to build.\n');
} else {
  execFileSync(process.execPath, [tsc, '-p', config], { cwd: root, stdio: 'inherit' });
}
