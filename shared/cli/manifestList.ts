import { LineCounter, isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';

/** One manifest document of a file, ready to parse on its own. */
export interface ManifestDocument {
  /**
   * The document's text, padded with blank lines and spaces so that every line and column in it is
   * the line and column in the original file (errors keep pointing at the right place).
   */
  text: string;
  /** 1-based index of the YAML document in the file. */
  document: number;
  /** 0-based index in `items` when the document is a `kind: List`. */
  item?: number;
}

/**
 * Splits a manifest file into its documents, expanding each `kind: List` (what `kubectl get -o yaml`
 * and `tracectl get -o yaml` print) into its items. A file without a List is returned whole, as
 * one entry, so parsers see exactly the original text.
 */
export function expandManifestLists(text: string): ManifestDocument[] {
  const lines = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, logLevel: 'error' });
  const list = Array.isArray(documents) ? documents : [];
  // Read from the node, not toJS(): a document with a broken alias is the parsers' to report, not
  // a reason to fail here (toJS throws for it).
  const isList = list.map(
    (doc) => doc.errors.length === 0 && isMap(doc.contents) && isListKind(doc.contents.get('kind', true)),
  );
  if (!isList.includes(true)) return [{ text, document: 1 }];
  const padded = (start: number, end: number): string => {
    const { line, col } = lines.linePos(start);
    return `${'\n'.repeat(line - 1)}${' '.repeat(col - 1)}${text.slice(start, end)}\n`;
  };
  const result: ManifestDocument[] = [];
  list.forEach((doc, index) => {
    if (!isList[index]) {
      const [start, , end] = doc.range;
      result.push({ text: padded(start, end), document: index + 1 });
      return;
    }
    const items = isMap(doc.contents) ? doc.contents.get('items', true) : undefined;
    if (!isSeq(items)) return; // a List without items holds nothing to apply
    items.items.forEach((item, itemIndex) => {
      const range = (item as { range?: [number, number, number] }).range;
      if (range) result.push({ text: padded(range[0], range[2]), document: index + 1, item: itemIndex });
    });
  });
  return result;
}

/** True for the scalar `List` (as `kind:` of a `kubectl get -o yaml` list). */
function isListKind(node: unknown): boolean {
  return isScalar(node) && node.value === 'List';
}
