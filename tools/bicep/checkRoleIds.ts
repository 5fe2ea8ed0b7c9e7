import type { BicepExpr, BicepFile } from './bicepSyntax';
import type { BicepIssue } from './bicepValue';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Every role definition id written in a Bicep file must carry, on its line, a comment naming the
 * role (`'3913510d-…' // Monitoring Metrics Publisher`), and that name must be the one Azure gives
 * the id. A GUID pasted from the wrong row, or one that is not a known built-in role, is reported.
 */
export function checkRoleIds(
  file: string,
  parsed: BicepFile,
  roles: Readonly<Record<string, string>>,
): BicepIssue[] {
  const issues: BicepIssue[] = [];
  for (const declaration of parsed.declarations) {
    const value = declaration.value;
    if (!value) continue;
    for (const literal of guidLiterals(value)) {
      const comment = parsed.comments.get(literal.line)?.trim();
      const actual = roles[literal.value.toLowerCase()];
      if (!actual) {
        issues.push({
          file,
          line: literal.line,
          message: `'${literal.value}' is not a known built-in role id (tools/bicep/builtInRoles.ts)`,
        });
      } else if (!comment) {
        issues.push({
          file,
          line: literal.line,
          message: `role id '${literal.value}' has no comment naming its role (${actual})`,
        });
      } else if (comment !== actual) {
        issues.push({
          file,
          line: literal.line,
          message: `role id '${literal.value}' is '${actual}', but its comment says '${comment}'`,
        });
      }
    }
  }
  return issues;
}

function guidLiterals(expr: BicepExpr): { value: string; line: number }[] {
  switch (expr.kind) {
    case 'string': {
      const text = expr.parts.every((part) => typeof part === 'string') ? expr.parts.join('') : undefined;
      return text !== undefined && GUID.test(text) ? [{ value: text, line: expr.line }] : [];
    }
    case 'object':
      return expr.properties.flatMap((property) => guidLiterals(property.value));
    case 'array':
      return expr.items.flatMap(guidLiterals);
    case 'call':
      return expr.args.flatMap(guidLiterals);
    case 'member':
      return guidLiterals(expr.object);
    case 'index':
      return [...guidLiterals(expr.object), ...guidLiterals(expr.index)];
    case 'ternary':
      return [...guidLiterals(expr.condition), ...guidLiterals(expr.then), ...guidLiterals(expr.otherwise)];
    case 'binary':
      return [...guidLiterals(expr.left), ...guidLiterals(expr.right)];
    case 'unary':
      return guidLiterals(expr.argument);
    case 'for':
      return [...guidLiterals(expr.source), ...guidLiterals(expr.body)];
    case 'if':
      return [...guidLiterals(expr.condition), ...guidLiterals(expr.body)];
    case 'number':
    case 'boolean':
    case 'null':
    case 'reference':
      return [];
  }
}
