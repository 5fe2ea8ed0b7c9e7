/** How `tracectl validate` prints results: text for people, JSON for scripts. */
import type { ConfigIssue, DocumentResult } from '../../config';

/** One element of `tracectl validate -o json` (docs/cli.md). */
export interface ValidateJsonResult {
  file: string;
  document: number;
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  state: DocumentResult['state'];
  reason: string;
  warnings: ConfigIssue[];
  errors: ConfigIssue[];
}

/** The JSON form of one result: exactly the documented fields, no normalised spec. */
export function toJsonResult(result: DocumentResult): ValidateJsonResult {
  return {
    file: result.file ?? '',
    document: result.document,
    apiVersion: result.apiVersion,
    kind: result.kind,
    namespace: result.namespace,
    name: result.name,
    state: result.state,
    reason: result.reason,
    warnings: result.warnings,
    errors: result.errors,
  };
}

const COLOURS = { Accepted: '\u001b[32m', Warning: '\u001b[33m', Errored: '\u001b[31m' } as const;
const RESET = '\u001b[0m';

function displayName(file: string | undefined): string {
  return file === undefined || file === '-' ? '<stdin>' : file;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function issueLine(kind: 'error' | 'warning', file: string, issue: ConfigIssue): string {
  const where = issue.line === undefined ? file : `${file}:${issue.line}:${issue.column ?? 1}`;
  const what = issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`;
  return `    ${kind.padEnd(7)}  ${where}  ${what}`;
}

/**
 * Text report: one line per document (state, `namespace/name`, where it starts), then its errors
 * and warnings indented with `file:line:column` and field path, then a summary line. The state is
 * coloured only when `colour` is set (stdout is a terminal).
 */
export function formatTextReport(results: readonly DocumentResult[], colour: boolean): string {
  const lines: string[] = [];
  for (const result of results) {
    const file = displayName(result.file);
    const name = result.name === '' ? '(unnamed)' : `${result.namespace}/${result.name}`;
    const state = colour
      ? `${COLOURS[result.state]}${result.state.padEnd(8)}${RESET}`
      : result.state.padEnd(8);
    const counts = [
      result.errors.length > 0 ? plural(result.errors.length, 'error') : '',
      result.warnings.length > 0 ? plural(result.warnings.length, 'warning') : '',
    ].filter((part) => part !== '');
    const suffix = counts.length > 0 ? `  (${counts.join(', ')})` : '';
    lines.push(`${state}  ${name}  ${file}:${result.line} document ${result.document}${suffix}`);
    for (const issue of result.errors) lines.push(issueLine('error', file, issue));
    for (const issue of result.warnings) lines.push(issueLine('warning', file, issue));
  }
  const tally = (state: DocumentResult['state']): number => results.filter((r) => r.state === state).length;
  lines.push(
    `${plural(results.length, 'document')}: ${tally('Accepted')} Accepted, ${tally('Warning')} Warning, ${tally('Errored')} Errored`,
  );
  return `${lines.join('\n')}\n`;
}
