import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The reference data beside the repository (`../shared`): real third-party captures, tshark
 * oracle dumps, JA4 reference outputs, Hubble samples. Present on developer machines and in CI,
 * absent for a user who only cloned the project. Override with `RETINA_SHARED_DIR`.
 */
export const SHARED_DIR = process.env.RETINA_SHARED_DIR ?? path.resolve(__dirname, '..', '..', '..', 'shared');

/** True when `../shared/<relative>` exists. */
export function hasSharedData(relative = 'captures'): boolean {
  return existsSync(path.join(SHARED_DIR, relative));
}

/** Absolute path of `../shared/<relative>`. */
export function sharedPath(...relative: string[]): string {
  return path.join(SHARED_DIR, ...relative);
}

/**
 * `describe` for conformance suites that need `../shared/<relative>`: when it is absent the suite
 * is skipped with a message saying why, so a fresh clone stays green and honest.
 */
export function describeWithSharedData(relative: string, name: string, body: () => void): void {
  if (hasSharedData(relative)) {
    describe(name, body);
    return;
  }
  const skipReason = `${name}: skipped because ${path.join(SHARED_DIR, relative)} is absent (reference data lives beside the repo, see docs/testing.md)`;
  describe.skip(skipReason, () => {
    it('needs the reference data', () => undefined);
  });
}
