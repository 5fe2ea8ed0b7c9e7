import { connectionPolicyFromEnvironment } from '../../config/connectionPolicy';
import { planApply } from '../../config/applyPlan';
import { UsageError, type Command } from '../command';
import { parseCommandArgs } from '../run';
import { backendOptions, callBackend, describeProblem } from '../backendClient';
import { manifestSources, type ManifestSource } from '../manifestSources';
import { errorMessage } from '../../errors';

const HELP = `Usage: tracectl apply -f FILE|DIR|- [-f ...] [--server URL] [--key KEY]

Creates or updates TraceConfigurations in the backend through its HTTP API
(PUT /api/traceconfigurations/{namespace}/{name}). Every YAML document is validated locally first
(as tracectl validate) and sent on its own; an Errored document is reported and never sent.

Options:
  -f, --file FILE   manifest file (YAML, several documents allowed), a directory (its .yaml and
                    .yml files) or - for standard input; repeatable
      --server URL  backend base URL (default $TRACECTL_SERVER or http://127.0.0.1:7071)
      --key KEY     function key (default $TRACECTL_FUNCTION_KEY)

Exit status: 0 all accepted, 1 any document rejected, 2 usage error, unreadable file or
unreachable backend.`;

/** `tracectl apply`: PUTs each document of each file to the backend. */
export const applyCommand: Command = {
  name: 'apply',
  summary: 'create or update TraceConfigurations in the backend',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(
      args,
      {
        file: { type: 'string', short: 'f', multiple: true },
        server: { type: 'string' },
        key: { type: 'string' },
      },
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
      const plan = planApply(text, file, connectionPolicyFromEnvironment(io.env, 'allow'));
      for (const refused of plan.refused)
        io.stderr(`${file} document ${refused.document} (${refused.namespace}/${refused.name || '?'}): not sent: ${refused.reason}\n`);
      rejected += plan.refused.length;
      for (const { document: index, namespace, name, manifest } of plan.send) {
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
          io.stderr(`${file} document ${index} (${namespace}/${name}): ${describeProblem(response)}\n`);
        }
      }
    }
    return rejected > 0 ? 1 : 0;
  },
};
