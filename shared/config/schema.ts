/**
 * zod schemas of both spellings of the TraceConfiguration resource (docs/trace-configuration.md): the documented
 * form (`kind: TraceConfiguration`) and the upstream CRD form (`kind: TracesConfiguration`,
 * microsoft/retina `crd/api/v1alpha1/tracesconfiguration_types.go`).
 *
 * These schemas check shapes, types and enumerations. Objects are loose: unknown fields are kept so
 * the normaliser can report them as Warnings instead of rejecting the manifest. Rules that span
 * several fields (selector combinations, CIDR containment, port ranges, secrets) live in the
 * normaliser, so every problem is reported exactly once. `z.toJSONSchema` of these schemas is the
 * published JSON Schema (docs/schema/traceconfiguration.schema.json).
 */
import { z } from 'zod';
import { caseInsensitiveEnum } from './enumText';
import { DESTINATIONS } from './model';
import { CAPTURE_LEVEL_NAMES } from './captureLevelNames';

/** The only accepted `apiVersion`. */
export const API_VERSION = 'retina.sh/v1alpha1';
/** `kind` of the documented form. */
export const DOCUMENTED_KIND = 'TraceConfiguration';
/** `kind` of the upstream CRD form. */
export const UPSTREAM_KIND = 'TracesConfiguration';

/** Capture levels in canonical spelling. */
export { CAPTURE_LEVEL_NAMES };
/** Trace point names a manifest may use: `pod` is the documented shorthand for PodToNode + NodeToPod. */
export const TRACE_POINT_NAMES = ['Pod', 'PodToNode', 'NodeToPod', 'NodeToNetwork', 'NetworkToNode'] as const;
/** Port protocols in canonical spelling. */
export const PROTOCOL_NAMES = ['TCP', 'UDP', 'SCTP'] as const;
/** Label selector operators in canonical spelling. */
export const OPERATOR_NAMES = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

const captureLevel = caseInsensitiveEnum(
  CAPTURE_LEVEL_NAMES,
  'How much of each traced flow to record. Default FirstPacket. FlowSummary (one record per flow and interval) is an extension of this backend, not in upstream Retina.',
);
const tracePoint = caseInsensitiveEnum(
  TRACE_POINT_NAMES,
  'Where packets are observed. `pod` means PodToNode and NodeToPod.',
);
const portValue = z
  .union([z.number().int(), z.string()], {
    error: 'must be a port number (1–65535) or a port name such as "http"',
  })
  .meta({ description: 'Port number (1–65535) or named port.', examples: [443, 'http'] });

/** `metav1.LabelSelectorRequirement`. */
export const LabelSelectorRequirementSchema = z.looseObject({
  key: z.string().meta({ description: 'Label key, e.g. app.kubernetes.io/name.' }),
  operator: caseInsensitiveEnum(OPERATOR_NAMES, 'How the label is compared.'),
  values: z
    .array(z.string())
    .optional()
    .meta({ description: 'Non-empty for In and NotIn; absent or empty for Exists and DoesNotExist.' }),
});

/** `metav1.LabelSelector`; a shorthand map `{label: value}` is also accepted (read as matchLabels, Warning). */
export const LabelSelectorSchema = z
  .looseObject({
    matchLabels: z
      .record(z.string(), z.string())
      .optional()
      .meta({ description: 'Labels that must all be equal.' }),
    matchExpressions: z.array(LabelSelectorRequirementSchema).optional(),
  })
  .meta({
    id: 'LabelSelector',
    description:
      'Kubernetes label selector; all requirements are AND-ed and an empty selector matches everything. A shorthand map {label: value} is read as matchLabels (Warning).',
  });

/** An IP block: `cidr` minus every `except`. Bare addresses mean /32 or /128. */
export const IpBlockSchema = z
  .looseObject({
    cidr: z.string().optional().meta({ description: 'CIDR (10.0.0.0/16, fd00::/64) or a bare address.' }),
    except: z.array(z.string()).optional().meta({ description: 'CIDRs inside `cidr` to leave out.' }),
  })
  .meta({
    id: 'IpBlock',
    description: 'Addresses in cidr, minus every except. Bare addresses mean /32 or /128.',
  });

