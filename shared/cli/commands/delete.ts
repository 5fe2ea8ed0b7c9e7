import { UsageError, type Command, type CommandOptions } from '../command';
import { parseCommandArgs } from '../run';
import { backendOptions, callBackend, describeProblem } from '../backendClient';
import { readManifestDocuments } from '../manifestDocuments';
import { DEFAULT_NAMESPACE, parseResourceName, resourcePath, type ResourceName } from '../resourceName';
import { errorMessage } from '../../errors';

const HELP = `Usage: tracectl delete NAME|NAMESPACE/NAME ... [-n NAMESPACE] [--if-match ETAG]
       tracectl delete -f FILE|DIR|- [-f ...]

Deletes TraceConfigurations from the backend; tracing with them stops within the backend's
configuration refresh interval. With -f, deletes every configuration the manifests name (a kind:
List included), as kubectl delete -f does.

Options:
  -f, --file FILE      manifests naming what to delete; repeatable
  -n, --namespace NS   namespace of names given without one (default: default)
      --if-match ETAG  delete only if the stored version still has this etag
      --ignore-not-found  a configuration that does not exist is not an error
      --server URL     backend base URL (default $TRACECTL_SERVER or http://127.0.0.1:7071)
      --key KEY        function key (default $TRACECTL_FUNCTION_KEY)
  -h, --help           this help

Exit status: 0 all deleted, 1 any not found or refused, 2 usage error or unreachable backend.`;

/** The options of the command (checked before it runs; offered by shell completion). */
const OPTIONS = {
  file: { type: 'string', short: 'f', multiple: true },
  namespace: { type: 'string', short: 'n' },
  'if-match': { type: 'string' },
  'ignore-not-found': { type: 'boolean' },
  server: { type: 'string' },
  key: { type: 'string' },
} satisfies CommandOptions;

/** `tracectl delete`: removes configurations by name or by manifest. */
export const deleteCommand: Command = {
  name: 'delete',
  summary: 'delete a TraceConfiguration from the backend',
  help: HELP,
  options: OPTIONS,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, true);
    const files = values.file ?? [];
    if (files.length > 0 && positionals.length > 0) throw new UsageError('give names or -f FILE, not both');
    if (files.length === 0 && positionals.length === 0)
      throw new UsageError('give NAME, NAMESPACE/NAME or -f FILE');
    let targets: ResourceName[];
    if (files.length > 0) {
      try {
        targets = (await readManifestDocuments(files, io)).map(({ where, manifest }) => {
          const metadata = (manifest.metadata ?? {}) as { namespace?: unknown; name?: unknown };
          if (typeof metadata.name !== 'string' || metadata.name === '')
            throw new Error(`${where}: metadata.name is missing`);
          const namespace =
            typeof metadata.namespace === 'string' && metadata.namespace !== ''
              ? metadata.namespace
              : (values.namespace ?? DEFAULT_NAMESPACE);
          return { namespace, name: metadata.name };
        });
      } catch (caught) {
        io.stderr(`tracectl delete: ${errorMessage(caught)}\n`);
        return 2;
      }
    } else {
      targets = positionals.map((text) => parseResourceName(text, values.namespace));
    }
    const headers: Record<string, string> =
      values['if-match'] === undefined ? {} : { 'if-match': values['if-match'] };
    const backend = backendOptions(values, io.env);
    let failed = 0;
    for (const target of targets) {
      const response = await callBackend(backend, 'DELETE', resourcePath(target), { headers });
      if (response.status === 204) {
        io.stdout(`traceconfiguration ${target.namespace}/${target.name} deleted\n`);
      } else if (response.status === 404 && values['ignore-not-found'] === true) {
        continue;
      } else {
        failed += 1;
        io.stderr(`tracectl delete: ${target.namespace}/${target.name}: ${describeProblem(response)}\n`);
      }
    }
    return failed > 0 ? 1 : 0;
  },
};
