import { LocalTokenCredential } from '../../../shared/local/localTokenCredential';
import { LogsIngestionServer } from '../../../shared/local/logsIngestionServer';
import {
  LogAnalyticsSink,
  createLogsIngestionClient,
} from '../../../shared/sinks/logAnalytics/logAnalyticsSink';
import { deliver } from '../../../shared/sinks/send/deliver';
import type { DeadLetterBatch } from '../../../shared/sinks/send/deadLetter';
import { makeRecords } from '../../support/traceRecords';
import { sinkContract } from '../sinkContract';

const RULE = 'dcr-0123456789abcdef0123456789abcdef';
const STREAM = 'Custom-RetinaTraces_CL';
let server: LogsIngestionServer;
let credential: LocalTokenCredential;

const connection = () => ({
  destination: 'loganalytics' as const,
  name: 'TRACES_LOGANALYTICS',
  endpoint: server.endpoint,
  ruleId: RULE,
  streamName: STREAM,
});
const newSink = () =>
  new LogAnalyticsSink(
    createLogsIngestionClient(connection(), credential, { tlsOptions: { ca: server.certificate } }),
    connection(),
  );

sinkContract('loganalytics', {
  manyCount: 4000,
  idempotent: false,
  async start() {
    server = new LogsIngestionServer({ ruleIds: [RULE] });
    await server.start();
    credential = new LocalTokenCredential();
  },
  stop: () => server.stop(),
  createSink: newSink,
  faults: () => server.faults,
  async stored() {
    const out = new Map<string, string[]>();
    for (const { row } of server.accepted) {
      const id = String(row.RecordId);
      out.set(id, [...(out.get(id) ?? []), JSON.stringify(row)]);
    }
    return out;
  },
  extraTests() {
    it('sends gzip with a monitor.azure.com token and keeps every request under 1 MB', async () => {
      const before = server.requests.length;
      await deliver(newSink(), makeRecords(3000, 900_000), {
        deadLetter: { write: () => Promise.reject(new Error('none expected')) },
        batchRef: 'x',
      });
      const sent = server.requests.slice(before);
      expect(sent.length).toBeGreaterThanOrEqual(2);
      expect(sent.every((r) => r.status === 204 && r.gzip && r.bodyBytes < 1_000_000)).toBe(true);
      expect(credential.requestedScopes).toContain('https://monitor.azure.com/.default');
    });

    it('returns only the failed rows when one SDK chunk of a push fails', async () => {
      const sink = newSink();
      const rows = makeRecords(2400, 950_000)
        .map((r) => sink.encode(r))
        .flatMap((r) => (r.ok ? [r.value] : []));
      server.faults.enqueue({ kind: 'status', status: 500 });
      // Pushed directly (not through deliver) with more than 1 MB, so the SDK splits it in 2+ chunks.
      const result = await sink.push(rows, { abortSignal: AbortSignal.timeout(10_000) });
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.failed.length).toBeGreaterThan(0);
        expect(result.failed.length).toBeLessThan(rows.length);
        expect(result.failure).toMatchObject({ kind: 'retryable', code: 'HTTP_500' });
      }
    });

    it.each([
      ['413 is permanent', 413, 'permanent'],
      ['401 is permanent', 401, 'permanent'],
      ['502 is retryable', 502, 'retryable'],
    ])('%s', async (_name, status, kind) => {
      const written: DeadLetterBatch[] = [];
      server.faults.setStanding({ kind: 'status', status });
      const report = await deliver(newSink(), makeRecords(2, 990_000 + status), {
        deadLetter: { write: async (b) => (written.push(b), 'blob') },
        batchRef: 'x',
        maxAttempts: 2,
        baseDelayMs: 1,
      });
      expect(report.attempts).toBe(kind === 'permanent' ? 1 : 2);
      expect(written[0]?.entries[0]?.code).toBe(`HTTP_${status}`);
    });
  },
});