/** One `from`/`to` entry. */
export const PeerSchema = z
  .looseObject({
    ipBlock: IpBlockSchema.optional(),
    except: z.array(z.string()).optional().meta({
      description: 'Accepted beside ipBlock as in the Retina docs example (Warning); belongs inside ipBlock.',
    }),
    namespaceSelector: LabelSelectorSchema.optional(),
    podSelector: LabelSelectorSchema.optional(),
    nodeSelector: LabelSelectorSchema.optional(),
    serviceSelector: LabelSelectorSchema.optional(),
  })
  .meta({
    id: 'Peer',
    description:
      'One from/to entry: ipBlock alone, namespaceSelector with optional podSelector, nodeSelector alone, or serviceSelector alone.',
  });

/** A destination-port rule. */
export const PortSchema = z
  .looseObject({
    port: portValue.optional(),
    endPort: portValue.optional().meta({ description: 'Inclusive end of a numeric port range.' }),
    protocol: caseInsensitiveEnum(PROTOCOL_NAMES, 'Transport protocol. Default TCP.').optional(),
  })
  .meta({
    id: 'PortRule',
    description: 'Destination port, port name or port range. Absent port means any port.',
  });

/** Where records go. */
export const OutputConfigurationSchema = z
  .looseObject({
    destination: caseInsensitiveEnum(DESTINATIONS, 'Where trace records are written.'),
    connectionConfiguration: z.string().optional().meta({
      description:
        'Name of a connection whose settings are app settings <NAME>__<property>; never a secret. Default TRACES_<DESTINATION>.',
    }),
  })
  .meta({ id: 'OutputConfiguration' });

const includeLayer7Data = z
  .boolean()
  .optional()
  .meta({ description: 'Parse HTTP, DNS and TLS. Default false.' });

/** One entry of `spec.traceConfigurations[]` (documented form). */
export const DocumentedTraceConfigurationSchema = z.looseObject({
  captureLevel: captureLevel.optional(),
  includeLayer7Data,
  from: z.array(PeerSchema).optional(),
  to: z.array(PeerSchema).optional(),
  ports: z.array(PortSchema).optional(),
});

/** `spec` of the documented form. */
export const DocumentedSpecSchema = z.looseObject({
  traceConfigurations: z
    .array(DocumentedTraceConfigurationSchema)
    .min(1, { error: 'needs at least one trace configuration' }),
  tracePoints: z.array(tracePoint).optional(),
  outputConfiguration: OutputConfigurationSchema,
});

/** One `traceTargets[]` entry (upstream form). */
export const UpstreamTraceTargetSchema = z.looseObject({
  from: PeerSchema.optional(),
  to: PeerSchema.optional(),
  ports: z.array(PortSchema).optional(),
  tracePoints: z.array(tracePoint).optional(),
});

/** One entry of `spec.traceConfiguration[]` (upstream form). */
export const UpstreamTraceConfigurationSchema = z.looseObject({
  captureLevel: captureLevel.optional(),
  includeLayer7Data,
  traceTargets: z.array(UpstreamTraceTargetSchema).min(1, { error: 'needs at least one trace target' }),
});

/** `spec` of the upstream CRD form. */
export const UpstreamSpecSchema = z.looseObject({
  traceConfiguration: z
    .array(UpstreamTraceConfigurationSchema)
    .min(1, { error: 'needs at least one trace configuration' }),
  outputConfiguration: OutputConfigurationSchema,
});

/** `metadata` fields this resource reads; all other Kubernetes metadata is allowed. */
export const MetadataSchema = z.looseObject({
  name: z.string().meta({ description: 'DNS-1123 subdomain, e.g. http-to-storage.' }),
  namespace: z.string().optional().meta({ description: 'Default "default".' }),
});

/** A whole documented-form manifest. */
export const DocumentedManifestSchema = z.looseObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(DOCUMENTED_KIND),
  metadata: MetadataSchema,
  spec: DocumentedSpecSchema,
});

/** A whole upstream-form manifest. */
export const UpstreamManifestSchema = z.looseObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(UPSTREAM_KIND),
  metadata: MetadataSchema,
  spec: UpstreamSpecSchema,
});
