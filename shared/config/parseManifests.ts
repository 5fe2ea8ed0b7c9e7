/**
 * Multi-document YAML front end: every document of a file validated on its own, every problem
 * located at `file:line:column` as well as by field path.
 */
import { isMap, isNode, isScalar, LineCounter, parseAllDocuments, type Document } from 'yaml';
import { yamlDocumentValue } from './yamlDocumentValue';
import { formatPath, formatReason, type ConfigIssue, type PathSegment, type PathedIssue } from './issues';
import {
  checkTraceConfigurationObject,
  stateOf,
  type TraceConfigurationValidation,
  type ValidationOptions,
} from './validateObject';
import { checkTextLimits, DEFAULT_INPUT_LIMITS } from './inputLimits';
import { scrubSecrets } from './secrets';

/** Options of {@link parseTraceConfigurations}. */
export interface ParseTraceConfigurationsOptions extends ValidationOptions {
  /** Shown with each result and in text output; e.g. `samples/http.yaml` or `-` for stdin. */
  fileName?: string;
}

/** The validation of one YAML document, with its place in the file. */
export interface DocumentResult extends TraceConfigurationValidation {
  /** The file name given in the options, when any. */
  file?: string;
  /** 1-based index of the document within the file (empty documents are counted too). */
  document: number;
  /** 1-based line where the document's content starts (after `---` and leading comments). */
  line: number;
  /** The document as parsed (plain JSON); absent when it could not be parsed within the limits. */
  manifest?: unknown;
}

type Located = { line: number; column: number } | undefined;

function nodeStart(node: unknown, lines: LineCounter): Located {
  if (!isNode(node) || node.range === undefined || node.range === null) return undefined;
  const { line, col } = lines.linePos(node.range[0]);
  return { line, column: col };
}

/** Where `segments` points in `doc`: the node itself, or its nearest ancestor that exists. */
function locate(
  doc: Document,
  segments: readonly PathSegment[],
  onKey: boolean,
  lines: LineCounter,
): Located {
  if (onKey && segments.length > 0) {
    const parent = segments.length === 1 ? doc.contents : doc.getIn(segments.slice(0, -1), true);
    const key = segments[segments.length - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === key);
      const at = pair === undefined ? undefined : nodeStart(pair.key, lines);
      if (at !== undefined) return at;
    }
  }
  for (let n = segments.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(segments.slice(0, n), true);
    const at = nodeStart(node, lines);
    if (at !== undefined) return at;
  }
  return undefined;
}

