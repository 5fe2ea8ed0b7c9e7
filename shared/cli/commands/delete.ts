import { UsageError, type Command, type CommandOptions } from '../command';
import { parseCommandArgs } from '../run';
import { backendOptions, callBackend, describeProblem } from '../backendClient';

const HELP = `Usage: tracectl delete NAMESPACE/NAME [--if-match ETAG] [--server URL] [--key KEY]

Deletes a TraceConfiguration from the backend; tracing with it stops within the backend's
configuration refresh interval.

Options:
      --if-match ETAG  delete only if the stored version still has this etag
      --server URL     backend base URL (default $TRACECTL_SERVER or http://127.0.0.1:7071)
      --key KEY        function key (default $TRACECTL_FUNCTION_KEY)`;

/** The options of the command (checked before it runs; offered by shell completion). */
const OPTIONS = { 'if-match': { type: 'string' }, server: { type: 'string' }, key: { type: 'string' } } satisfies CommandOptions;

/** `tracectl delete`: removes one configuration. */
export const deleteCommand: Command = {
  options: OPTIONS,
  name: 'delete',
  summary: 'delete a TraceConfiguration from the backend',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, true);
    const target = positionals[0];
    if (target === undefined || positionals.length > 1) throw new UsageError('give exactly one NAMESPACE/NAME');
    const [namespace, name, ...rest] = target.split('/');
    if (namespace === undefined || name === undefined || name === '' || rest.length > 0) throw new UsageError(`'${target}' is not NAMESPACE/NAME`);
    const headers: Record<string, string> = values['if-match'] === undefined ? {} : { 'if-match': values['if-match'] };
    const response = await callBackend(backendOptions(values, io.env), 'DELETE', `traceconfigurations/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`, { headers });
    if (response.status === 204) {
      io.stdout(`traceconfiguration ${namespace}/${name} deleted\n`);
      return 0;
    }
    io.stderr(`tracectl delete: ${describeProblem(response)}\n`);
    return 1;
  },
};
