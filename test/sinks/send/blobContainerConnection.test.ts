import { resolveBlobContainer } from '../../../shared/sinks/send/blobContainerConnection';
import { resolveRetentionStore } from '../../../shared/retention/retentionConnection';
import { resolveDeadLetterStore } from '../../../shared/sinks/send/deadLetterConnection';

const AZURITE =
  'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;';
const base = {
  prefix: 'STORE',
  defaultContainer: 'the-default',
  what: 'test store',
  missingHint: 'or set x',
};

describe('resolveBlobContainer', () => {
  it.each([
    ['nothing set', {}, /^test store: STORE__blobServiceUri: required app setting is missing \(or set x\)$/],
    [
      'a URI that is not http(s)',
      { STORE__blobServiceUri: 'ftp://x' },
      /STORE__blobServiceUri: must be an http\(s\) URL/,
    ],
    [
      'a bad container name',
      { STORE__connectionString: AZURITE, STORE__containerName: 'Bad_Name' },
      /STORE__containerName: must be a valid container name/,
    ],
  ])('%s: CONNECTION_INVALID naming the setting', (_label, env, message) => {
    expect(() => resolveBlobContainer(env, base)).toThrow(
      expect.objectContaining({ code: 'CONNECTION_INVALID' }),
    );
    expect(() => resolveBlobContainer(env, base)).toThrow(message);
  });

  it('defaults the container, and overrides win over the settings', () => {
    expect(resolveBlobContainer({ STORE__connectionString: AZURITE }, base).containerName).toBe(
      'the-default',
    );
    const overridden = resolveBlobContainer(
      {
        STORE__blobServiceUri: 'https://nowhere.blob.core.windows.net',
        STORE__containerName: 'from-settings',
      },
      { ...base, overrides: { connectionString: AZURITE, containerName: 'from-flag' } },
    );
    expect(overridden.containerName).toBe('from-flag');
    expect(overridden.url).toMatch(/^http:\/\/127\.0\.0\.1:10000\/devstoreaccount1\/from-flag$/);
  });

  it('the dead-letter and retention stores read their own prefixes', () => {
    expect(() => resolveDeadLetterStore({})).toThrow(/^dead-letter store: DEADLETTER__blobServiceUri: /);
    expect(() => resolveRetentionStore({})).toThrow(
      /^retained packets store: RETENTION__blobServiceUri: required app setting is missing \(or pass --connection-string\)$/,
    );
    expect(() =>
      resolveRetentionStore({}, { connectionString: AZURITE, container: 'trace-retained' }),
    ).not.toThrow();
  });
});
