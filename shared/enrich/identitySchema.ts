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
  cluster: z.string().min(1),
  node: z.string().min(1).optional(),
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

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}
