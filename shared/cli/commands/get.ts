import { stringify } from 'yaml';
import { UsageError, type Command, type CommandIo, type CommandOptions } from '../command';
import { parseCommandArgs } from '../run';
import { backendOptions, callBackend, describeProblem, type BackendOptions } from '../backendClient';
import type { ConfigurationResource } from '../configurationResource';
import { DEFAULT_NAMESPACE, parseResourceName, resourcePath } from '../resourceName';
import { renderTable, type TableColumn } from '../table';

const HELP = `Usage: tracectl get [NAME | NAMESPACE/NAME] [-n NAMESPACE | -A] [-o table|wide|json|yaml|name] [-w]

Shows TraceConfigurations stored in the backend with their status. Without a name, lists those of
one namespace (default: default), or of every namespace with -A.

Options:
  -n, --namespace NS      namespace (default: default)
  -A, --all-namespaces    list every namespace
  -o, --output FMT        table (default), wide (adds destination, connection, rules, reason),
                          json, yaml (a kind: List for several; apply -f takes it back) or name
  -w, --watch             after listing, keep printing configurations as they change (Ctrl-C stops)
      --watch-interval S  seconds between checks while watching (default 2)
      --server URL        backend base URL (default $TRACECTL_SERVER or http://127.0.0.1:7071)
      --key KEY           function key (default $TRACECTL_FUNCTION_KEY)
  -h, --help              this help

Examples:
  tracectl get -A
  tracectl get -n kube-system cluster-dns -o yaml
  tracectl get -A -o yaml > all.yaml && tracectl apply -f all.yaml`;

/** The options of the command (checked before it runs; offered by shell completion). */
const OPTIONS = {
  namespace: { type: 'string', short: 'n' },
  'all-namespaces': { type: 'boolean', short: 'A' },
  output: { type: 'string', short: 'o', default: 'table' },
  watch: { type: 'boolean', short: 'w' },
  'watch-interval': { type: 'string', default: '2' },
  server: { type: 'string' },
  key: { type: 'string' },
} satisfies CommandOptions;

const FORMATS = ['table', 'wide', 'json', 'yaml', 'name'] as const;
type Format = (typeof FORMATS)[number];

function columns(format: Format, allNamespaces: boolean): TableColumn[] {
  return [
    ...(allNamespaces ? [{ header: 'NAMESPACE', minWidth: 12 }] : []),
    { header: 'NAME', minWidth: 24 },
    { header: 'STATE', minWidth: 11 },
    { header: 'GENERATION', minWidth: 10 },
    ...(format === 'wide'
      ? [
          { header: 'DESTINATION', minWidth: 13 },
          { header: 'CONNECTION', minWidth: 20 },
          { header: 'RULES', minWidth: 5 },
          { header: 'REASON' },
        ]
      : []),
  ];
}

/** The connection records go through: the one in force, else the one asked for, else the default. */
function connectionOf(item: ConfigurationResource): string {
  const output = item.spec?.outputConfiguration;
  const asked = output?.connectionConfiguration;
  return (
    item.status?.lastKnownSpec?.output.connection ??
    (asked || (output?.destination ? `TRACES_${output.destination.toUpperCase()}` : ''))
  );
}

function row(item: ConfigurationResource, format: Format, allNamespaces: boolean): string[] {
  const reason = (item.status?.reason ?? '').split('\n')[0] ?? '';
  return [
    ...(allNamespaces ? [item.metadata.namespace] : []),
    item.metadata.name,
    item.status?.state ?? '',
    String(item.metadata.generation ?? ''),
    ...(format === 'wide'
      ? [
          item.spec?.outputConfiguration?.destination ?? '',
          connectionOf(item),
          String(item.spec?.traceConfigurations?.length ?? 0),
          reason.length > 60 ? `${reason.slice(0, 57)}...` : reason,
        ]
      : []),
  ];
}

