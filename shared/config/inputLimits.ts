/**
 * Bounds on outside input (manifests, request bodies, identity snapshots) checked before and after
 * parsing, so no text can exhaust the stack, the heap or the CPU of the parser that reads it.
 *
 * Why before parsing: on Node 20 a YAML or JSON text nested a few hundred levels deep makes the
 * `yaml` parser recurse until V8 runs out of stack while compiling a regular expression, which is
 * a fatal "RegExpCompiler Allocation failed" (the process dies; nothing can catch it). Measuring
 * the nesting with a flat scan first keeps such text away from every recursive parser.
 */
import { TraceError } from '../errors';

/** Limits applied to one outside text and to the values parsed from it. */
export interface InputLimits {
  /** Largest text, in UTF-8 bytes. Default 1 MiB. */
  maxBytes: number;
  /** Deepest nesting of collections (flow brackets plus block indentation levels). Default 64. */
  maxDepth: number;
  /** Most YAML documents in one text. Default 100. */
  maxDocuments: number;
  /** YAML alias expansion bound passed to `toJS({ maxAliasCount })`. Default 100. */
  maxAliasCount: number;
  /** Longest string value or key, in characters. Default 4 096. */
  maxStringLength: number;
}

/** The default {@link InputLimits}: far above any honest TraceConfiguration. */
export const DEFAULT_INPUT_LIMITS: Readonly<InputLimits> = Object.freeze({
  maxBytes: 1024 * 1024,
  maxDepth: 64,
  maxDocuments: 100,
  maxAliasCount: 100,
  maxStringLength: 4096,
});

/** Which limit an input broke, as a stable code. */
export type InputLimitCode =
  | 'INPUT_TOO_LARGE'
  | 'INPUT_TOO_DEEP'
  | 'TOO_MANY_DOCUMENTS'
  | 'ALIAS_EXPANSION_TOO_LARGE'
  | 'STRING_TOO_LONG';

/** Raised (or returned) when an input breaks one of the {@link InputLimits}. */
export class InputLimitError extends TraceError {
  constructor(
    readonly limitCode: InputLimitCode,
    message: string,
  ) {
    super(limitCode, message);
  }
}

const OPENERS = new Set(['[', '{']);
const CLOSERS = new Set([']', '}']);
/** Characters after which a quote opens a quoted scalar (otherwise it is part of a plain scalar). */
const QUOTE_MAY_OPEN_AFTER = new Set([' ', '\t', '\n', '\r', '[', '{', ',', ':', '-', '?', '']);

/**
 * An upper estimate of how deeply a YAML or JSON text nests collections, found in one flat pass:
 * flow brackets outside quoted scalars and comments, plus, per line, the indentation (halved: one
 * level needs at least one column, honest files use two) and the chain of `- `, `? `, `: `
 * indicators that open compact nested block collections. It may overestimate (brackets inside a
 * block scalar count), never underestimates by more than a factor of two.
 */
export function estimateNestingDepth(text: string): number {
  let deepest = 0;
  let flow = 0;
  let quote: '"' | "'" | undefined;
  let comment = false;
  let lineStart = true;
  let previous = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      comment = false;
      lineStart = true;
      previous = c;
      continue;
    }
    if (comment) continue;
    if (quote !== undefined) {
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) quote = undefined;
      previous = c;
      continue;
    }
    if (lineStart) {
      lineStart = false;
      let indent = 0;
      let j = i;
      while (text[j] === ' ') {
        indent++;
        j++;
      }
      let chain = 0;
      while (
        (text[j] === '-' || text[j] === '?' || text[j] === ':') &&
        (text[j + 1] === ' ' || text[j + 1] === '\t')
      ) {
        chain++;
        j += 2;
        while (text[j] === ' ') j++;
      }
      deepest = Math.max(deepest, flow + Math.ceil(indent / 2) + chain);
      if (j > i) {
        i = j - 1;
        previous = ' ';
        continue;
      }
    }
    if (c === '#' && (previous === ' ' || previous === '\t' || previous === '\n' || previous === '')) {
      comment = true;
    } else if ((c === '"' || c === "'") && QUOTE_MAY_OPEN_AFTER.has(previous)) {
      quote = c;
    } else if (OPENERS.has(c)) {
      flow++;
      deepest = Math.max(deepest, flow);
    } else if (CLOSERS.has(c)) {
      flow = Math.max(0, flow - 1);
    }
    previous = c;
  }
  return deepest;
}