function locateAll(doc: Document, issues: readonly PathedIssue[], lines: LineCounter): ConfigIssue[] {
  const located = issues.map((issue) => {
    const at = locate(doc, issue.segments, issue.onKey === true, lines);
    return {
      path: formatPath(issue.segments),
      message: issue.message,
      ...at,
      ...(issue.code === undefined ? {} : { code: issue.code }),
    };
  });
  // Stable sort: file order, which is how people read the file.
  return located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/** An Errored result for a document with an alias whose anchor is missing: a YAML syntax error, located. */
function unresolvedAliasResult(
  value: { message: string; offset: number },
  place: { file?: string; document: number; line: number },
  lines: LineCounter,
): DocumentResult {
  const { line, col } = lines.linePos(value.offset);
  const errors: ConfigIssue[] = [
    { path: '', message: `YAML syntax error: ${value.message}`, line, column: col },
  ];
  return {
    ...place,
    apiVersion: '',
    kind: '',
    namespace: 'default',
    name: '',
    state: 'Errored',
    reason: formatReason(errors),
    errors,
    warnings: [],
  };
}

function syntaxResult(
  doc: Document,
  base: Omit<DocumentResult, 'state' | 'reason' | 'errors' | 'warnings'>,
  lines: LineCounter,
): DocumentResult {
  const errors: ConfigIssue[] = doc.errors.map((error) => {
    const { line, col } = lines.linePos(error.pos[0]);
    return {
      path: '',
      message: `YAML syntax error: ${error.message.split('\n')[0] ?? error.message}`,
      line,
      column: col,
    };
  });
  return { ...base, state: 'Errored', reason: formatReason(errors), errors, warnings: [] };
}

/** An Errored result for a document (or text) refused by an input limit, before validation. */
function limitResult(
  options: ParseTraceConfigurationsOptions,
  document: number,
  message: string,
  code: string,
  line = 1,
): DocumentResult {
  return {
    ...(options.fileName === undefined ? {} : { file: options.fileName }),
    document,
    line,
    apiVersion: '',
    kind: '',
    namespace: 'default',
    name: '',
    state: 'Errored',
    reason: message,
    errors: [{ path: '', message, code }],
    warnings: [],
  };
}

/**
 * Parses every document of a YAML (or JSON) text and validates each as a TraceConfiguration in
 * either spelling. Empty documents (a trailing `---`, comments only) are skipped. A document with
 * YAML syntax errors is an Errored result carrying each error's line and column; the other
 * documents are still validated.
 *
 * @example
 * ```ts
 * const [result] = parseTraceConfigurations(text, { fileName: 'trace.yaml' });
 * if (result?.state !== 'Errored') use(result.spec);
 * ```
 */
export function parseTraceConfigurations(
  text: string,
  options: ParseTraceConfigurationsOptions = {},
): DocumentResult[] {
  const limits = options.limits ?? DEFAULT_INPUT_LIMITS;
  const what = options.fileName === undefined ? 'the text' : options.fileName;
  const refused = checkTextLimits(text, what, limits);
  if (refused !== undefined) return [limitResult(options, 1, refused.message, refused.code)];
  const lines = new LineCounter();
  // logLevel 'error': the package would print a process warning for a collection used as a key.
  const parsed = parseAllDocuments(text, {
    lineCounter: lines,
    prettyErrors: false,
    merge: true,
    logLevel: 'error',
  });
  const documents = Array.isArray(parsed) ? parsed : [];
  if (documents.length > limits.maxDocuments) {
    return [
      limitResult(
        options,
        limits.maxDocuments + 1,
        `${what} holds ${documents.length} YAML documents; the limit is ${limits.maxDocuments}`,
        'TOO_MANY_DOCUMENTS',
      ),
    ];
  }
  const results: DocumentResult[] = [];
  documents.forEach((doc, index) => {
    const start = lines.linePos(
      isNode(doc.contents) && doc.contents.range ? doc.contents.range[0] : doc.range[0],
    ).line;
    const place = {
      ...(options.fileName === undefined ? {} : { file: options.fileName }),
      document: index + 1,
      line: start,
    };
    if (
      doc.errors.length === 0 &&
      (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null))
    )
      return;
    if (doc.errors.length > 0) {
      const meta: unknown = doc.getIn(['metadata', 'name']);
      results.push(
        syntaxResult(
          doc,
          {
            ...place,
            apiVersion: '',
            kind: '',
            namespace: 'default',
            name: typeof meta === 'string' ? meta : '',
          },
          lines,
        ),
      );
      return;
    }
    const value = yamlDocumentValue(doc, limits.maxAliasCount);
    if (!value.ok) {
      if (value.kind === 'alias-expansion')
        results.push(limitResult(options, index + 1, value.message, 'ALIAS_EXPANSION_TOO_LARGE', start));
      else results.push(unresolvedAliasResult(value, place, lines));
      return;
    }
    const manifest = value.value;
    const checked = checkTraceConfigurationObject(manifest, options);
    const errors = locateAll(doc, checked.errors, lines);
    const warnings = locateAll(doc, checked.warnings, lines);
    const state = stateOf(errors, warnings);
    const holdsSecret = errors.some((issue) => issue.code === 'SECRET_IN_MANIFEST');
    results.push({
      ...checked,
      ...place,
      // Never hand a secret on, not even to the caller's error output.
      ...(holdsSecret ? {} : { manifest: scrubSecrets(manifest) }),
      state,
      reason: formatReason([...errors, ...warnings]),
      errors,
      warnings,
    });
  });
  return results;
}
