import { BlobServiceClient } from '@azure/storage-blob';
import { BlobDeadLetterStore } from '../../../shared/sinks/send/blobDeadLetterStore';
import { resolveDeadLetterStore } from '../../../shared/sinks/send/deadLetterConnection';
import type { DeadLetterBatch } from '../../../shared/sinks/send/deadLetter';
import { azuriteConnectionString, freePort, useAzurite } from '../../support/azurite';
import { makeRecord } from '../../support/traceRecords';

const batch: DeadLetterBatch = {
  destination: 'loganalytics',
  connection: 'TRACES_LOGANALYTICS',
  batchRef: 'eventhub:0:42',
  entries: [{ kind: 'record', code: 'HTTP_413', reason: 'too large', attempts: 1, record: makeRecord(1) }],
};

describe('BlobDeadLetterStore against Azurite', () => {
  const azurite = useAzurite();
  const store = (container: string, ids = ['a', 'b', 'c']) =>
    new BlobDeadLetterStore(
      BlobServiceClient.fromConnectionString(azurite().connectionString).getContainerClient(container),
      () => new Date('2026-02-03T04:05:06Z'),
      () => ids.shift() ?? 'z',
    );

  it('lists nothing when the container does not exist yet', async () => {
    expect(await store('never-created').list()).toEqual([]);
  });

  it('writes, lists with metadata, reads back, marks and deletes', async () => {
    const s = store('trace-deadletter');
    const name = await s.write(batch);
    expect(name).toBe('loganalytics/TRACES_LOGANALYTICS/2026/02/03/04/20260203T040506000Z-a.ndjson');
    await s.write({ ...batch, destination: 'azuretable', connection: 'T' });
    expect((await s.list('loganalytics/')).map((b) => [b.name, b.count, b.batchRef, b.destination])).toEqual([
      [name, 1, 'eventhub:0:42', 'loganalytics'],
    ]);
    expect(await s.read(name)).toMatchObject({ ...batch, deadLetteredAt: '2026-02-03T04:05:06.000Z' });
    await s.markReplayFailed(name, 'still 503');
    expect((await s.list('loganalytics/'))[0]?.lastReplayError).toBe('still 503');
    await s.delete(name);
    expect((await s.list()).map((b) => b.destination)).toEqual(['azuretable']);
  });

  it('throws DEADLETTER_WRITE_FAILED when storage is unreachable', async () => {
    const down = BlobServiceClient.fromConnectionString(
      azuriteConnectionString({ blobPort: await freePort() }),
      { retryOptions: { maxTries: 1 } },
    );
    const s = new BlobDeadLetterStore(down.getContainerClient('trace-deadletter'));
    await expect(s.write(batch)).rejects.toMatchObject({ code: 'DEADLETTER_WRITE_FAILED' });
  });

  it.each([
    [{}, 'DEADLETTER__blobServiceUri: required app setting is missing'],
    [
      { DEADLETTER__connectionString: 'x', DEADLETTER__containerName: 'Bad_Name' },
      'DEADLETTER__containerName',
    ],
  ])('resolveDeadLetterStore reports bad settings: %j', (env, message) => {
    expect(() => resolveDeadLetterStore(env)).toThrow(message);
  });

  it('resolveDeadLetterStore builds a working store from a connection string', async () => {
    const s = resolveDeadLetterStore({
      DEADLETTER__connectionString: azurite().connectionString,
      DEADLETTER__containerName: 'dl-settings',
    });
    const name = await s.write(batch);
    expect((await s.list()).map((b) => b.name)).toEqual([name]);
  });
});
