/** `tracectl validate`: checks TraceConfiguration manifests offline (docs/cli.md). */
import { parseTraceConfigurations, type DocumentResult } from '../../config';
import { errorMessage } from '../../errors';
import { connectionPolicyFromEnvironment } from '../../config/connectionPolicy';
import { checkTextLimits } from '../../config/inputLimits';
import { UsageError, type Command, type CommandIo, type CommandOptions } from '../command';
import { parseCommandArgs } from '../run';
import { manifestSources, type ManifestSource } from '../manifestSources';
import { expandManifestLists } from '../manifestList';
import { formatTextReport, toJsonResult } from './validateReport';

const HELP = `Usage: tracectl validate -f FILE [-f FILE ...] [-o text|json]

Validates TraceConfiguration manifests (both the documented form, kind TraceConfiguration, and the
upstream CRD form, kind TracesConfiguration) without a cluster. A kind: List (what \`tracectl get
-o yaml\` prints) is validated item by item. Prints one result per YAML document:
Accepted, Warning (accepted, but something deserves a look) or Errored, with every problem's
file:line:column and field path.

Options:
  -f, --file FILE   A YAML file, a directory (its *.yaml and *.yml files), or - for stdin. Repeatable.
  -o, --output FMT  text (default) or json (an array of {file, document, apiVersion, kind, namespace,
                    name, state, reason, warnings[], errors[]}).
  -h, --help        This help.

Exit status: 0 nothing Errored, 1 at least one document Errored, 2 usage error or unreadable file.

Example:
  tracectl validate -f samples/ -f extra/trace.yaml -o json
`;

/** The options of the command (checked before it runs; offered by shell completion). */
const OPTIONS = {
  file: { type: 'string', short: 'f', multiple: true },
  output: { type: 'string', short: 'o', default: 'text' },
} satisfies CommandOptions;

async function run(args: string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandArgs(args, OPTIONS, false);
  const files = values.file ?? [];
  if (files.length === 0) throw new UsageError('at least one -f FILE is required');
  if (values.output !== 'text' && values.output !== 'json') {
    throw new UsageError(`-o must be text or json, got "${values.output}"`);
  }
  if (files.filter((file) => file === '-').length > 1)
    throw new UsageError('-f - (stdin) can be given only once');

  // Connections beyond TRACES_* are those the operator lists in TRACE_OUTPUT_CONNECTIONS.
  const policy = connectionPolicyFromEnvironment(io.env);
  const results: DocumentResult[] = [];
  let unreadable = false;
  for (const arg of files) {
    let sources: ManifestSource[];
    try {
      sources = await manifestSources(arg, io);
    } catch (caught) {
      io.stderr(`tracectl validate: cannot read ${arg}: ${errorMessage(caught)}\n`);
      unreadable = true;
      continue;
    }
    for (const source of sources) {
      let text: string;
      try {
        text = await source.read();
      } catch (caught) {
        io.stderr(`tracectl validate: cannot read ${source.display}: ${errorMessage(caught)}\n`);
        unreadable = true;
        continue;
      }
      const options = { fileName: source.display, connectionPolicy: policy };
      // Text over the input limits goes straight to the validator, which reports the limit it breaks.
      const pieces =
        checkTextLimits(text, source.display) === undefined ? expandManifestLists(text) : [{ text, document: 1 }];
      const documents = pieces.flatMap((document: { text: string; document: number; item?: number }) =>
        parseTraceConfigurations(document.text, options).map((result) =>
          document.item === undefined ? result : { ...result, document: document.document },
        ),
      );
      if (documents.length === 0) io.stderr(`tracectl validate: ${source.display} has no YAML documents\n`);
      results.push(...documents);
    }
  }

  if (values.output === 'json') io.stdout(`${JSON.stringify(results.map(toJsonResult), null, 2)}\n`);
  else io.stdout(formatTextReport(results, io.stdoutIsTty === true));
  if (unreadable) return 2;
  return results.some((result) => result.state === 'Errored') ? 1 : 0;
}

/** `tracectl validate -f FILE [-f FILE ...] [-o text|json]`. */
export const validateCommand: Command = {
  options: OPTIONS,
  name: 'validate',
  summary:
    'Check TraceConfiguration manifests (both spellings) and show every problem with file:line:column.',
  help: HELP,
  run,
};