function render(
  items: ConfigurationResource[],
  body: unknown,
  format: Format,
  allNamespaces: boolean,
): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(body, null, 2)}\n`;
    case 'yaml':
      return stringify(body);
    case 'name':
      return items.map((item) => `${item.metadata.namespace}/${item.metadata.name}\n`).join('');
    case 'table':
    case 'wide':
      return renderTable(
        columns(format, allNamespaces),
        items.map((item) => row(item, format, allNamespaces)),
      );
  }
}

async function fetchItems(
  backend: BackendOptions,
  path: string,
  io: CommandIo,
): Promise<{ items: ConfigurationResource[]; body: unknown } | number> {
  const response = await callBackend(backend, 'GET', path);
  if (response.status !== 200) {
    io.stderr(`tracectl get: ${describeProblem(response)}\n`);
    return response.status === 404 ? 1 : 2;
  }
  const body = response.body as ConfigurationResource | { items: ConfigurationResource[] };
  return { items: 'items' in body ? body.items : [body], body };
}

/** `tracectl get`: reads configurations back from the backend. */
export const getCommand: Command = {
  name: 'get',
  summary: 'show TraceConfigurations stored in the backend, with their status',
  help: HELP,
  options: OPTIONS,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, true);
    const format = values.output as Format;
    if (!FORMATS.includes(format))
      throw new UsageError(`-o must be one of ${FORMATS.join(', ')}, not '${values.output}'`);
    if (positionals.length > 1) throw new UsageError('give at most one NAME or NAMESPACE/NAME');
    const allNamespaces = values['all-namespaces'] === true;
    if (allNamespaces && values.namespace !== undefined) throw new UsageError('-A and -n cannot be combined');
    const interval = Number(values['watch-interval']);
    if (!(interval > 0)) throw new UsageError('--watch-interval must be a positive number of seconds');
    const target = positionals[0];
    if (target !== undefined && allNamespaces)
      throw new UsageError('-A lists every namespace; give NAMESPACE/NAME for one configuration');
    const namespace = values.namespace ?? DEFAULT_NAMESPACE;
    const path =
      target !== undefined
        ? resourcePath(parseResourceName(target, values.namespace))
        : allNamespaces
          ? 'traceconfigurations'
          : `traceconfigurations?namespace=${encodeURIComponent(namespace)}`;
    const backend = backendOptions(values, io.env);
    const first = await fetchItems(backend, path, io);
    if (typeof first === 'number') return first;
    if (first.items.length === 0 && target === undefined && (format === 'table' || format === 'wide')) {
      io.stderr(
        allNamespaces
          ? 'No TraceConfigurations found.\n'
          : `No TraceConfigurations found in namespace ${namespace}. (-A lists every namespace)\n`,
      );
    } else {
      io.stdout(render(first.items, first.body, format, allNamespaces));
    }
    if (values.watch !== true) return 0;
    return watch(first.items, { backend, path, format, allNamespaces, intervalInMs: interval * 1000 }, io);
  },
};

/** Polls the list and prints each configuration whose resource version changed (or that was deleted). */
async function watch(
  initial: ConfigurationResource[],
  options: {
    backend: BackendOptions;
    path: string;
    format: Format;
    allNamespaces: boolean;
    intervalInMs: number;
  },
  io: CommandIo,
): Promise<number> {
  const key = (item: ConfigurationResource): string => `${item.metadata.namespace}/${item.metadata.name}`;
  let known = new Map(initial.map((item) => [key(item), item.metadata.resourceVersion]));
  const signal = io.abortSignal;
  while (!signal?.aborted) {
    const stopped = await sleep(options.intervalInMs, signal);
    if (stopped) break;
    const next = await fetchItems(options.backend, options.path, io);
    if (typeof next === 'number') return next;
    const changed = next.items.filter((item) => known.get(key(item)) !== item.metadata.resourceVersion);
    const current = new Set(next.items.map(key));
    const deleted = [...known.keys()].filter((name) => !current.has(name));
    for (const item of changed) io.stdout(renderOne(item, options.format, options.allNamespaces));
    for (const name of deleted)
      io.stdout(options.format === 'table' || options.format === 'wide' ? `${name} deleted\n` : '');
    known = new Map(next.items.map((item) => [key(item), item.metadata.resourceVersion]));
  }
  return 0;
}

function renderOne(item: ConfigurationResource, format: Format, allNamespaces: boolean): string {
  if (format === 'table' || format === 'wide') {
    const [, line] = render([item], item, format, allNamespaces).split('\n');
    return `${line ?? ''}\n`;
  }
  return format === 'yaml'
    ? `---\n${render([item], item, format, allNamespaces)}`
    : render([item], item, format, allNamespaces);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve(true);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(false);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
