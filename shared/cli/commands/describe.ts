import { stringify } from 'yaml';
import { UsageError, type Command, type CommandOptions } from '../command';
import { parseCommandArgs } from '../run';
import { backendOptions, callBackend, describeProblem } from '../backendClient';
import type { ConfigurationResource } from '../configurationResource';
import { parseResourceName, resourcePath } from '../resourceName';
import { toManifestSpec } from '../specShape';

const HELP = `Usage: tracectl describe NAME | NAMESPACE/NAME [-n NAMESPACE]

Shows one TraceConfiguration in detail: labels, generation, state and every reason line, the spec
as submitted, and the last accepted spec (the one tracing runs with) written the way a manifest
writes it.

Options:
  -n, --namespace NS  namespace (default: default)
      --server URL    backend base URL (default $TRACECTL_SERVER or http://127.0.0.1:7071)
      --key KEY       function key (default $TRACECTL_FUNCTION_KEY)
  -h, --help          this help`;

/** The options of the command (checked before it runs; offered by shell completion). */
const OPTIONS = {
  namespace: { type: 'string', short: 'n' },
  server: { type: 'string' },
  key: { type: 'string' },
} satisfies CommandOptions;

function indent(text: string, by = '  '): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `${by}${line}`)
    .join('\n');
}

/** The describe text of one resource. */
export function describeResource(resource: ConfigurationResource): string {
  const { metadata, status } = resource;
  const labels = Object.entries(metadata.labels ?? {}).map(([key, value]) => `${key}=${value}`);
  const lines = [
    `Name:              ${metadata.name}`,
    `Namespace:         ${metadata.namespace}`,
    `Labels:            ${labels.length > 0 ? labels.join('\n                   ') : '<none>'}`,
    `API Version:       ${resource.apiVersion ?? ''}`,
    `Kind:              ${resource.kind ?? ''}`,
    `Generation:        ${metadata.generation ?? ''}`,
    `Resource Version:  ${metadata.resourceVersion ?? ''}`,
    `State:             ${status?.state ?? 'Unknown'}`,
    `Reason:${status?.reason ? `\n${indent(status.reason)}` : '            <none>'}`,
    'Spec:',
    indent(stringify(resource.spec ?? {})),
  ];
  const lastKnown = status?.lastKnownSpec;
  if (lastKnown === undefined) {
    lines.push(
      'Last Known Spec:   <none> (no spec of this configuration was ever accepted: nothing is traced)',
    );
  } else {
    const shaped = toManifestSpec(lastKnown);
    lines.push(
      status?.state === 'Errored'
        ? 'Last Known Spec:   (still in force: the submitted spec was rejected)'
        : 'Last Known Spec:',
      shaped
        ? indent(stringify(shaped))
        : indent(
            `# targets observe different trace points: shown as the backend keeps it\n${stringify(lastKnown)}`,
          ),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `tracectl describe`: one configuration in detail. */
export const describeCommand: Command = {
  name: 'describe',
  summary: 'show one TraceConfiguration in detail: spec, status and last known good spec',
  help: HELP,
  options: OPTIONS,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, true);
    if (positionals.length !== 1) throw new UsageError('give one NAME or NAMESPACE/NAME');
    const response = await callBackend(
      backendOptions(values, io.env),
      'GET',
      resourcePath(parseResourceName(positionals[0]!, values.namespace)),
    );
    if (response.status !== 200) {
      io.stderr(`tracectl describe: ${describeProblem(response)}\n`);
      return response.status === 404 ? 1 : 2;
    }
    io.stdout(describeResource(response.body as ConfigurationResource));
    return 0;
  },
};