/**
 * Checks a text's size and nesting before any parser sees it. Returns the broken limit, or
 * `undefined` when the text may be parsed. `what` names the input in the message.
 */
export function checkTextLimits(
  text: string,
  what: string,
  limits: Readonly<InputLimits> = DEFAULT_INPUT_LIMITS,
): InputLimitError | undefined {
  // Cheap bound first: UTF-8 takes at least one byte per UTF-16 unit.
  const bytes = text.length > limits.maxBytes ? Buffer.byteLength(text, 'utf8') : text.length;
  if (bytes > limits.maxBytes) {
    return new InputLimitError(
      'INPUT_TOO_LARGE',
      `${what} is ${bytes} bytes; the limit is ${limits.maxBytes} bytes`,
    );
  }
  const depth = estimateNestingDepth(text);
  if (depth > limits.maxDepth) {
    return new InputLimitError(
      'INPUT_TOO_DEEP',
      `${what} nests collections about ${depth} levels deep; the limit is ${limits.maxDepth} levels`,
    );
  }
  return undefined;
}

/** A problem found in a parsed value, with the path of the offending string. */
export interface ValueLimitProblem {
  error: InputLimitError;
  segments: (string | number)[];
}

/**
 * Checks a parsed value (iteratively, no recursion): depth and the length of every string and
 * key. Returns the first problem, or `undefined`.
 */
export function checkValueLimits(
  value: unknown,
  limits: Readonly<InputLimits> = DEFAULT_INPUT_LIMITS,
): ValueLimitProblem | undefined {
  const stack: { value: unknown; segments: (string | number)[] }[] = [{ value, segments: [] }];
  while (stack.length > 0) {
    const { value: current, segments } = stack.pop()!;
    if (segments.length > limits.maxDepth) {
      return {
        segments: segments.slice(0, limits.maxDepth),
        error: new InputLimitError('INPUT_TOO_DEEP', `nests deeper than ${limits.maxDepth} levels`),
      };
    }
    if (typeof current === 'string') {
      if (current.length > limits.maxStringLength) {
        return {
          segments,
          error: new InputLimitError(
            'STRING_TOO_LONG',
            `is a string of ${current.length} characters; the limit is ${limits.maxStringLength} (the value is not shown)`,
          ),
        };
      }
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => stack.push({ value: item, segments: [...segments, index] }));
    } else if (typeof current === 'object' && current !== null) {
      for (const [key, item] of Object.entries(current)) {
        if (key.length > limits.maxStringLength) {
          return {
            segments,
            error: new InputLimitError(
              'STRING_TOO_LONG',
              `has a key of ${key.length} characters; the limit is ${limits.maxStringLength}`,
            ),
          };
        }
        stack.push({ value: item, segments: [...segments, key] });
      }
    }
  }
  return undefined;
}

/**
 * `JSON.parse` behind {@link checkTextLimits} and {@link checkValueLimits}: resolves to the value
 * or to the broken limit / syntax error, never throws.
 */
export function parseJsonWithin(
  text: string,
  what: string,
  limits: Readonly<InputLimits> = DEFAULT_INPUT_LIMITS,
): { ok: true; value: unknown } | { ok: false; error: InputLimitError | SyntaxError; path?: string } {
  const textProblem = checkTextLimits(text, what, limits);
  if (textProblem !== undefined) return { ok: false, error: textProblem };
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (caught) {
    return { ok: false, error: new SyntaxError(`${what} is not JSON: ${(caught as Error).message}`) };
  }
  const valueProblem = checkValueLimits(value, limits);
  if (valueProblem !== undefined) {
    const path = valueProblem.segments
      .map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`))
      .join('')
      .replace(/^\./, '');
    return { ok: false, error: valueProblem.error, path };
  }
  return { ok: true, value };
}
