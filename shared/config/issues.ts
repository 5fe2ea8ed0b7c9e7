/**
 * Problems found in a TraceConfiguration manifest, with the field path they concern, plus the
 * collector the validators write into.
 */

/** One step of a field path: an object key or an array index. */
export type PathSegment = string | number;

/** A problem reported to the user: field path, message, and where in the file when known. */
export interface ConfigIssue {
  /** Field path such as `spec.traceConfigurations[0].from[0].ipBlock.except[1]`; empty for the whole document. */
  path: string;
  /** What is wrong and how to fix it, for a cluster operator. Never echoes a secret value. */
  message: string;
  /** 1-based line in the YAML file, when the path maps to a node of a parsed file. */
  line?: number;
  /** 1-based column in the YAML file, when the path maps to a node of a parsed file. */
  column?: number;
  /**
   * Stable code of problems that make the whole input refused before anything is stored
   * (`SECRET_IN_MANIFEST`, `CONNECTION_NOT_ALLOWED`, or an input limit such as `INPUT_TOO_DEEP`).
   */
  code?: string;
}

/** An issue before it is located in a file: the path is still a list of segments. */
export interface PathedIssue {
  segments: readonly PathSegment[];
  message: string;
  /** Point at the key rather than the value (unknown fields). */
  onKey?: boolean;
  /** See {@link ConfigIssue.code}. */
  code?: string;
}

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * Formats path segments the way operators read them: `spec.ports[0].port`, with keys that are not
 * plain words quoted in brackets (`matchLabels["app.kubernetes.io/name"]`).
 */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Collects errors and warnings while a manifest is checked, so every problem is reported, not just the first. */
export class IssueCollector {
  readonly errors: PathedIssue[] = [];
  readonly warnings: PathedIssue[] = [];

  /** Records a problem that makes the document Errored. */
  error(segments: readonly PathSegment[], message: string, code?: string): void {
    this.errors.push(code === undefined ? { segments, message } : { segments, message, code });
  }

  /** Records accepted-but-suspicious input (state Warning). */
  warn(segments: readonly PathSegment[], message: string, onKey = false): void {
    this.warnings.push(onKey ? { segments, message, onKey } : { segments, message });
  }
}

/** `path: message` lines joined for a status `reason`; the path is omitted when empty. */
export function formatReason(issues: readonly ConfigIssue[]): string {
  return issues
    .map((issue) => (issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`))
    .join('; ');
}
