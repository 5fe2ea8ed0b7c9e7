/** What a link address or token audience names. Hub names keep the caller's spelling. */
export type EntityAddress =
  | { kind: 'cbs' }
  | { kind: 'management' }
  | { kind: 'hub'; hub: string }
  | { kind: 'partition'; hub: string; partitionId: string }
  | { kind: 'consumer'; hub: string; consumerGroup: string; partitionId: string }
  | { kind: 'invalid'; reason: string };

/**
 * Parses an AMQP link address as the Event Hubs SDKs write them: `$cbs`, `$management`, `<hub>`,
 * `<hub>/Partitions/<id>` (publishing) and `<hub>/ConsumerGroups/<group>/Partitions/<id>` (receiving).
 * An `amqp(s)://host[:port]/` or `sb://host/` prefix is ignored; path keywords match case-insensitively.
 */
export function parseEntityAddress(address: string | undefined): EntityAddress {
  if (!address) return { kind: 'invalid', reason: 'the link has no address' };
  const path = address.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*\//i, '').replace(/\/+$/, '');
  const segments = path.split('/');
  const [hub = '', second, third, fourth, fifth] = segments;
  if (segments.length === 1) {
    if (hub === '$cbs') return { kind: 'cbs' };
    if (hub === '$management') return { kind: 'management' };
    if (hub.length > 0 && !hub.startsWith('$')) return { kind: 'hub', hub };
  }
  if (segments.length === 2 && second?.toLowerCase() === '$management' && hub.length > 0) {
    return { kind: 'management' };
  }
  if (segments.length === 3 && second?.toLowerCase() === 'partitions' && third) {
    return { kind: 'partition', hub, partitionId: third };
  }
  if (
    segments.length === 5 &&
    second?.toLowerCase() === 'consumergroups' &&
    third &&
    fourth?.toLowerCase() === 'partitions' &&
    fifth
  ) {
    return { kind: 'consumer', hub, consumerGroup: third, partitionId: fifth };
  }
  return { kind: 'invalid', reason: `"${address}" is not an Event Hubs entity address` };
}
