import { egressFqdnView } from '../../../shared/cli/queryViews/egressFqdnView';
import type { TraceRecord } from '../../../shared/record/traceRecord';
import { flow, record } from './records';

const frontend = {
  SourceNamespace: 'shop',
  SourceWorkload: 'Deployment/frontend',
  SourcePodName: 'frontend-1',
};
const worker = { SourceNamespace: 'jobs', SourcePodName: 'worker-1' };

describe('egress-fqdn (egress-by-fqdn.kql)', () => {
  it.each<[string, TraceRecord[], object[]]>([
    ['an empty window', [], []],
    [
      'packet records are not flows',
      [
        record(0, {
          ...frontend,
          DestinationIp: '192.0.2.7',
          DestinationFqdn: 'api.example.com',
          PacketBytes: 60,
        }),
      ],
      [],
    ],
    [
      'traffic inside the cluster (a service destination) or from a node is not egress',
      [
        flow(0, 1, {
          ...frontend,
          DestinationIp: '10.0.12.34',
          DestinationServiceName: 'checkout',
          DestinationFqdn: 'checkout.shop.svc.cluster.local',
          BytesFromSource: 9,
        }),
        flow(0, 1, {
          SourceIp: '10.224.0.4',
          DestinationIp: '192.0.2.7',
          DestinationFqdn: 'api.example.com',
          BytesFromSource: 9,
        }),
      ],
      [],
    ],
    [
      'flows to one name add up across addresses and clients; unnamed flows are listed by address',
      [
        flow(0, 1, {
          ...frontend,
          FlowId: 'f1',
          DestinationIp: '192.0.2.7',
          DestinationPort: 443,
          DestinationFqdn: 'api.example.com',
          BytesFromSource: 100,
          BytesFromDestination: 1000,
          PacketsFromSource: 3,
          PacketsFromDestination: 4,
        }),
        flow(1, 2, {
          ...worker,
          FlowId: 'f2',
          DestinationIp: '192.0.2.8',
          DestinationPort: 443,
          DestinationFqdn: 'api.example.com',
          BytesFromSource: 10,
          BytesFromDestination: 20,
          PacketsFromSource: 1,
          PacketsFromDestination: 1,
        }),
        flow(2, 3, {
          ...frontend,
          FlowId: 'f3',
          DestinationIp: '198.51.100.1',
          DestinationPort: 22,
          BytesFromSource: 5,
        }),
      ],
      [
        {
          Destination: 'api.example.com',
          Bytes: 1130,
          BytesOut: 110,
          BytesIn: 1020,
          PacketsOut: 4,
          PacketsIn: 5,
          Flows: 2,
          Addresses: ['192.0.2.7', '192.0.2.8'],
          Ports: [443],
          Clients: ['shop/Deployment/frontend', 'jobs/worker-1'],
        },
        {
          Destination: '198.51.100.1',
          Bytes: 5,
          BytesOut: 5,
          BytesIn: 0,
          PacketsOut: 0,
          PacketsIn: 0,
          Flows: 1,
          Addresses: ['198.51.100.1'],
          Ports: [22],
          Clients: ['shop/Deployment/frontend'],
        },
      ],
    ],
  ])('%s', (_name, records, expected) => {
    expect(egressFqdnView.aggregate(records)).toEqual(expected);
  });
});
