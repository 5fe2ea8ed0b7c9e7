import type { TableClient } from '@azure/data-tables';
import { odata } from '@azure/data-tables';
import { DefaultAzureCredential } from '@azure/identity';
import { UsageError, type Command, type CommandOptions } from '../command';
import { parseCommandArgs } from '../run';
import { formatTable, TABLE_HEADER, tableRow } from '../inspectOutput';
import { resolveConnection, type AzureTableConnection } from '../../sinks/connection';
import { createTableClient } from '../../sinks/azureTable/azureTableSink';
import { configurationPrefix, hourBucket } from '../../sinks/azureTable/partitionKey';
import { decodeEntity } from '../../sinks/azureTable/decode';
import type { TraceRecord } from '../../record/traceRecord';
import { QUERY_VIEWS, findQueryView } from '../queryViews';
import { formatViewJson, formatViewTable } from '../queryViews/formatView';

const HELP = `Usage: tracectl query [--configuration NS/NAME --cluster C] [--since 1h | --from T --to T]
                      [--ip IP] [--pod NAME] [--namespace NS] [--l7 HTTP|DNS|TLS] [--http-status N]
                      [--dns-rcode RCODE] [--sni NAME] [--limit N] [-o table|ndjson]
                      [--connection NAME | --connection-string CS [--table NAME]]
       tracectl query --view VIEW [same options] [-o table|json]

Reads trace records back from Azure Table (Azure or Azurite), newest hours first. With --view,
answers one question of the KQL pack (queries/) over every record of the window instead.

Where:
  --connection NAME        app-settings connection (docs/destinations.md), default TRACES_AZURETABLE:
                           NAME__tableServiceUri (signs in with DefaultAzureCredential) or
                           NAME__connectionString, and NAME__tableName
  --connection-string CS   a storage connection string instead (e.g. Azurite's)
  --table NAME             table name with --connection-string (default RetinaTraces)
What:
  --configuration NS/NAME  records of one configuration; with --cluster this is a key-range scan
  --cluster C              cluster name
  --since DURATION         time window ending now: 30m, 2h, 1d (default 1h)
  --from T, --to T         explicit ISO 8601 window instead of --since
Filters (all AND-ed):
  --ip IP                  source or destination address
  --pod NAME               source or destination pod
  --namespace NS           source or destination namespace
  --l7 PROTOCOL            HTTP, DNS or TLS
  --http-status N          HTTP status code
  --dns-rcode RCODE        DNS response code, e.g. NXDOMAIN
  --sni NAME               TLS server name
  --limit N                most records (or view rows) printed (default 100)
  -o, --output FMT         table (default) or ndjson; with --view, table or json
Views (--view NAME; the same aggregation as the .kql file named):
${QUERY_VIEWS.map((view) => `  ${view.name.padEnd(23)}  queries/${view.kqlFile}\n${' '.repeat(27)}${view.summary}`).join('\n')}`;

function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(text.trim());
  if (match === null) throw new UsageError(`--since must look like 30m, 2h or 1d, not '${text}'`);
  const unit = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

function parseTime(flag: string, text: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new UsageError(`${flag} must be an ISO 8601 time, not '${text}'`);
  return date;
}

/** The OData filter for a query; values are escaped by the `odata` helper. */
export function queryFilter(options: {
  from: Date;
  to: Date;
  prefix?: string;
  configuration?: string;
  ip?: string;
  pod?: string;
  namespace?: string;
  l7?: string;
  httpStatus?: number;
  dnsRcode?: string;
  sni?: string;
}): string {
  const parts: string[] = [];
  if (options.prefix !== undefined) {
    const fromKey = `${options.prefix}${hourBucket(options.from.toISOString())}`;
    const toKey = `${options.prefix}${hourBucket(options.to.toISOString())}|~`;
    parts.push(odata`PartitionKey ge ${fromKey} and PartitionKey le ${toKey}`);
  } else if (options.configuration !== undefined) {
    parts.push(odata`TraceConfiguration eq ${options.configuration}`);
  }
  parts.push(odata`TimeGenerated ge ${options.from} and TimeGenerated le ${options.to}`);
  if (options.ip !== undefined)
    parts.push(odata`(SourceIp eq ${options.ip} or DestinationIp eq ${options.ip})`);
  if (options.pod !== undefined)
    parts.push(odata`(SourcePodName eq ${options.pod} or DestinationPodName eq ${options.pod})`);
  if (options.namespace !== undefined)
    parts.push(
      odata`(SourceNamespace eq ${options.namespace} or DestinationNamespace eq ${options.namespace})`,
    );
  if (options.l7 !== undefined) parts.push(odata`L7Protocol eq ${options.l7}`);
  if (options.httpStatus !== undefined) parts.push(odata`HttpStatusCode eq ${options.httpStatus}`);
  if (options.dnsRcode !== undefined) parts.push(odata`DnsResponseCode eq ${options.dnsRcode}`);
  if (options.sni !== undefined) parts.push(odata`TlsServerName eq ${options.sni}`);
  return parts.join(' and ');
}

