/**
 * The normalised TraceConfiguration model. Both spellings in the wild (the documented form and the
 * upstream CRD form, docs/trace-configuration.md) normalise to this shape. It is plain JSON (no class instances)
 * so it can be stored, compared and sent over the wire as-is.
 */
import type { TracePoint } from '../packet/decodedPacket';

/** How much of each traced flow to record. */
export type CaptureLevel = 'AllPackets' | 'FirstPacket' | 'FlowSummary';

/** Where records go. */
export type Destination = 'stdout' | 'azuretable' | 'loganalytics' | 'opentelemetry';

/** All destinations, in documentation order. */
export const DESTINATIONS: readonly Destination[] = ['stdout', 'azuretable', 'loganalytics', 'opentelemetry'];

/** A Kubernetes label selector requirement. */
export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  /** Required (non-empty) for `In`/`NotIn`, absent for `Exists`/`DoesNotExist`. */
  values?: string[];
}

/** A Kubernetes label selector; all requirements are AND-ed. An empty selector matches everything. */
export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: LabelSelectorRequirement[];
}

/** An IP block: `cidr` minus each of `except`, all in canonical CIDR text (`10.0.0.0/8`). */
export interface IpBlock {
  cidr: string;
  except: string[];
}

/**
 * One `from`/`to` entry. Exactly one of these shapes holds (validation guarantees it):
 * `ipBlock` alone; `namespaceSelector` with optional `podSelector`; `nodeSelector` alone;
 * `serviceSelector` alone.
 */
export interface Peer {
  ipBlock?: IpBlock;
  namespaceSelector?: LabelSelector;
  podSelector?: LabelSelector;
  nodeSelector?: LabelSelector;
  serviceSelector?: LabelSelector;
}

/** A transport protocol a port rule can name. */
export type PortProtocol = 'TCP' | 'UDP' | 'SCTP';

/** A destination-port rule. */
export interface PortRule {
  protocol: PortProtocol;
  /** Numeric port, or a named port (`http`), or absent for "any port of this protocol". */
  port?: number | string;
  /** Inclusive end of a numeric range; only with a numeric `port`. */
  endPort?: number;
}

/** One target: from AND to AND ports AND trace points. An empty list matches anything. */
export interface TraceTarget {
  from: Peer[];
  to: Peer[];
  ports: PortRule[];
  /** Trace points this target observes (all four when the manifest named none). */
  tracePoints: TracePoint[];
  /** True when the manifest named trace points explicitly (so unknown-point packets do not match). */
  tracePointsRestricted: boolean;
}

/** One configuration entry (one element of `traceConfigurations[]`). Targets are OR-ed. */
export interface TraceRule {
  captureLevel: CaptureLevel;
  includeLayer7Data: boolean;
  targets: TraceTarget[];
}

/** Where records of this resource go. */
export interface OutputConfiguration {
  destination: Destination;
  /** Connection name resolved from app settings (`<NAME>__<property>`); default `TRACES_<DESTINATION>`. */
  connection: string;
}

/** The normalised spec of one TraceConfiguration resource. */
export interface TraceConfigurationSpec {
  rules: TraceRule[];
  output: OutputConfiguration;
  /**
   * Packet retention, from the `retina.sh/retain-packets` annotation (docs/retention.md): matched
   * packets are kept in Blob Storage for this many days. Absent: nothing is retained.
   */
  retainPacketsDays?: number;
}

/** Lifecycle state of a configuration (docs/trace-configuration.md). */
export type ConfigurationState = 'Initialized' | 'Accepted' | 'Warning' | 'Errored';

/** Status of a configuration resource. */
export interface TraceConfigurationStatus {
  state: ConfigurationState;
  /** All errors or warnings, human readable, with field paths; empty when Accepted. */
  reason: string;
  /** The last accepted spec; absent until one was accepted. */
  lastKnownSpec?: TraceConfigurationSpec;
}

/** A configuration resource as the backend keeps it. */
export interface TraceConfiguration {
  namespace: string;
  name: string;
  /** The spec in force: the newest accepted one. Absent when nothing was ever accepted. */
  spec?: TraceConfigurationSpec;
  status: TraceConfigurationStatus;
}

/** `namespace/name` of a configuration. */
export function configurationKey(config: { namespace: string; name: string }): string {
  return `${config.namespace}/${config.name}`;
}
