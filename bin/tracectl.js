#!/usr/bin/env node
'use strict';
// Runs the TypeScript CLI from source through tsx, so `npx tracectl` works right after `npm ci`
// with no build step and never runs a stale build.
const path = require('node:path');
require('tsx/cjs');
require(path.join(__dirname, '..', 'shared', 'cli', 'main.ts'));
