/**
 * What `tracectl apply` sends: every document of a file validated locally first, so nothing
 * invalid (a secret above all) ever leaves the machine. Only Accepted or Warning documents are
 * sent, as their parsed JSON.
 */
import type { ConnectionPolicy } from './connectionPolicy';
import { formatReason } from './issues';
import { parseTraceConfigurations } from './parseManifests';

/** A document ready to send. */
export interface ApplyDocument {
  document: number;
  namespace: string;
  name: string;
  manifest: unknown;
}

/** A document refused locally, with every problem (never a secret value). */
export interface RefusedDocument {
  document: number;
  namespace: string;
  name: string;
  reason: string;
}

/** The outcome of {@link planApply}. */
export interface ApplyPlan {
  send: ApplyDocument[];
  refused: RefusedDocument[];
}

/**
 * Splits a manifest file into documents to send and documents refused locally.
 *
 * @param policy - the connections the client knows to be declared; the server checks again
 */
export function planApply(text: string, fileName: string, policy: ConnectionPolicy): ApplyPlan {
  const plan: ApplyPlan = { send: [], refused: [] };
  for (const result of parseTraceConfigurations(text, { fileName, connectionPolicy: policy })) {
    const at = { document: result.document, namespace: result.namespace, name: result.name };
    if (result.state === 'Errored' || result.manifest === undefined)
      plan.refused.push({ ...at, reason: formatReason(result.errors) || 'the document could not be read' });
    else plan.send.push({ ...at, manifest: result.manifest });
  }
  return plan;
}