/** The options of the command (checked before it runs; offered by shell completion). */
const OPTIONS = {
  connection: { type: 'string' },
  'connection-string': { type: 'string' },
  table: { type: 'string' },
  configuration: { type: 'string' },
  cluster: { type: 'string' },
  since: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  ip: { type: 'string' },
  pod: { type: 'string' },
  namespace: { type: 'string' },
  l7: { type: 'string' },
  'http-status': { type: 'string' },
  'dns-rcode': { type: 'string' },
  sni: { type: 'string' },
  view: { type: 'string' },
  limit: { type: 'string', default: '100' },
  output: { type: 'string', short: 'o', default: 'table' },
} satisfies CommandOptions;

/** `tracectl query`: records back from Azure Table. */
export const queryCommand: Command = {
  options: OPTIONS,
  name: 'query',
  summary: 'read trace records back from Azure Table, with filters',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, OPTIONS, false);
    const view = values.view === undefined ? undefined : findQueryView(values.view);
    if (values.view !== undefined && view === undefined)
      throw new UsageError(
        `--view must be one of ${QUERY_VIEWS.map((v) => v.name).join(', ')}, not '${values.view}'`,
      );
    const formats = view === undefined ? ['table', 'ndjson'] : ['table', 'json'];
    if (!formats.includes(values.output))
      throw new UsageError(`-o must be ${formats.join(' or ')}, not '${values.output}'`);
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit <= 0)
      throw new UsageError(`--limit must be a positive whole number, not '${values.limit}'`);
    if (values.since !== undefined && (values.from !== undefined || values.to !== undefined))
      throw new UsageError('give --since or --from/--to, not both');
    const to = values.to !== undefined ? parseTime('--to', values.to) : new Date();
    const from =
      values.from !== undefined
        ? parseTime('--from', values.from)
        : new Date(to.getTime() - parseDuration(values.since ?? '1h'));
    if (values.configuration !== undefined && !/^[^/]+\/[^/]+$/.test(values.configuration))
      throw new UsageError(`--configuration must be NAMESPACE/NAME, not '${values.configuration}'`);
    const l7 = values.l7?.toUpperCase();
    if (l7 !== undefined && !['HTTP', 'DNS', 'TLS'].includes(l7))
      throw new UsageError(`--l7 must be HTTP, DNS or TLS, not '${values.l7}'`);
    const httpStatus = values['http-status'] === undefined ? undefined : Number(values['http-status']);
    if (httpStatus !== undefined && !Number.isInteger(httpStatus))
      throw new UsageError(`--http-status must be a number, not '${values['http-status']}'`);

    let client: TableClient;
    if (values['connection-string'] !== undefined) {
      const connection: AzureTableConnection = {
        destination: 'azuretable',
        name: 'command line',
        connectionString: values['connection-string'],
        tableName: values.table ?? 'RetinaTraces',
      };
      client = createTableClient(connection);
    } else {
      const connection = resolveConnection('azuretable', values.connection, io.env) as AzureTableConnection;
      client = createTableClient(
        connection,
        connection.tableServiceUri === undefined
          ? undefined
          : new DefaultAzureCredential(
              connection.clientId === undefined ? {} : { managedIdentityClientId: connection.clientId },
            ),
      );
    }
    const filter = queryFilter({
      from,
      to,
      ...(values.configuration !== undefined && values.cluster !== undefined
        ? { prefix: configurationPrefix(values.cluster, values.configuration) }
        : {}),
      ...(values.configuration !== undefined ? { configuration: values.configuration } : {}),
      ...(values.ip !== undefined ? { ip: values.ip } : {}),
      ...(values.pod !== undefined ? { pod: values.pod } : {}),
      ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
      ...(l7 !== undefined ? { l7 } : {}),
      ...(httpStatus !== undefined ? { httpStatus } : {}),
      ...(values['dns-rcode'] !== undefined ? { dnsRcode: values['dns-rcode'].toUpperCase() } : {}),
      ...(values.sni !== undefined ? { sni: values.sni } : {}),
    });
    const records: TraceRecord[] = [];
    let scanned = 0;
    for await (const entity of client.listEntities({ queryOptions: { filter } })) {
      scanned += 1;
      const record = decodeEntity(entity);
      if (record !== undefined) records.push(record);
      // A view aggregates the whole window; a record listing stops early.
      if (view === undefined && records.length >= limit * 10) break;
    }
    if (view !== undefined) {
      const rows = view.aggregate(records).slice(0, limit);
      if (values.output === 'json') io.stdout(formatViewJson(rows));
      else if (rows.length > 0) io.stdout(formatViewTable(view, rows));
      io.stderr(
        `${rows.length} rows of view ${view.name} (queries/${view.kqlFile}) over ${records.length} records between ${from.toISOString()} and ${to.toISOString()}\n`,
      );
      return 0;
    }
    records.sort((a, b) => (BigInt(a.TimestampNs) < BigInt(b.TimestampNs) ? -1 : 1));
    const shown = records.slice(-limit);
    if (values.output === 'ndjson')
      io.stdout(shown.map((r) => JSON.stringify(r)).join('\n') + (shown.length > 0 ? '\n' : ''));
    else if (shown.length > 0)
      io.stdout(
        formatTable([TABLE_HEADER, ...shown.map((r) => tableRow({ ...r, Destination: 'azuretable' }))]),
      );
    io.stderr(
      `${shown.length} of ${records.length} matching records shown (${scanned} read) between ${from.toISOString()} and ${to.toISOString()}\n`,
    );
    return 0;
  },
};
