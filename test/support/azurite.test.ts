import { AZURITE_ACCOUNT_KEY, azuriteConnectionString, startAzurite } from './azurite';
import { BlobServiceClient } from '@azure/storage-blob';

describe('azuriteConnectionString', () => {
  it.each([
    [{}, `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_ACCOUNT_KEY};`],
    [
      { tablePort: 3 },
      `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_ACCOUNT_KEY};TableEndpoint=http://127.0.0.1:3/devstoreaccount1;`,
    ],
    [
      { blobPort: 1, queuePort: 2, host: 'localhost' },
      `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=http://localhost:1/devstoreaccount1;QueueEndpoint=http://localhost:2/devstoreaccount1;`,
    ],
  ])('%j', (ports, expected) => {
    expect(azuriteConnectionString(ports)).toBe(expected);
  });
});

describe('startAzurite', () => {
  it('starts on free ports, serves blobs, and stops idempotently', async () => {
    const azurite = await startAzurite();
    try {
      const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
        'probe',
      );
      await container.create();
      expect(await container.exists()).toBe(true);
    } finally {
      await azurite.stop();
      await azurite.stop();
    }
    const again = BlobServiceClient.fromConnectionString(azurite.connectionString, {
      retryOptions: { maxTries: 1 },
    });
    await expect(again.getContainerClient('probe').exists()).rejects.toThrow();
  });
});
