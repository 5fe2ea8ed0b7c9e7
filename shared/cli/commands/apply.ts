import { isDeepStrictEqual } from 'node:util';
import { UsageError, type Command, type CommandOptions } from '../command';
import { parseCommandArgs } from '../run';
import { backendOptions, callBackend, describeProblem } from '../backendClient';
import { withoutServerFields } from '../configurationResource';
import { readManifestDocuments } from '../manifestDocuments';
import { DEFAULT_NAMESPACE, resourcePath } from '../resourceName';
import { errorMessage } from '../../errors';
import { connectionPolicyFromEnvironment } from '../../config/connectionPolicy';
import { validateTraceConfigurationObject } from '../../config/validateObject';

const HELP = `Usage: tracectl apply -f FILE|DIR|- [-f ...] [-n NAMESPACE] [--server URL] [--key KEY]

Creates or updates TraceConfigurations in the backend through its HTTP API
(PUT /api/traceconfigurations/{namespace}/{name}). Every YAML document is validated locally first
(as tracectl validate) and sent on its own; an Errored document is reported and never sent. A
kind: List (what \`tracectl get -o yaml\` and \`kubectl get -o yaml\` print) is applied item by item,
and the fields the server sets (status, metadata.generation, metadata.resourceVersion) are dropped.
A configuration whose spec, labels and annotations are already stored as given is reported
\`unchanged\` and not sent.

Options:
  -f, --file FILE       manifest file (YAML, several documents allowed), a directory (its .yaml and
                        .yml files) or - for standard input; repeatable
  -n, --namespace NS    namespace of manifests that name none (default: default)
      --server URL      backend base URL (default $TRACECTL_SERVER or http://127.0.0.1:7071)
      --key KEY         function key (default $TRACECTL_FUNCTION_KEY)
  -h, --help            this help

Exit status: 0 all accepted, 1 any document rejected, 2 usage error, unreadable file or
unreachable backend.`;

/** The options of the command (checked before it runs; offered by shell completion). */
const OPTIONS = {
  file: { type: 'string', short: 'f', multiple: true },
  namespace: { type: 'string', short: 'n' },
  server: { type: 'string' },
  key: { type: 'string' },
} satisfies CommandOptions;

interface Metadata {
  namespace?: unknown;
  name?: unknown;
  labels?: unknown;
  annotations?: unknown;
}

/** What `apply` compares to decide `unchanged`: what the user controls. */
function userContent(manifest: Record<string, unknown>): unknown {
  const metadata = (manifest.metadata ?? {}) as Metadata;
  return {
    kind: manifest.kind,
    spec: manifest.spec,
    labels: metadata.labels ?? {},
    annotations: metadata.annotations ?? {},
  };
}

/** `tracectl apply`: PUTs each document of each file to the backend. */
export const applyCommand: Command = {
  name: 'apply',
  summary: 'create or update TraceConfigurations in the backend',
  help: HELP,
  options: OPTIONS,
  async run(args, io) {
    const { values } = parseCommandArgs(args, OPTIONS, false);
    const files = values.file ?? [];
    if (files.length === 0) throw new UsageError('at least one -f FILE is required');
    const backend = backendOptions(values, io.env);
    let documents;
    try {
      documents = await readManifestDocuments(files, io);
    } catch (caught) {
      io.stderr(`tracectl apply: ${errorMessage(caught)}\n`);
      return 2;
    }
    // The server checks the connection policy again; locally, undeclared connections are allowed.
    const policy = connectionPolicyFromEnvironment(io.env, 'allow');
    let rejected = 0;
    for (const { where, manifest: raw } of documents) {
      const manifest = withoutServerFields(raw);
      const metadata = (manifest.metadata ?? {}) as Metadata;
      const namespace =
        typeof metadata.namespace === 'string' && metadata.namespace !== ''
          ? metadata.namespace
          : (values.namespace ?? DEFAULT_NAMESPACE);
      const name = metadata.name;
      if (typeof name !== 'string' || name === '') {
        io.stderr(`${where}: metadata.name is missing; nothing sent\n`);
        rejected += 1;
        continue;
      }
      // Nothing invalid (a secret above all) ever leaves the machine.
      const local = validateTraceConfigurationObject(manifest, { connectionPolicy: policy });
      if (local.state === 'Errored') {
        io.stderr(`${where} (${namespace}/${name}): not sent: ${local.reason || 'the document is not a valid TraceConfiguration'}\n`);
        rejected += 1;
        continue;
      }
      const path = resourcePath({ namespace, name });
      const sent = { ...manifest, metadata: { ...metadata, namespace } };
      const existing = await callBackend(backend, 'GET', path);
      if (
        existing.status === 200 &&
        isDeepStrictEqual(
          userContent(withoutServerFields(existing.body as Record<string, unknown>)),
          userContent(sent),
        )
      ) {
        const state = (existing.body as { status?: { state?: string } }).status?.state;
        io.stdout(`traceconfiguration ${namespace}/${name} unchanged (${state ?? 'unknown state'})\n`);
        continue;
      }
      const response = await callBackend(backend, 'PUT', path, {
        body: JSON.stringify(sent),
        contentType: 'application/json',
      });
      const state = (response.body as { status?: { state?: string } } | undefined)?.status?.state;
      if (response.status === 200 || response.status === 201) {
        io.stdout(
          `traceconfiguration ${namespace}/${name} ${response.status === 201 ? 'created' : 'configured'} (${state ?? 'unknown state'})\n`,
        );
      } else {
        rejected += 1;
        io.stderr(`${where} (${namespace}/${name}): ${describeProblem(response)}\n`);
      }
    }
    return rejected > 0 ? 1 : 0;
  },
};
