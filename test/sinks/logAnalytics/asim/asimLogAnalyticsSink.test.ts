/**
 * The ASIM sink through the real LogsIngestionClient against the local Logs Ingestion server,
 * which enforces the ASIM stream declarations, and the shared sink contract.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalTokenCredential } from '../../../../shared/local/localTokenCredential';
import { LogsIngestionServer } from '../../../../shared/local/logsIngestionServer';
import { createSink } from '../../../../shared/sinks/createSink';
import { resolveConnection } from '../../../../shared/sinks/connection';
import { AsimLogAnalyticsSink } from '../../../../shared/sinks/logAnalytics/asim/asimLogAnalyticsSink';
import { createLogsIngestionClient } from '../../../../shared/sinks/logAnalytics/logAnalyticsSink';
import { deliver } from '../../../../shared/sinks/send/deliver';
import { sinkContract } from '../../sinkContract';
import { ASIM_CASES } from './asimRecords';

const RULE = 'dcr-0123456789abcdef0123456789abcdef';
let server: LogsIngestionServer;
let credential: LocalTokenCredential;
let outputDir: string;

const connection = () => ({
  destination: 'loganalytics' as const,
  name: 'TRACES_SENTINEL',
  endpoint: server.endpoint,
  ruleId: RULE,
  streamName: 'Custom-RetinaTraces_CL',
  schema: 'asim' as const,
});
const newSink = () =>
  new AsimLogAnalyticsSink(
    createLogsIngestionClient(connection(), credential, { tlsOptions: { ca: server.certificate } }),
    connection(),
  );
const noDeadLetters = { write: () => Promise.reject(new Error('none expected')) };

sinkContract('loganalytics (schema asim)', {
  manyCount: 4000,
  idempotent: false,
  async start() {
    outputDir = await mkdtemp(path.join(tmpdir(), 'asim-'));
    server = new LogsIngestionServer({ ruleIds: [RULE], outputDir });
    await server.start();
    credential = new LocalTokenCredential();
  },
  async stop() {
    await server.stop();
    await rm(outputDir, { recursive: true, force: true });
  },
  createSink: newSink,
  faults: () => server.faults,
  async stored() {
    const out = new Map<string, string[]>();
    for (const { row } of server.accepted) {
      const id = String(row.EventOriginalUid);
      out.set(id, [...(out.get(id) ?? []), JSON.stringify(row)]);
    }
    return out;
  },
  extraTests() {
    it('delivers every kind of record to its ASIM stream, accepted by the declared columns, one NDJSON file per stream', async () => {
      const before = server.accepted.length;
      const records = ASIM_CASES.map(([, record], i) => ({ ...record, RecordId: `asim-case-${i}` }));
      const report = await deliver(newSink(), records, { deadLetter: noDeadLetters, batchRef: 'x' });
      expect(report).toMatchObject({ delivered: records.length, deadLettered: 0 });
      const accepted = server.accepted.slice(before);
      const streamOf = new Map(accepted.map((a) => [a.row.EventOriginalUid, a.stream]));
      expect([...new Set(accepted.map((a) => a.stream))].sort()).toEqual([
        'Custom-ASimDnsActivityLogs',
        'Custom-ASimNetworkSessionLogs',
        'Custom-ASimWebSessionLogs',
      ]);
      expect(streamOf.get('asim-case-6')).toBe('Custom-ASimDnsActivityLogs');
      expect(streamOf.get('asim-case-8')).toBe('Custom-ASimWebSessionLogs');
      expect(streamOf.get('asim-case-2')).toBe('Custom-ASimNetworkSessionLogs');
      const files = (await readdir(outputDir)).sort();
      expect(files).toEqual(
        expect.arrayContaining([
          'Custom-ASimDnsActivityLogs.ndjson',
          'Custom-ASimNetworkSessionLogs.ndjson',
          'Custom-ASimWebSessionLogs.ndjson',
        ]),
      );
      const dns = (await readFile(path.join(outputDir, 'Custom-ASimDnsActivityLogs.ndjson'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(dns.find((r) => r.EventOriginalUid === 'asim-case-7')).toMatchObject({
        EventResultDetails: 'NXDOMAIN',
      });
    });

    it('the server rejects a column the ASIM stream does not declare (400, dead-lettered, not dropped)', async () => {
      const sink = newSink();
      const encoded = sink.encode(ASIM_CASES[0]![1]);
      if (!encoded.ok) throw new Error(encoded.reason);
      const bad = { ...encoded.value, payload: { ...encoded.value.payload, SourceIp: '10.0.0.1' } };
      await expect(sink.push([bad], { abortSignal: AbortSignal.timeout(5000) })).rejects.toMatchObject({
        statusCode: 400,
      });
      expect(server.requests.at(-1)).toMatchObject({ status: 400 });
    });

    it('createSink builds the ASIM sink for <NAME>__schema=asim and the RetinaTraces_CL sink otherwise', () => {
      const env = { S__endpoint: server.endpoint, S__ruleId: RULE };
      const options = { credential, logsIngestionClientOptions: { tlsOptions: { ca: server.certificate } } };
      expect(
        createSink(resolveConnection('loganalytics', 'S', { ...env, S__schema: 'asim' }), options),
      ).toBeInstanceOf(AsimLogAnalyticsSink);
      expect(createSink(resolveConnection('loganalytics', 'S', env), options)).not.toBeInstanceOf(
        AsimLogAnalyticsSink,
      );
    });
  },
});
