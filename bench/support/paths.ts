import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The project root: the nearest directory above this file holding `package.json`. Benchmarks run
 * both from source (tsx) and compiled (`.bench-dist/`), so paths cannot be fixed `..` counts.
 */
export const PROJECT_ROOT = findProjectRoot(__dirname);

/** `../shared` beside the project (captures, oracles), or `RETINA_SHARED_DIR`. */
export const SHARED_DIR = process.env.RETINA_SHARED_DIR ?? path.join(PROJECT_ROOT, '..', 'shared');

/** Absolute path of `<shared>/<relative>`. */
export function sharedPath(...relative: string[]): string {
  return path.join(SHARED_DIR, ...relative);
}

function findProjectRoot(start: string): string {
  for (let directory = start; ; directory = path.dirname(directory)) {
    if (existsSync(path.join(directory, 'package.json'))) return directory;
    if (path.dirname(directory) === directory) throw new Error(`no package.json above ${start}`);
  }
}
