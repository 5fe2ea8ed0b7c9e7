import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CommandIo } from './command';

/** A manifest file: its name as shown to the user and where to read it from. */
export interface ManifestSource {
  display: string;
  read: () => Promise<string>;
}

/**
 * Expands one `-f` argument: a file, a directory (its `.yaml`/`.yml` files, sorted) or `-` (stdin).
 * Throws when it cannot be read, with the OS reason.
 */
export async function manifestSources(arg: string, io: CommandIo): Promise<ManifestSource[]> {
  if (arg === '-') {
    const readStdin = io.readStdin;
    if (readStdin === undefined) throw new Error('standard input is not available');
    return [{ display: '-', read: readStdin }];
  }
  const path = resolve(io.cwd, arg);
  const info = await stat(path);
  if (!info.isDirectory()) return [{ display: arg, read: () => readFile(path, 'utf8') }];
  const names = (await readdir(path)).filter((name) => /\.ya?ml$/i.test(name)).sort();
  if (names.length === 0) throw new Error('the directory has no .yaml or .yml files');
  return names.map((name) => ({ display: join(arg, name), read: () => readFile(join(path, name), 'utf8') }));
}
