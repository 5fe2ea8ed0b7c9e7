import { spawnSync } from 'node:child_process';
import { AZURITE_STANDARD_PORTS, chooseAzuritePorts } from '../../shared/local/azurite';
import { exportBlock, shellQuote } from '../../shared/local/exportBlock';

describe('chooseAzuritePorts', () => {
  let next = 40000;
  const pickFree = async (): Promise<number> => (next += 1);

  it.each<[string, number[], { standard: boolean; busy: number[] }]>([
    ['all standard ports free', [], { standard: true, busy: [] }],
    ['the blob port taken', [10000], { standard: false, busy: [10000] }],
    ['all three taken', [10000, 10001, 10002], { standard: false, busy: [10000, 10001, 10002] }],
    ['an unrelated port taken', [7071], { standard: true, busy: [] }],
  ])('%s', async (_name, taken, expected) => {
    const choice = await chooseAzuritePorts(async (port) => taken.includes(port), pickFree);
    expect(choice).toMatchObject(expected);
    if (expected.standard) expect(choice).toMatchObject(AZURITE_STANDARD_PORTS);
    else
      expect(
        [choice.blobPort, choice.queuePort, choice.tablePort].some((port) => port >= 10000 && port <= 10002),
      ).toBe(false);
  });
});

describe('exportBlock', () => {
  it('exports every connection setting, quoted for the shell, and nothing else', () => {
    expect(
      exportBlock({
        AzureWebJobsStorage: 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1',
        EventHubConnection: "Endpoint=sb://127.0.0.1:5999;it's",
        TRACES_AZURETABLE__connectionString: 'x',
        TRACES_LOGANALYTICS__endpoint: 'https://127.0.0.1:7443',
        TRACES_AZURETABLE__tableName: 'RetinaTraces',
        CONFIG_REFRESH_INTERVAL_MS: '1000',
        TRACECTL_SERVER: 'http://127.0.0.1:7071',
      }),
    ).toBe(
      [
        "export AzureWebJobsStorage='DefaultEndpointsProtocol=http;AccountName=devstoreaccount1'",
        "export EventHubConnection='Endpoint=sb://127.0.0.1:5999;it'\\''s'",
        "export TRACECTL_SERVER='http://127.0.0.1:7071'",
        "export TRACES_AZURETABLE__connectionString='x'",
        "export TRACES_LOGANALYTICS__endpoint='https://127.0.0.1:7443'",
      ].join('\n'),
    );
  });

  it.each([[''], ["'"], ['a b;c']])('shellQuote(%j) survives a real shell', (value) => {
    expect(spawnSync('sh', ['-c', `printf %s ${shellQuote(value)}`], { encoding: 'utf8' }).stdout).toBe(
      value,
    );
  });

  it('is empty when nothing is a connection setting', () => {
    expect(exportBlock({ CONFIG_REFRESH_INTERVAL_MS: '1' })).toBe('');
  });
});
