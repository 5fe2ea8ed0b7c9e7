import { stringify } from 'yaml';
import { UsageError, type Command, type CommandOptions } from '../command';
import { parseCommandArgs } from '../run';
import { backendOptions, callBackend, describeProblem } from '../backendClient';

const HELP = `Usage: tracectl get [NAMESPACE/NAME | -n NAMESPACE] [-o table|yaml|json] [--server URL] [--key KEY]

Shows TraceConfigurations stored in the backend with their status. Without a name, lists them
(all namespaces, or one with -n).

Options:
  -n, --namespace NS  list only this namespace
  -o, --output FMT    table (default), yaml or json
      --server URL    backend base URL (default $TRACECTL_SERVER or http://127.0.0.1:7071)
      --key KEY       function key (default $TRACECTL_FUNCTION_KEY)`;

interface Resource {
  metadata: { namespace: string; name: string; generation: number };
  status: { state: string; reason: string };
}

function table(items: Resource[]): string {
  const rows = [['NAMESPACE', 'NAME', 'GENERATION', 'STATE', 'REASON']];
  for (const item of items) {
    const reason = item.status.reason.split('\n')[0] ?? '';
    rows.push([item.metadata.namespace, item.metadata.name, String(item.metadata.generation), item.status.state, reason.length > 60 ? `${reason.slice(0, 57)}...` : reason]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n') + '\n';
}

/** The options of the command (checked before it runs; offered by shell completion). */
const OPTIONS = { namespace: { type: 'string', short: 'n' }, output: { type: 'string', short: 'o', default: 'table' }, server: { type: 'string' }, key: { type: 'string' } } satisfies CommandOptions;

/** `tracectl get`: reads configurations back from the backend. */
export const getCommand: Command = {
  options: OPTIONS,
  name: 'get',
  summary: 'show TraceConfigurations stored in the backend, with their status',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      OPTIONS,
      true,
    );
    if (!['table', 'yaml', 'json'].includes(values.output)) throw new UsageError(`-o must be table, yaml or json, not '${values.output}'`);
    if (positionals.length > 1) throw new UsageError('give at most one NAMESPACE/NAME');
    const target = positionals[0];
    let path = 'traceconfigurations';
    if (target !== undefined) {
      const [namespace, name, ...rest] = target.split('/');
      if (namespace === undefined || name === undefined || name === '' || rest.length > 0) throw new UsageError(`'${target}' is not NAMESPACE/NAME`);
      path += `/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
    } else if (values.namespace !== undefined) {
      path += `?namespace=${encodeURIComponent(values.namespace)}`;
    }
    const response = await callBackend(backendOptions(values, io.env), 'GET', path);
    if (response.status !== 200) {
      io.stderr(`tracectl get: ${describeProblem(response)}\n`);
      return response.status === 404 ? 1 : 2;
    }
    const body = response.body as Resource | { items: Resource[] };
    if (values.output === 'json') io.stdout(`${JSON.stringify(body, null, 2)}\n`);
    else if (values.output === 'yaml') io.stdout(stringify(body));
    else io.stdout(table('items' in body ? body.items : [body]));
    return 0;
  },
};
