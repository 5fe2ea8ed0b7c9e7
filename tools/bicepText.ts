/**
 * Just enough Bicep reading to keep the infrastructure consistent with the code without the Bicep
 * compiler (not installable here): comments and strings are masked, then declarations (`param`,
 * `resource`, `module`) and the keys of simple object literals are found by position and nesting.
 */

/** A `param` declaration. */
export interface BicepParam {
  name: string;
  type: string;
  /** True when the declaration has `= <default>`. */
  hasDefault: boolean;
}

/** A `resource` declaration. */
export interface BicepResource {
  symbol: string;
  type: string;
  apiVersion: string;
  existing: boolean;
}

/** A `module` declaration with the keys of its `params` object. */
export interface BicepModule {
  symbol: string;
  path: string;
  params: string[];
}

/** A bracket that does not close or closes the wrong opener. */
export interface BracketIssue {
  /** 1-based line. */
  line: number;
  message: string;
}

/**
 * Replaces comments with spaces and string contents with `_`, keeping line breaks and offsets, so
 * that later scans never see brackets or keywords inside strings or comments. Quotes are kept.
 */
export function maskBicep(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (text.startsWith("'''", i)) {
      const end = text.indexOf("'''", i + 3);
      const stop = end === -1 ? text.length : end + 3;
      out +=
        "'''" +
        text.slice(i + 3, Math.max(i + 3, stop - 3)).replace(/[^\n]/g, '_') +
        (end === -1 ? '' : "'''");
      i = stop;
    } else if (ch === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== "'" && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      out += "'" + text.slice(i + 1, j).replace(/[^\n]/g, '_') + (text[j] === "'" ? "'" : '');
      i = text[j] === "'" ? j + 1 : j;
    } else if (text.startsWith('//', i)) {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/** Unbalanced `{}`, `[]`, `()` and unterminated strings, with lines. Empty when balanced. */
export function bracketIssues(text: string): BracketIssue[] {
  const masked = maskBicep(text);
  const issues: BracketIssue[] = [];
  const pairs: Record<string, string> = { '}': '{', ']': '[', ')': '(' };
  const stack: { ch: string; offset: number }[] = [];
  masked.split('\n').forEach((line, index) => {
    if ((line.replace(/'''/g, '').match(/'/g)?.length ?? 0) % 2 === 1 && !line.includes("'''")) {
      issues.push({ line: index + 1, message: 'unterminated string' });
    }
  });
  for (let i = 0; i < masked.length; i++) {
    const ch = masked[i] as string;
    if (ch === '{' || ch === '[' || ch === '(') stack.push({ ch, offset: i });
    else if (ch in pairs) {
      const open = stack.pop();
      if (open?.ch !== pairs[ch])
        issues.push({
          line: lineAt(masked, i),
          message: `'${ch}' does not close '${open?.ch ?? 'nothing'}'`,
        });
    }
  }
  for (const open of stack)
    issues.push({ line: lineAt(masked, open.offset), message: `'${open.ch}' is never closed` });
  return issues;
}

/** Every `param` declaration. */
export function bicepParams(text: string): BicepParam[] {
  const masked = maskBicep(text);
  return [...masked.matchAll(/^param\s+(\w+)\s+(\w+)(\s*=)?/gm)].map((m) => ({
    name: m[1] as string,
    type: m[2] as string,
    hasDefault: m[3] !== undefined,
  }));
}

/** Every `resource` declaration with its type and API version. */
export function bicepResources(text: string): BicepResource[] {
  const masked = maskBicep(text);
  const resources: BicepResource[] = [];
  for (const m of masked.matchAll(/^\s*resource\s+(\w+)\s+'/gm)) {
    const start = (m.index ?? 0) + m[0].length;
    const literal = text.slice(start, text.indexOf("'", start));
    const [type = '', apiVersion = ''] = literal.split('@');
    const after = masked.slice(start + literal.length + 1, masked.indexOf('\n', start));
    resources.push({ symbol: m[1] as string, type, apiVersion, existing: /\bexisting\b/.test(after) });
  }
  return resources;
}

const KEY = /^\s*(?:'([^']*)'|(\w+))\s*:/;

/** The key at the start of the line beginning at `offset`, read from the unmasked text. */
function keyAt(text: string, masked: string, offset: number): string | undefined {
  const eol = masked.indexOf('\n', offset);
  const maskedLine = masked.slice(offset, eol === -1 ? masked.length : eol);
  if (!KEY.test(maskedLine)) return undefined;
  const key = KEY.exec(text.slice(offset, eol === -1 ? text.length : eol));
  return key === null ? undefined : (key[2] ?? key[1]);
}

/**
 * The top-level keys of the object literal whose `{` is at `openOffset` (`masked` is
 * `maskBicep(text)`).
 */
export function objectKeys(text: string, masked: string, openOffset: number): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = openOffset; i < masked.length; i++) {
    const ch = masked[i] as string;
    if (ch === '{' || ch === '[' || ch === '(') depth += 1;
    else if (ch === '}' || ch === ']' || ch === ')') {
      depth -= 1;
      if (depth === 0) break;
    } else if (ch === '\n' && depth === 1) {
      const key = keyAt(text, masked, i + 1);
      if (key !== undefined) keys.push(key);
    }
  }
  return keys;
}

/** Every `module` declaration with its path and the keys it passes in `params`. */
export function bicepModules(text: string): BicepModule[] {
  const masked = maskBicep(text);
  const modules: BicepModule[] = [];
  for (const m of masked.matchAll(/^module\s+(\w+)\s+'/gm)) {
    const start = (m.index ?? 0) + m[0].length;
    const modulePath = text.slice(start, text.indexOf("'", start));
    const body = masked.indexOf('{', start);
    const paramsAt = /params:\s*\{/.exec(masked.slice(body));
    const params =
      paramsAt === null ? [] : objectKeys(text, masked, body + paramsAt.index + paramsAt[0].length - 1);
    modules.push({ symbol: m[1] as string, path: modulePath, params });
  }
  return modules;
}

/**
 * The object keys declared between the lines `// <marker>:begin` and `// <marker>:end`, in order.
 * Undefined when the markers are missing.
 */
export function keysBetweenMarkers(text: string, marker: string): string[] | undefined {
  const begin = text.indexOf(`// ${marker}:begin`);
  const end = text.indexOf(`// ${marker}:end`);
  if (begin === -1 || end === -1 || end < begin) return undefined;
  const masked = maskBicep(text);
  const keys: string[] = [];
  for (let offset = begin; offset < end; offset = masked.indexOf('\n', offset) + 1) {
    const key = keyAt(text, masked, offset);
    if (key !== undefined) keys.push(key);
    if (masked.indexOf('\n', offset) === -1) break;
  }
  return keys;
}
