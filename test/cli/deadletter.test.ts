import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { runCli } from '../../shared/cli/run';
import { COMMANDS } from '../../shared/cli/commands';
import { BlobDeadLetterStore } from '../../shared/sinks/send/blobDeadLetterStore';
import { useAzurite } from '../support/azurite';
import { makeRecords } from '../support/traceRecords';

describe('tracectl deadletter list|replay against Azurite', () => {
  const azurite = useAzurite();
  const env = () => ({
    DEADLETTER__connectionString: azurite().connectionString,
    TRACES_AZURETABLE__connectionString: azurite().connectionString,
    TRACES_AZURETABLE__tableName: 'CliTraces',
  });
  const run = async (args: string[], extraEnv: Record<string, string> = {}) => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, COMMANDS, {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      env: { ...env(), ...extraEnv },
      cwd: process.cwd(),
    });
    return { code, stdout, stderr };
  };
  const store = () =>
    new BlobDeadLetterStore(
      BlobServiceClient.fromConnectionString(azurite().connectionString).getContainerClient(
        'trace-deadletter',
      ),
    );
  const records = makeRecords(3);

  it('lists nothing on an empty store', async () => {
    expect(await run(['deadletter', 'list'])).toEqual({
      code: 0,
      stdout: 'No dead-lettered blobs.\n',
      stderr: '',
    });
  });

  it('lists dead-lettered blobs as text and JSON', async () => {
    await store().write({
      destination: 'azuretable',
      connection: 'TRACES_AZURETABLE',
      batchRef: 'eventhub:1:7',
      entries: records.map((record) => ({
        kind: 'record' as const,
        code: 'HTTP_503',
        reason: 'busy',
        attempts: 4,
        record,
      })),
    });
    await store().write({
      destination: 'input',
      connection: '',
      batchRef: 'eventhub:1:8',
      entries: [
        { kind: 'event', code: 'CAPTURE_UNREADABLE', reason: 'bad magic', body: 'AAE=', properties: {} },
      ],
    });
    const text = await run(['deadletter', 'list']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^azuretable\/TRACES_AZURETABLE\/.*\.ndjson {2}3 entries {2}\d+ bytes {2}batch eventhub:1:7$/m,
    );
    expect(text.stdout).toContain('2 blob(s), 4 entries.');
    const json = await run(['deadletter', 'list', '-o', 'json', '--prefix', 'input/']);
    expect((JSON.parse(json.stdout) as Array<{ destination: string }>).map((b) => b.destination)).toEqual([
      'input',
    ]);
  });

  it('replays record blobs to their destination, deletes them, and skips input events', async () => {
    const result = await run(['deadletter', 'replay']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/replayed: azuretable\/.* \(azuretable, 3\/3 delivered\)/);
    expect(result.stdout).toMatch(/skipped: input\/.*tracectl replay/);
    const table = TableClient.fromConnectionString(azurite().connectionString, 'CliTraces', {
      allowInsecureConnection: true,
    });
    const ids: string[] = [];
    for await (const entity of table.listEntities()) ids.push(entity.rowKey ?? '');
    expect(ids.sort()).toEqual(records.map((r) => r.RecordId).sort());
    expect((await store().list()).map((b) => b.destination)).toEqual(['input']);
  });

  it('keeps a blob and exits 1 when its destination is misconfigured', async () => {
    const name = await store().write({
      destination: 'loganalytics',
      connection: 'TRACES_LOGANALYTICS',
      batchRef: 'x',
      entries: [{ kind: 'record', code: 'HTTP_503', reason: 'busy', attempts: 1, record: records[0]! }],
    });
    const result = await run(['deadletter', 'replay', name]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('TRACES_LOGANALYTICS__endpoint: required app setting is missing');
    expect((await store().list()).map((b) => b.name)).toContain(name);
  });

  it.each([
    [['deadletter', 'list', '-o', 'yaml'], 2, '--output must be text or json'],
    [['deadletter', 'replay', '--attempt-timeout', '0'], 2, '--attempt-timeout must be a positive'],
    // Under jest, node's parseArgs errors come from another realm, so only their code is printed.
    [['deadletter', 'list', '--bogus'], 2, "unknown option '--bogus'"],
    [['deadletter'], 2, 'missing sub-command'],
  ])('%j exits %i', async (args, code, message) => {
    const result = await run(args);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
  });

  it('reports missing dead-letter settings by name', async () => {
    let stderr = '';
    const code = await runCli(['deadletter', 'list'], COMMANDS, {
      stdout: () => undefined,
      stderr: (t) => (stderr += t),
      env: {},
      cwd: '.',
    });
    expect(code).toBe(2);
    expect(stderr).toContain('DEADLETTER__blobServiceUri: required app setting is missing');
  });
});
