/**
 * The JavaScript value of one parsed YAML document, or why it has none, without throwing: the
 * `yaml` package throws from `toJS` for an alias whose anchor does not come before it and for
 * aliases that expand beyond `maxAliasCount`, and one such document must not take the others of
 * its file down with it.
 */
import { visit, type Alias, type Document } from 'yaml';

/** {@link yamlDocumentValue}'s answer. */
export type YamlDocumentValue =
  | { ok: true; value: unknown }
  /** An alias (`*name`) with no anchor (`&name`) before it; `offset` is where the alias is. */
  | { ok: false; kind: 'unresolved-alias'; message: string; offset: number }
  /** Aliases expanding beyond the bound (a "billion laughs"). */
  | { ok: false; kind: 'alias-expansion'; message: string };

/** `doc` as a plain value (`toJS`), aliases expanded at most `maxAliasCount` times. */
export function yamlDocumentValue(doc: Document, maxAliasCount: number): YamlDocumentValue {
  let unresolved: Alias | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (node.resolve(doc) !== undefined) return undefined;
      unresolved = node;
      return visit.BREAK;
    },
  });
  if (unresolved !== undefined) {
    const name = unresolved.source;
    return {
      ok: false,
      kind: 'unresolved-alias',
      message: `alias *${name} refers to no anchor: an anchor &${name} must come before it in the same document`,
      offset: unresolved.range?.[0] ?? 0,
    };
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount }) };
  } catch (caught) {
    const reason = caught instanceof Error ? caught.message : String(caught);
    return {
      ok: false,
      kind: 'alias-expansion',
      message: `YAML aliases expand too much (${reason}); the limit is maxAliasCount ${maxAliasCount}`,
    };
  }
}
