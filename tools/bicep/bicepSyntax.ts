import { readFileSync } from 'node:fs';
import { Language, Parser } from 'web-tree-sitter';
import type { Node } from 'web-tree-sitter';

/**
 * The Bicep syntax tree the type checker works on: declarations and expressions, each with the
 * 1-based line it starts on. Built from tree-sitter-bicep's concrete syntax tree (the grammar
 * ships as WebAssembly, so nothing is compiled at install time).
 */
export type BicepExpr =
  | { kind: 'string'; line: number; parts: (string | BicepExpr)[] }
  | { kind: 'number'; line: number; value: number }
  | { kind: 'boolean'; line: number; value: boolean }
  | { kind: 'null'; line: number }
  | { kind: 'object'; line: number; properties: BicepProperty[] }
  | { kind: 'array'; line: number; items: BicepExpr[] }
  | { kind: 'reference'; line: number; name: string }
  | { kind: 'member'; line: number; object: BicepExpr; property: string }
  | { kind: 'index'; line: number; object: BicepExpr; index: BicepExpr }
  | { kind: 'call'; line: number; callee: string; args: BicepExpr[] }
  | { kind: 'ternary'; line: number; condition: BicepExpr; then: BicepExpr; otherwise: BicepExpr }
  | { kind: 'binary'; line: number; operator: string; left: BicepExpr; right: BicepExpr }
  | { kind: 'unary'; line: number; operator: string; argument: BicepExpr }
  | { kind: 'for'; line: number; variable: string; source: BicepExpr; body: BicepExpr }
  | { kind: 'if'; line: number; condition: BicepExpr; body: BicepExpr };

/** One `key: value` of an object literal. */
export interface BicepProperty {
  key: string;
  /** The key's expression when it is an interpolated string (`'${streamName}': ...`). */
  keyExpr?: BicepExpr;
  line: number;
  value: BicepExpr;
}

/** A decorator such as `@allowed([...])` or `@maxLength(24)`. */
export interface BicepDecorator {
  name: string;
  args: BicepExpr[];
}

/** A `param`, `var`, `output`, `resource` or `module` statement. */
export type BicepDeclaration =
  | {
      kind: 'param';
      name: string;
      line: number;
      type: string;
      value?: BicepExpr;
      decorators: BicepDecorator[];
    }
  | { kind: 'var'; name: string; line: number; value: BicepExpr }
  | { kind: 'output'; name: string; line: number; type: string; value: BicepExpr }
  | {
      kind: 'resource';
      name: string;
      line: number;
      /** `Microsoft.X/y@api-version` as written. */
      typeReference: string;
      existing: boolean;
      value: BicepExpr;
    }
  | { kind: 'module'; name: string; line: number; path: string; value: BicepExpr };

/** A parsed file: its declarations, line comments by line, and the syntax errors found. */
export interface BicepFile {
  declarations: BicepDeclaration[];
  /** Text of every `//` comment, keyed by its 1-based line. */
  comments: Map<number, string>;
  syntaxErrors: { line: number; text: string }[];
}

let parserPromise: Promise<Parser> | undefined;

/** The tree-sitter parser for Bicep, initialised once per process. */
function bicepParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    await Parser.init();
    const wasm = readFileSync(require.resolve('tree-sitter-bicep/tree-sitter-bicep.wasm'));
    const language = await Language.load(wasm);
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return parserPromise;
}

/** Parses Bicep source text. Syntax errors are reported, never thrown. */
export async function parseBicep(source: string): Promise<BicepFile> {
  const parser = await bicepParser();
  const tree = parser.parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree');
  const file: BicepFile = { declarations: [], comments: new Map(), syntaxErrors: [] };
  collectErrorsAndComments(tree.rootNode, file);
  let decorators: BicepDecorator[] = [];
  for (const node of named(tree.rootNode)) {
    if (node.type === 'decorators') {
      decorators = named(node).map(toDecorator);
      continue;
    }
    const declaration = toDeclaration(node, decorators);
    if (declaration) file.declarations.push(declaration);
    if (node.type !== 'comment') decorators = [];
  }
  tree.delete();
  return file;
}

function collectErrorsAndComments(node: Node, file: BicepFile): void {
  if (node.type === 'comment') {
    file.comments.set(lineOf(node), node.text.replace(/^\/\/\s?/, ''));
  }
  if (node.isError || node.isMissing) {
    file.syntaxErrors.push({ line: lineOf(node), text: node.text.slice(0, 60) || node.type });
    return;
  }
  for (const child of node.children) if (child) collectErrorsAndComments(child, file);
}

function named(node: Node): Node[] {
  return node.namedChildren.filter((child): child is Node => child !== null && child.type !== 'comment');
}

function lineOf(node: Node): number {
  return node.startPosition.row + 1;
}

function toDecorator(node: Node): BicepDecorator {
  const call = named(node)[0];
  const expr = call ? toExpr(call) : undefined;
  if (expr?.kind === 'call') return { name: expr.callee, args: expr.args };
  return { name: node.text.replace(/^@/, ''), args: [] };
}

