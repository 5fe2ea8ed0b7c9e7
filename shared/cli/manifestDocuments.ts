import { LineCounter, parseAllDocuments } from 'yaml';
import { errorMessage } from '../errors';
import { checkTextLimits, DEFAULT_INPUT_LIMITS } from '../config/inputLimits';
import { yamlDocumentValue } from '../config/yamlDocumentValue';
import type { CommandIo } from './command';
import { expandManifestLists } from './manifestList';
import { manifestSources } from './manifestSources';

/** One manifest read from a `-f` argument, with where it came from. */
export interface ManifestDocumentValue {
  /** `file document N` (and `item M` for a List item), for messages. */
  where: string;
  manifest: Record<string, unknown>;
}

/**
 * Reads every `-f` argument (file, directory or `-`) into manifest objects, `kind: List` expanded
 * into its items. Throws an Error naming the file when one cannot be read or holds broken YAML.
 */
export async function readManifestDocuments(
  files: readonly string[],
  io: CommandIo,
): Promise<ManifestDocumentValue[]> {
  const result: ManifestDocumentValue[] = [];
  for (const arg of files) {
    for (const source of await manifestSources(arg, io)) {
      let text: string;
      try {
        text = await source.read();
      } catch (caught) {
        throw new Error(`cannot read ${source.display}: ${errorMessage(caught)}`);
      }
      // Bounded before any YAML parser sees it (size, nesting: deep text crashes the parser on Node 20).
      const tooLarge = checkTextLimits(text, source.display);
      if (tooLarge !== undefined) throw new Error(tooLarge.message);
      for (const document of expandManifestLists(text)) {
        const lines = new LineCounter();
        const parsed = parseAllDocuments(document.text, { lineCounter: lines, logLevel: 'error' });
        for (const [index, doc] of (Array.isArray(parsed) ? parsed : []).entries()) {
          const number = document.item === undefined ? index + document.document : document.document;
          const where = `${source.display} document ${number}${document.item === undefined ? '' : ` item ${document.item + 1}`}`;
          if (doc.errors.length > 0) throw new Error(`${where}: ${doc.errors[0]!.message.split('\n')[0]}`);
          const parsedValue = yamlDocumentValue(doc, DEFAULT_INPUT_LIMITS.maxAliasCount);
          if (!parsedValue.ok) {
            if (parsedValue.kind === 'alias-expansion') throw new Error(`${where}: ${parsedValue.message}`);
            const { line, col } = lines.linePos(parsedValue.offset);
            throw new Error(`${where} line ${line} column ${col}: ${parsedValue.message}`);
          }
          const value = parsedValue.value;
          if (value === null || value === undefined) continue;
          if (typeof value !== 'object' || Array.isArray(value))
            throw new Error(`${where}: not a manifest (a YAML mapping)`);
          result.push({ where, manifest: value as Record<string, unknown> });
        }
      }
    }
  }
  return result;
}
