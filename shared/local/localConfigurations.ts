/**
 * The TraceConfiguration manifests the local runner applies (`--configs DIR`, default
 * `samples/local`): every `.yaml`/`.yml` file of the folder, each document of a file (and each item
 * of a `kind: List`), read the way `tracectl apply` reads them. A file that cannot be read or holds
 * broken YAML is reported with where (`file document N line L column C: ...`) and skipped; the
 * other files are still applied.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { readManifestDocuments, type ManifestDocumentValue } from '../cli/manifestDocuments';
import { errorMessage } from '../errors';

/** One file of the folder: its manifests, or why it was skipped. */
export type LocalConfigurationFile =
  | { file: string; ok: true; manifests: ManifestDocumentValue[] }
  | { file: string; ok: false; problem: string };

/** Reads every manifest file of `directory`, in name order. */
export async function readLocalConfigurations(directory: string): Promise<LocalConfigurationFile[]> {
  const files = (await readdir(directory)).filter((name) => /\.ya?ml$/i.test(name)).sort();
  const io = { stdout: () => undefined, stderr: () => undefined, env: {}, cwd: directory };
  const result: LocalConfigurationFile[] = [];
  for (const file of files) {
    try {
      result.push({
        file,
        ok: true,
        manifests: await readManifestDocuments([path.join(directory, file)], io),
      });
    } catch (caught) {
      result.push({ file, ok: false, problem: errorMessage(caught) });
    }
  }
  return result;
}
