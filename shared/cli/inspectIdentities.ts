/**
 * `tracectl inspect --identities`: the identity snapshot records are enriched from. A module of its
 * own, loaded only when `--identities` is given, because validating a snapshot loads zod.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CommandIo } from './command';
import { MemoryIdentityStore } from '../enrich/memoryIdentityStore';
import { EMPTY_IDENTITY_LOOKUP } from '../enrich/identityStore';
import { parseIdentitySnapshot } from '../enrich/identitySchema';
import type { IdentityLookup } from '../enrich/identity';
import { errorMessage } from '../errors';

/**
 * Reads an identity snapshot file (one `retina.sh/identities/v1` snapshot or an array of them).
 * Resolves to its lookup and cluster name, or to undefined after printing the problem to stderr.
 */
export async function loadIdentities(
  file: string,
  io: CommandIo,
): Promise<{ lookup: IdentityLookup; cluster: string } | undefined> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path.resolve(io.cwd, file), 'utf8')) as unknown;
  } catch (caught) {
    io.stderr(`tracectl inspect: cannot read identities ${file}: ${errorMessage(caught)}\n`);
    return undefined;
  }
  const snapshots = Array.isArray(json) ? json : [json];
  const store = new MemoryIdentityStore({ now: () => 0, ttlInMs: Number.MAX_SAFE_INTEGER });
  let cluster: string | undefined;
  for (const [index, value] of snapshots.entries()) {
    const parsed = parseIdentitySnapshot(value);
    if (!parsed.ok) {
      io.stderr(
        `${file}${snapshots.length > 1 ? ` snapshot ${index}` : ''}: not a valid identity snapshot:\n${parsed.issues.map((i) => `  ${i}`).join('\n')}\n`,
      );
      return undefined;
    }
    cluster ??= parsed.snapshot.cluster;
    await store.apply(parsed.snapshot);
  }
  return {
    lookup: cluster === undefined ? EMPTY_IDENTITY_LOOKUP : await store.lookupFor(cluster),
    cluster: cluster ?? 'inspect',
  };
}
