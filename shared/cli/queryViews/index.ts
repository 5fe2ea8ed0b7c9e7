import { costByConfigurationView } from './costByConfigurationView';
import { dnsLatencyView } from './dnsLatencyView';
import { dnsNamesView } from './dnsNamesView';
import { egressFqdnView } from './egressFqdnView';
import { grpcErrorsView } from './grpcErrorsView';
import { handshakeLatencyView } from './handshakeLatencyView';
import { handshakeRttByNodeView } from './handshakeRttByNodeView';
import { httpLatencyView } from './httpLatencyView';
import { longFlowsView } from './longFlowsView';
import type { QueryView } from './queryView';
import { rejectedFlowsView } from './rejectedFlowsView';
import { retransmissionRateView } from './retransmissionRateView';
import { tcpHealthView } from './tcpHealthView';
import { topTalkersView } from './topTalkersView';

/** The named views of `tracectl query --view`, each mirroring one file of `queries/`. */
export const QUERY_VIEWS: readonly QueryView[] = [
  topTalkersView,
  rejectedFlowsView,
  longFlowsView,
  grpcErrorsView,
  httpLatencyView,
  dnsLatencyView,
  dnsNamesView,
  tcpHealthView,
  handshakeLatencyView,
  costByConfigurationView,
  retransmissionRateView,
  handshakeRttByNodeView,
  egressFqdnView,
];

/** The view named `name`, or undefined. */
export function findQueryView(name: string): QueryView | undefined {
  return QUERY_VIEWS.find((view) => view.name === name);
}
