import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Repository root. */
export const ROOT = path.resolve(__dirname, '..', '..');

/** Text of a repository file. */
export function readRepoFile(...relative: string[]): string {
  return readFileSync(path.join(ROOT, ...relative), 'utf8');
}

/** Every Bicep file under infra/, relative to the root. */
export function bicepFiles(): string[] {
  const modules = readdirSync(path.join(ROOT, 'infra', 'modules'))
    .filter((name) => name.endsWith('.bicep'))
    .map((name) => path.join('infra', 'modules', name));
  return [path.join('infra', 'main.bicep'), ...modules];
}
