/**
 * Azure Functions HTTP route templates (`traceconfigurations/{namespace?}/{name?}`), matched the
 * way the host does for the subset we use: literal segments, `{param}`, optional `{param?}`
 * (only at the end), and constraints `{param:int}` / `{param:alpha}`. Other constraints are ignored.
 */

interface Segment {
  literal?: string;
  param?: string;
  optional?: boolean;
  constraint?: string;
}

/** A compiled route template. */
export interface RouteTemplate {
  template: string;
  /** Route parameters when `path` (without `/api/`) matches, else undefined. */
  match(path: string): Record<string, string> | undefined;
}

function parseSegment(text: string): Segment {
  const param = /^\{([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]+))?(\?)?\}$/.exec(text);
  if (param === null) return { literal: text.toLowerCase() };
  const segment: Segment = { param: param[1]!, optional: param[3] === '?' };
  if (param[2] !== undefined) segment.constraint = param[2];
  return segment;
}

function satisfies(constraint: string | undefined, value: string): boolean {
  if (constraint === 'int') return /^-?\d+$/.test(value);
  if (constraint === 'alpha') return /^[A-Za-z]+$/.test(value);
  return true;
}

/** Compiles a route template. */
export function compileRouteTemplate(template: string): RouteTemplate {
  const segments = template.split('/').filter((s) => s !== '').map(parseSegment);
  return {
    template,
    match(path: string) {
      const parts = path.split('/').filter((s) => s !== '');
      if (parts.length > segments.length) return undefined;
      const params: Record<string, string> = {};
      for (const [index, segment] of segments.entries()) {
        const part = parts[index];
        if (part === undefined) {
          if (segment.param !== undefined && segment.optional === true) continue;
          return undefined;
        }
        if (segment.literal !== undefined) {
          if (part.toLowerCase() !== segment.literal) return undefined;
          continue;
        }
        let value: string;
        try {
          value = decodeURIComponent(part);
        } catch {
          return undefined;
        }
        if (!satisfies(segment.constraint, value)) return undefined;
        params[segment.param!] = value;
      }
      return params;
    },
  };
}