function toDeclaration(node: Node, decorators: BicepDecorator[]): BicepDeclaration | undefined {
  const children = named(node);
  const name = children[0]?.text ?? '';
  const line = lineOf(node);
  switch (node.type) {
    case 'parameter_declaration': {
      const value = children[2];
      return {
        kind: 'param',
        name,
        line,
        type: children[1]?.text ?? '',
        decorators,
        ...(value ? { value: toExpr(value) } : {}),
      };
    }
    case 'variable_declaration':
      return { kind: 'var', name, line, value: toExprOrNull(children[1], line) };
    case 'output_declaration':
      return {
        kind: 'output',
        name,
        line,
        type: children[1]?.text ?? '',
        value: toExprOrNull(children[2], line),
      };
    case 'resource_declaration':
      return {
        kind: 'resource',
        name,
        line,
        typeReference: stringLiteral(children[1]),
        existing: node.children.some((child) => child?.type === 'existing'),
        value: toExprOrNull(children[2], line),
      };
    case 'module_declaration':
      return {
        kind: 'module',
        name,
        line,
        path: stringLiteral(children[1]),
        value: toExprOrNull(children[2], line),
      };
    default:
      return undefined;
  }
}

function stringLiteral(node: Node | undefined): string {
  const expr = node ? toExpr(node) : undefined;
  return expr?.kind === 'string' ? expr.parts.filter((part) => typeof part === 'string').join('') : '';
}

function toExprOrNull(node: Node | undefined, line: number): BicepExpr {
  return node ? toExpr(node) : { kind: 'null', line };
}

/** Converts one expression node; anything outside the subset becomes `null` at its line. */
export function toExpr(node: Node): BicepExpr {
  const line = lineOf(node);
  const children = named(node);
  const field = (name: string): BicepExpr => toExprOrNull(node.childForFieldName(name) ?? undefined, line);
  switch (node.type) {
    case 'string':
      return { kind: 'string', line, parts: stringParts(node) };
    case 'number':
      return { kind: 'number', line, value: Number(node.text) };
    case 'boolean':
      return { kind: 'boolean', line, value: node.text === 'true' };
    case 'object':
      return {
        kind: 'object',
        line,
        properties: children
          .filter((child) => child.type === 'object_property')
          .map((property) => {
            const [key, value] = named(property);
            const keyExpr = key ? toExpr(key) : undefined;
            const keyText =
              keyExpr?.kind === 'string'
                ? keyExpr.parts.map((part) => (typeof part === 'string' ? part : '${…}')).join('')
                : (key?.text ?? '');
            const interpolated =
              keyExpr?.kind === 'string' && keyExpr.parts.some((part) => typeof part !== 'string');
            return {
              key: keyText,
              ...(interpolated ? { keyExpr } : {}),
              line: lineOf(property),
              value: toExprOrNull(value, lineOf(property)),
            };
          }),
      };
    case 'array':
      return {
        kind: 'array',
        line,
        items: children.filter((child) => child.type !== 'decorators').map(toExpr),
      };
    case 'identifier':
    case 'compatible_identifier':
      return { kind: 'reference', line, name: node.text };
    case 'member_expression':
      return {
        kind: 'member',
        line,
        object: field('object'),
        property: node.childForFieldName('property')?.text ?? '',
      };
    case 'subscript_expression':
      return { kind: 'index', line, object: field('object'), index: field('index') };
    case 'call_expression': {
      const args = node.childForFieldName('arguments');
      return {
        kind: 'call',
        line,
        callee: node.childForFieldName('function')?.text ?? '',
        args: args ? named(args).map(toExpr) : [],
      };
    }
    case 'ternary_expression':
      return {
        kind: 'ternary',
        line,
        condition: field('condition'),
        then: field('consequence'),
        otherwise: field('alternative'),
      };
    case 'binary_expression':
      return {
        kind: 'binary',
        line,
        operator: node.childForFieldName('operator')?.text ?? '',
        left: field('left'),
        right: field('right'),
      };
    case 'unary_expression':
      return {
        kind: 'unary',
        line,
        operator: node.childForFieldName('operator')?.text ?? '',
        argument: field('argument'),
      };
    case 'parenthesized_expression':
      return children[0] ? toExpr(children[0]) : { kind: 'null', line };
    case 'for_statement': {
      const initializer = node.childForFieldName('initializer');
      const parameters = children.find((child) => child.type === 'for_loop_parameters');
      const body = node.childForFieldName('body');
      const variable = parameters ? (named(parameters)[0]?.text ?? '') : (initializer?.text ?? '');
      const source = children.find(
        (child) => child.id !== initializer?.id && child.id !== parameters?.id && child.id !== body?.id,
      );
      return { kind: 'for', line, variable, source: toExprOrNull(source, line), body: field('body') };
    }
    case 'if_statement':
      return {
        kind: 'if',
        line,
        condition: toExprOrNull(children[0], line),
        body: toExprOrNull(children[1], line),
      };
    default:
      return { kind: 'null', line };
  }
}

function stringParts(node: Node): (string | BicepExpr)[] {
  const parts: (string | BicepExpr)[] = [];
  for (const child of named(node)) {
    if (child.type === 'interpolation') {
      const inner = named(child)[0];
      parts.push(toExprOrNull(inner, lineOf(child)));
    } else if (child.type === 'escape_sequence') {
      parts.push(unescape(child.text));
    } else {
      parts.push(child.text);
    }
  }
  return parts;
}

function unescape(sequence: string): string {
  const escapes: Record<string, string> = {
    "\\'": "'",
    '\\\\': '\\',
    '\\n': '\n',
    '\\r': '\r',
    '\\t': '\t',
    '\\$': '$',
  };
  return escapes[sequence] ?? sequence;
}
