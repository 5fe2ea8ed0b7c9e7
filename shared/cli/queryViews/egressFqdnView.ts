import type { TraceRecord } from '../../record/traceRecord';
import type { QueryView, ViewRow } from './queryView';
import { coalesce, groupBy, isNotEmpty, numberOr0, topBy } from './viewFunctions';

/** Most values listed per set column, as `make_set(..., 10)` in the `.kql`. */
const SET_SIZE = 10;

/**
 * `egress-fqdn`: traffic leaving the cluster by the DNS name the initiator resolved, over
 * FlowSummary records (`queries/egress-by-fqdn.kql`). "Leaving" = a destination that is no known
 * pod, service or node, from a pod (a namespace); flows without a name are listed by address.
 */
export const egressFqdnView: QueryView = {
  name: 'egress-fqdn',
  kqlFile: 'egress-by-fqdn.kql',
  summary: 'bytes and packets leaving the cluster per resolved DNS name (FlowSummary records)',
  columns: [
    'Destination',
    'Bytes',
    'BytesOut',
    'BytesIn',
    'PacketsOut',
    'PacketsIn',
    'Flows',
    'Addresses',
    'Ports',
    'Clients',
  ],
  aggregate(records: readonly TraceRecord[]): ViewRow[] {
    const egress = records.filter(
      (r) =>
        r.CaptureLevel === 'FlowSummary' &&
        !isNotEmpty(r.DestinationNamespace) &&
        !isNotEmpty(r.DestinationServiceName) &&
        !isNotEmpty(r.DestinationNodeName) &&
        isNotEmpty(r.SourceNamespace),
    );
    const groups = groupBy(egress, (r) => [coalesce(r.DestinationFqdn, r.DestinationIp)]);
    const rows = [...groups.values()].map((group): ViewRow => {
      const sum = (pick: (r: TraceRecord) => number | undefined): number =>
        group.reduce((total, r) => total + numberOr0(pick(r)), 0);
      const set = <T extends string | number>(pick: (r: TraceRecord) => T | undefined): T[] =>
        [...new Set(group.map(pick).filter((v): v is T => v !== undefined && v !== ''))].slice(0, SET_SIZE);
      const out = sum((r) => r.BytesFromSource);
      const back = sum((r) => r.BytesFromDestination);
      return {
        Destination: coalesce(group[0]!.DestinationFqdn, group[0]!.DestinationIp),
        Bytes: out + back,
        BytesOut: out,
        BytesIn: back,
        PacketsOut: sum((r) => r.PacketsFromSource),
        PacketsIn: sum((r) => r.PacketsFromDestination),
        Flows: new Set(group.map((r) => r.FlowId).filter((id) => id !== undefined && id !== '')).size,
        Addresses: set((r) => r.DestinationIp),
        Ports: set((r) => r.DestinationPort),
        Clients: set((r) => `${r.SourceNamespace ?? ''}/${coalesce(r.SourceWorkload, r.SourcePodName)}`),
      };
    });
    return topBy(rows, 'Bytes', 100);
  },
};
