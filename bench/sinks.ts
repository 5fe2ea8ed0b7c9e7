/**
 * Sink benchmark (`npm run bench:sinks`): encode throughput per sink (records/s on one core,
 * encoded bytes per record), Log Analytics billed bytes per record and cost per million packets,
 * and end-to-end delivery through the real send stack against Azurite (Table), the local HTTPS
 * Logs Ingestion server and the local OTLP receiver. Synthetic records (L3/L4 only and with HTTP);
 * per-capture averages need the pipeline and are out of this benchmark's reach.
 */
import { Writable } from 'node:stream';
import { BlobServiceClient } from '@azure/storage-blob';
import type { TraceRecord } from '../shared/record/traceRecord';
import { TRACE_RECORD_COLUMNS } from '../shared/record/traceRecord';
import { LocalTokenCredential } from '../shared/local/localTokenCredential';
import { LogsIngestionServer } from '../shared/local/logsIngestionServer';
import { OtlpReceiver } from '../shared/local/otlpReceiver';
import { createAzureTableSink } from '../shared/sinks/azureTable/azureTableSink';
import { LogAnalyticsSink, createLogsIngestionClient } from '../shared/sinks/logAnalytics/logAnalyticsSink';
import { OpenTelemetrySink } from '../shared/sinks/openTelemetry/openTelemetrySink';
import { BlobDeadLetterStore } from '../shared/sinks/send/blobDeadLetterStore';
import { deliver } from '../shared/sinks/send/deliver';
import type { Sink } from '../shared/sinks/sink';
import { StdoutSink, streamWriter } from '../shared/sinks/stdout/stdoutSink';
import { startAzurite } from '../shared/local/azurite';
import { makeRecord } from '../test/support/traceRecords';
import { printTableDeliveryCpu } from './tableCpu';

const L4_ONLY: Array<keyof TraceRecord> = [
  'L7Protocol',
  'HttpMethod',
  'HttpPath',
  'HttpHost',
  'HttpVersion',
  'HttpUserAgent',
];
const l4Record = (i: number): TraceRecord => {
  const r = makeRecord(i);
  for (const key of L4_ONLY) delete r[key];
  return r;
};

/** Billed size: column values as stored text (learn: cost-logs, "string representation"). */
function billedBytes(record: TraceRecord): number {
  let total = 0;
  for (const [column] of TRACE_RECORD_COLUMNS) {
    const value = record[column];
    if (value === undefined) continue;
    total += Buffer.byteLength(typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return total;
}

function encodeBench(name: string, sink: Sink, records: TraceRecord[]): void {
  for (let i = 0; i < 2000; i++) sink.encode(records[i % records.length]!);
  let bytes = 0;
  const start = process.hrtime.bigint();
  for (const record of records) {
    const r = sink.encode(record);
    if (r.ok) bytes += r.value.bytes;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(
    `  ${name.padEnd(14)} ${Math.round(records.length / seconds)
      .toLocaleString('en-US')
      .padStart(10)} records/s   ${(bytes / records.length).toFixed(0).padStart(5)} bytes/record`,
  );
}

async function e2e(
  name: string,
  sink: Sink,
  records: TraceRecord[],
  store: BlobDeadLetterStore,
): Promise<void> {
  const start = process.hrtime.bigint();
  const report = await deliver(sink, records, { deadLetter: store, batchRef: 'bench' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(
    `  ${name.padEnd(14)} ${Math.round(records.length / seconds)
      .toLocaleString('en-US')
      .padStart(
        10,
      )} records/s   ${report.batches} pushes, ${report.delivered} delivered, ${report.deadLettered} dead-lettered`,
  );
}

async function main(): Promise<void> {
  const count = Number(process.env.BENCH_RECORDS ?? 50_000);
  const withL7 = Array.from({ length: count }, (_, i) => makeRecord(i));
  const l4 = Array.from({ length: count }, (_, i) => l4Record(i));
  const la = new LogsIngestionServer();
  const otlp = new OtlpReceiver();
  await Promise.all([la.start(), otlp.start()]);
  const azurite = await startAzurite();
  try {
    const devNull = new Writable({ write: (_c, _e, cb) => cb() });
    const conn = {
      destination: 'loganalytics' as const,
      name: 'LA',
      endpoint: la.endpoint,
      ruleId: `dcr-${'0'.repeat(32)}`,
      streamName: 'Custom-RetinaTraces_CL',
    };
    const sinks = (): Array<[string, Sink]> => [
      ['stdout', new StdoutSink(streamWriter(devNull))],
      [
        'azuretable',
        createAzureTableSink({
          destination: 'azuretable',
          name: 'T',
          tableName: 'Bench',
          connectionString: azurite.connectionString,
        }),
      ],
      [
        'loganalytics',
        new LogAnalyticsSink(
          createLogsIngestionClient(conn, new LocalTokenCredential(), { tlsOptions: { ca: la.certificate } }),
          conn,
        ),
      ],
      ['opentelemetry', new OpenTelemetrySink({ name: 'O', endpoint: otlp.endpoint, headers: {} })],
      [
        'otlp protobuf',
        new OpenTelemetrySink({ name: 'P', endpoint: otlp.endpoint, headers: {}, protocol: 'http/protobuf' }),
      ],
    ];
    for (const [label, records] of [
      ['L3/L4 only', l4],
      ['with HTTP', withL7],
    ] as const) {
      console.log(`Encode (${count.toLocaleString('en-US')} ${label} records, one core):`);
      for (const [name, sink] of sinks()) encodeBench(name, sink, records);
    }
    await printTableDeliveryCpu(Math.min(count, 5_000));
    console.log('Log Analytics billed size (column values as text) and ingestion cost per million packets:');
    for (const [label, records] of [
      ['L3/L4 only', l4],
      ['with HTTP', withL7],
    ] as const) {
      const avg = records.slice(0, 5000).reduce((n, r) => n + billedBytes(r), 0) / 5000;
      const gbPerMillion = (avg * 1e6) / 1024 ** 3;
      console.log(
        `  ${label.padEnd(11)} ${avg.toFixed(0)} bytes/record  → $${(gbPerMillion * 2.3).toFixed(2)} Analytics ($2.30/GB), $${(gbPerMillion * 0.5).toFixed(2)} Basic ($0.50/GB)`,
      );
    }
    const e2eCount = Math.min(count, 20_000);
    const store = new BlobDeadLetterStore(
      BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('trace-deadletter'),
    );
    console.log(
      `End to end through deliver() (${e2eCount.toLocaleString('en-US')} records with HTTP, local services):`,
    );
    for (const [name, sink] of sinks()) await e2e(name, sink, withL7.slice(0, e2eCount), store);
  } finally {
    await Promise.all([la.stop(), otlp.stop(), azurite.stop()]);
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
