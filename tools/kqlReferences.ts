/**
 * A small KQL tokenizer for checking the query pack against the record schema: it finds every
 * identifier a query uses as a column and reports the ones that are neither a known column, a
 * name the query defines (`X = ...`, `let x = ...`), nor a KQL keyword or function. It is a
 * linter, not a parser: strings, comments, numbers and timespans are skipped, member access on
 * dynamic values (`End.Pod`) is ignored, and hyphenated operators (`mv-expand`) are one token.
 */

/** A token of a KQL query. */
export interface KqlToken {
  kind: 'identifier' | 'number' | 'string' | 'operator';
  text: string;
  /** 1-based line of the token. */
  line: number;
}

/** An identifier the query uses that nothing defines. */
export interface UnknownReference {
  name: string;
  /** 1-based line of the first use. */
  line: number;
}

/** Tabular operators, clauses and literals. */
export const KQL_KEYWORDS: ReadonlySet<string> = new Set([
  'and',
  'as',
  'asc',
  'between',
  'by',
  'contains',
  'count',
  'desc',
  'distinct',
  'endswith',
  'extend',
  'false',
  'first',
  'has',
  'hasprefix',
  'in',
  'join',
  'kind',
  'last',
  'let',
  'limit',
  'matches',
  'mv-apply',
  'mv-expand',
  'make-series',
  'null',
  'nulls',
  'on',
  'or',
  'order',
  'project',
  'project-away',
  'project-keep',
  'project-rename',
  'project-reorder',
  'regex',
  'render',
  'sort',
  'startswith',
  'summarize',
  'take',
  'top',
  'true',
  'union',
  'where',
  'with',
  'timechart',
  'barchart',
  'columnchart',
  'piechart',
  'inner',
  'leftouter',
  'rightouter',
  'fullouter',
  'leftanti',
  'rightanti',
  'leftsemi',
  'innerunique',
]);

/** Scalar and aggregation functions the query pack may call. */
export const KQL_FUNCTIONS: ReadonlySet<string> = new Set([
  'ago',
  'any',
  'anyif',
  'arg_max',
  'arg_min',
  'array_length',
  'avg',
  'avgif',
  'bag_pack',
  'bin',
  'case',
  'coalesce',
  'count',
  'countif',
  'datetime',
  'dcount',
  'dcountif',
  'dynamic',
  'extract',
  'format_datetime',
  'hash',
  'iff',
  'iif',
  'ipv4_is_in_range',
  'ipv4_is_private',
  'isempty',
  'isnotempty',
  'isnotnull',
  'isnull',
  'make_bag',
  'make_list',
  'make_list_if',
  'make_set',
  'make_set_if',
  'max',
  'maxif',
  'min',
  'minif',
  'next',
  'not',
  'now',
  'pack',
  'pack_array',
  'parse_json',
  'percentile',
  'percentiles',
  'prev',
  'round',
  'set_has_element',
  'split',
  'startofday',
  'strcat',
  'strcat_array',
  'sum',
  'sumif',
  'take_any',
  'take_anyif',
  'timespan',
  'tobool',
  'todatetime',
  'todouble',
  'todynamic',
  'toint',
  'tolong',
  'tolower',
  'tostring',
  'toupper',
]);

const HYPHENATED =
  /^(?:mv-expand|mv-apply|make-series|project-away|project-keep|project-rename|project-reorder)\b/;
const NEGATED = /^!(?:in|has|contains|startswith|endswith)\b/;
const OPERATORS = [
  '==',
  '!=',
  '=~',
  '!~',
  '>=',
  '<=',
  '=',
  '<',
  '>',
  '|',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  '.',
  ';',
  '+',
  '-',
  '*',
  '/',
  '%',
  ':',
  '!',
];

/** Splits a query into tokens, dropping comments and whitespace. Never throws. */
export function tokenizeKql(text: string): KqlToken[] {
  const tokens: KqlToken[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const ch = text[i] as string;
    if (ch === '\n') {
      line += 1;
      i += 1;
      continue;
    }
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (rest.startsWith('//')) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
      continue;
    }
    const string =
      /^[hH]?@(?:"[^"\n]*"?|'[^'\n]*'?)/.exec(rest) ??
      /^[hH]?(?:"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?)/.exec(rest);
    if (string !== null && (ch === '"' || ch === "'" || /^[hH]?@?["']/.test(rest))) {
      tokens.push({ kind: 'string', text: string[0], line });
      i += string[0].length;
      continue;
    }
    const special = HYPHENATED.exec(rest) ?? NEGATED.exec(rest);
    if (special !== null) {
      tokens.push({ kind: 'identifier', text: special[0], line });
      i += special[0].length;
      continue;
    }
    const number = /^\d[\w.]*/.exec(rest);
    if (number !== null) {
      tokens.push({ kind: 'number', text: number[0], line });
      i += number[0].length;
      continue;
    }
    const identifier = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (identifier !== null) {
      tokens.push({ kind: 'identifier', text: identifier[0], line });
      i += identifier[0].length;
      continue;
    }
    const operator = OPERATORS.find((candidate) => rest.startsWith(candidate)) ?? ch;
    tokens.push({ kind: 'operator', text: operator, line });
    i += operator.length;
  }
  return tokens;
}

/** Names the query defines: `Name = ...` in extend/summarize/project/by, `let name = ...`, `mv-expand Name = ...`. */
export function definedNames(tokens: readonly KqlToken[]): Set<string> {
  const defined = new Set<string>();
  tokens.forEach((token, index) => {
    if (token.kind === 'identifier' && tokens[index + 1]?.text === '=') defined.add(token.text);
  });
  return defined;
}

/**
 * The identifiers `text` uses as columns that are not in `known` (columns and table names), not
 * defined by the query, and not KQL keywords or functions. Empty when the query is consistent.
 */
export function unknownKqlReferences(text: string, known: ReadonlySet<string>): UnknownReference[] {
  const tokens = tokenizeKql(text);
  const defined = definedNames(tokens);
  const unknown = new Map<string, number>();
  tokens.forEach((token, index) => {
    if (token.kind !== 'identifier') return;
    if (tokens[index - 1]?.text === '.') return;
    const name = token.text;
    if (known.has(name) || defined.has(name)) return;
    if (KQL_KEYWORDS.has(name) || NEGATED.test(name)) return;
    if (tokens[index + 1]?.text === '(' && KQL_FUNCTIONS.has(name)) return;
    if (!unknown.has(name)) unknown.set(name, token.line);
  });
  return [...unknown].map(([name, line]) => ({ name, line }));
}

/** The first tabular source of the query: the first identifier after the `let` statements. */
export function sourceTable(text: string): string | undefined {
  const tokens = tokenizeKql(text);
  let index = 0;
  while (tokens[index]?.text === 'let') {
    while (index < tokens.length && tokens[index]?.text !== ';') index += 1;
    index += 1;
  }
  const first = tokens[index];
  return first?.kind === 'identifier' ? first.text : undefined;
}
