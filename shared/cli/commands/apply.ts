import { parseAllDocuments } from 'yaml';
import { UsageError, type Command, type CommandOptions } from '../command';
import { parseCommandArgs } from '../run';
import { backendOptions, callBackend, describeProblem } from '../backendClient';
import { manifestSources, type ManifestSource } from '../manifestSources';
import { errorMessage } from '../../errors';

const HELP = `Usage: tracectl apply -f FILE|DIR|- [-f ...] [--server URL] [--key KEY]

Creates or updates TraceConfigurations in the backend through its HTTP API
(PUT /api/traceconfigurations/{namespace}/{name}). Every YAML document is sent on its own.

Options:
  -f, --file FILE   manifest file (YAML, several documents allowed), a directory (its .yaml and
                    .yml files) or - for standard input; repeatable
      --server URL  backend base URL (default $TRACECTL_SERVER or http://127.0.0.1:7071)
      --key KEY     function key (default $TRACECTL_FUNCTION_KEY)

Exit status: 0 all accepted, 1 any document rejected, 2 usage error, unreadable file or
unreachable backend.`;

/** The options of the command (checked before it runs; offered by shell completion). */
const OPTIONS = {
    file: { type: 'string', short: 'f', multiple: true },
    server: { type: 'string' },
    key: { type: 'string' },
  } satisfies CommandOptions;

/** `tracectl apply`: PUTs each document of each file to the backend. */
export const applyCommand: Command = {
  options: OPTIONS,
  name: 'apply',
  summary: 'create or update TraceConfigurations in the backend',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(
      args,
      OPTIONS,
      false,
    );
    const files = values.file ?? [];
    if (files.length === 0) throw new UsageError('at least one -f FILE is required');
    const backend = backendOptions(values, io.env);
    let rejected = 0;
    const sources: ManifestSource[] = [];
    for (const arg of files) {
      try {
        sources.push(...(await manifestSources(arg, io)));
      } catch (caught) {
        io.stderr(`tracectl apply: cannot read ${arg}: ${errorMessage(caught)}\n`);
        return 2;
      }
    }
    for (const source of sources) {
      const file = source.display;
      let text: string;
      try {
        text = await source.read();
      } catch (caught) {
        io.stderr(`tracectl apply: cannot read ${file}: ${errorMessage(caught)}\n`);
        return 2;
      }
      const documents = parseAllDocuments(text);
      for (const [index, document] of (Array.isArray(documents) ? documents : [documents]).entries()) {
        const manifest = document.toJS() as { metadata?: { namespace?: unknown; name?: unknown } } | null;
        if (manifest === null || manifest === undefined) continue;
        const namespace =
          typeof manifest.metadata?.namespace === 'string' ? manifest.metadata.namespace : 'default';
        const name = manifest.metadata?.name;
        if (typeof name !== 'string' || name === '') {
          io.stderr(`${file} document ${index + 1}: metadata.name is missing; nothing sent\n`);
          rejected += 1;
          continue;
        }
        const response = await callBackend(
          backend,
          'PUT',
          `traceconfigurations/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`,
          {
            body: JSON.stringify(manifest),
            contentType: 'application/json',
          },
        );
        const state = (response.body as { status?: { state?: string } }).status?.state;
        if (response.status === 200 || response.status === 201) {
          io.stdout(
            `traceconfiguration ${namespace}/${name} ${response.status === 201 ? 'created' : 'configured'} (${state ?? 'unknown state'})\n`,
          );
        } else {
          rejected += 1;
          io.stderr(`${file} document ${index + 1} (${namespace}/${name}): ${describeProblem(response)}\n`);
        }
      }
    }
    return rejected > 0 ? 1 : 0;
  },
};
