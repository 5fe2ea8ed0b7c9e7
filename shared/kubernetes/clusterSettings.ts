/**
 * Settings of the in-cluster components, from the environment the manifests in
 * deploy/kubernetes set (one ConfigMap plus the downward API). Strict: every problem is reported
 * with the variable's name.
 */
import { z } from 'zod';
import { TRACE_POINTS } from '../packet/decodedPacket';
import type { CaptureInterface } from './agent/nodeAgent';

const nonEmpty = z.string().trim().min(1);

const interfacesSchema = z
  .string()
  .trim()
  .min(1)
  .transform((text, context): CaptureInterface[] => {
    const out: CaptureInterface[] = [];
    for (const item of text
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')) {
      const [name = '', point = ''] = item.split('=');
      const tracePoint = TRACE_POINTS.find((p) => p.toLowerCase() === point.trim().toLowerCase());
      if (name.trim() === '' || tracePoint === undefined) {
        context.addIssue({
          code: 'custom',
          message: `'${item}' must be INTERFACE=TRACEPOINT with TRACEPOINT one of ${TRACE_POINTS.join(', ')}`,
        });
        return z.NEVER;
      }
      out.push({ name: name.trim(), tracePoint: tracePoint });
    }
    return out;
  });

/** Settings common to both roles. */
const commonSchema = z.object({
  CLUSTER_NAME: nonEmpty,
  /** Event Hubs namespace host name, e.g. `contoso-traces.servicebus.windows.net` (workload identity). */
  EVENTHUB_NAMESPACE: nonEmpty.optional(),
  /** A connection string instead (local mode and tests only). */
  EVENTHUB_CONNECTION_STRING: nonEmpty.optional(),
  EVENTHUB_NAME: nonEmpty.default('retina-traces'),
  /** API server URL; absent in a pod (the service account is used). */
  KUBERNETES_SERVER: nonEmpty.optional(),
});

/** The controller role's settings. */
export const controllerSettingsSchema = commonSchema.extend({
  BACKEND_URL: z.url(),
  /** Function key of the backend's HTTP API, from a Secret; absent when the API needs none. */
  BACKEND_FUNCTION_KEY: nonEmpty.optional(),
  POD_NAME: nonEmpty,
  POD_NAMESPACE: nonEmpty,
  IDENTITY_COMPLETE_INTERVAL_SECONDS: z.coerce.number().int().min(10).max(600).default(300),
});

/** The agent role's settings. */
export const agentSettingsSchema = commonSchema.extend({
  NODE_NAME: nonEmpty,
  AGENT_INTERFACES: interfacesSchema.default([{ name: 'eth0', tracePoint: 'NodeToNetwork' }]),
  AGENT_MAX_QUEUED_EVENTS: z.coerce.number().int().min(1).max(10_000).default(64),
  TCPDUMP_PATH: nonEmpty.default('tcpdump'),
});

export type ControllerSettings = z.infer<typeof controllerSettingsSchema>;
export type AgentSettings = z.infer<typeof agentSettingsSchema>;

/** Parses settings; throws one error listing every problem as `VARIABLE: message`. */
export function parseClusterSettings<T extends z.ZodType>(
  schema: T,
  env: Readonly<Record<string, string | undefined>>,
): z.infer<T> {
  const result = schema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')),
  );
  if (!result.success)
    throw new Error(
      `invalid settings: ${result.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`).join('; ')}`,
    );
  const settings = result.data as { EVENTHUB_NAMESPACE?: string; EVENTHUB_CONNECTION_STRING?: string };
  if ((settings.EVENTHUB_NAMESPACE === undefined) === (settings.EVENTHUB_CONNECTION_STRING === undefined)) {
    throw new Error(
      'invalid settings: set exactly one of EVENTHUB_NAMESPACE (workload identity) and EVENTHUB_CONNECTION_STRING',
    );
  }
  return result.data;
}
