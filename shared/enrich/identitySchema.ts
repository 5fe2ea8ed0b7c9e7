/**
 * Strict schema of identity snapshot bodies (docs/wire-format.md, `retina.sh/identities/v1`), with every
 * issue reported by its JSON path.
 */
import { zodIssueMessage } from '../config/zodIssues';
import { z } from 'zod';
import { parseIp } from '../net/ipAddress';
import type { IdentitySnapshot } from './identity';

const labels = z.record(z.string(), z.string());

const endpointSchema = z.object({
  ip: z.string().refine((ip) => parseIp(ip) !== undefined, { message: 'not an IPv4 or IPv6 address' }),
  kind: z.enum(['pod', 'service', 'node']),
  namespace: z.string().min(1).optional(),
  name: z.string().min(1),
  labels: labels.optional(),
  namespaceLabels: labels.optional(),
  nodeName: z.string().min(1).optional(),
  workload: z.object({ kind: z.string().min(1), name: z.string().min(1) }).optional(),
  serviceNames: z.array(z.string().min(1)).optional(),
  ports: z
    .array(
      z.object({
        name: z.string().min(1),
        port: z.number().int().min(1).max(65535),
        protocol: z.enum(['TCP', 'UDP', 'SCTP']),
      }),
    )
    .optional(),
});

/** Zod schema of an identity snapshot body. */
export const identitySnapshotSchema = z.object({
  // As the trace batches' `cluster` and `node` properties (docs/wire-format.md).
  cluster: z.string().min(1).max(253),
  node: z.string().min(1).max(253).optional(),
  generatedAt: z.iso.datetime({ offset: true }),
  complete: z.boolean(),
  endpoints: z.array(endpointSchema),
});

/** Result of {@link parseIdentitySnapshot}. */
export type IdentitySnapshotParseResult =
  { ok: true; snapshot: IdentitySnapshot } | { ok: false; issues: string[] };

/**
 * Validates a parsed JSON value as an identity snapshot. Never throws; each issue reads
 * `<path>: <message>`, e.g. `endpoints[2].ip: not an IPv4 or IPv6 address`.
 */
export function parseIdentitySnapshot(value: unknown): IdentitySnapshotParseResult {
  const result = identitySnapshotSchema.safeParse(value, { reportInput: true });
  if (result.success) return { ok: true, snapshot: result.data };
  return {
    ok: false,
    // The same wording as manifest problems: "is required", "must be a list, got a mapping".
    issues: result.error.issues.map((issue) => `${formatPath(issue.path)}: ${zodIssueMessage(issue)}`),
  };
}

/** Result of {@link parseIdentitySnapshotSkippingEndpoints}. */
export type IdentitySnapshotSkippingResult =
  | {
      ok: true;
      /** The snapshot with its valid endpoints only. */
      snapshot: IdentitySnapshot;
      /** Endpoints left out, by index in the body. */
      skippedEndpoints: number;
      /** Their issues, `endpoints[i].<path>: <message>` (the first of each endpoint). */
      skippedIssues: string[];
    }
  | { ok: false; issues: string[] };

const snapshotHeaderSchema = identitySnapshotSchema.extend({ endpoints: z.array(z.unknown()) });

/**
 * Validates a snapshot as {@link parseIdentitySnapshot} does, except that an endpoint breaking the
 * schema is left out (and reported) instead of failing the snapshot: one bad endpoint must not cost
 * the cluster every other identity. The snapshot fails when its own fields do, or when it had
 * endpoints and none of them is valid (applying it would empty the table, a complete one above all).
 */
export function parseIdentitySnapshotSkippingEndpoints(value: unknown): IdentitySnapshotSkippingResult {
  const header = snapshotHeaderSchema.safeParse(value, { reportInput: true });
  if (!header.success)
    return {
      ok: false,
      issues: header.error.issues.map((issue) => `${formatPath(issue.path)}: ${zodIssueMessage(issue)}`),
    };
  const endpoints: IdentitySnapshot['endpoints'] = [];
  const skippedIssues: string[] = [];
  header.data.endpoints.forEach((candidate, index) => {
    const endpoint = endpointSchema.safeParse(candidate, { reportInput: true });
    if (endpoint.success) {
      endpoints.push(endpoint.data);
      return;
    }
    const issue = endpoint.error.issues[0]!;
    skippedIssues.push(`${formatPath(['endpoints', index, ...issue.path])}: ${zodIssueMessage(issue)}`);
  });
  if (endpoints.length === 0 && skippedIssues.length > 0)
    return { ok: false, issues: [`every endpoint is invalid`, ...skippedIssues] };
  return {
    ok: true,
    snapshot: { ...header.data, endpoints },
    skippedEndpoints: skippedIssues.length,
    skippedIssues,
  };
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}
