import { normaliseResource } from './sasToken';

/**
 * The entity paths a connection has been granted through `$cbs` put-token, e.g. `retina-traces`
 * or `retina-traces/consumergroups/$default/partitions/0`. Host and scheme are ignored: the client
 * signs its own view of the endpoint (`localhost`, `127.0.0.1`, ...), which is not ours to judge.
 */
export class ConnectionClaims {
  private readonly paths = new Set<string>();

  /** Records a granted audience or resource URI. */
  grant(uri: string): void {
    this.paths.add(entityPathOf(uri));
  }

  /** Whether a granted claim covers this entity path (the entity itself or a parent of it). */
  covers(entityPath: string): boolean {
    const wanted = entityPathOf(`x/${entityPath}`);
    for (const path of this.paths) {
      if (path === '' || wanted === path || wanted.startsWith(`${path}/`)) return true;
    }
    return false;
  }
}

/** The path part of a resource or audience URI, normalised: `sb://h:1/Hub/$management` → `hub/$management`. */
export function entityPathOf(uri: string): string {
  const normalised = normaliseResource(uri);
  const slash = normalised.indexOf('/');
  return slash < 0 ? '' : normalised.slice(slash + 1);
}
