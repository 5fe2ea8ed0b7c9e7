'use strict';
// `npm run bench:cli`: how long `tracectl` takes to start, against a bare `node` start on the same
// machine (the difference is what the CLI itself costs). Median of 15 runs each.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const bin = path.join(__dirname, '..', 'bin', 'tracectl.js');
const runs = 15;

function median(args) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)];
}

const bare = median(['-e', '0']);
for (const args of [['--version'], ['get', '--help'], ['completion', 'bash']]) {
  const total = median([bin, ...args]);
  process.stdout.write(
    `tracectl ${args.join(' ').padEnd(16)} ${total.toFixed(0).padStart(5)} ms  (bare node ${bare.toFixed(0)} ms, CLI ${(total - bare).toFixed(0)} ms)\n`,
  );
}
