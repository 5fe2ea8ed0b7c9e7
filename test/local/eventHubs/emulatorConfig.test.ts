import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { hubsFromEmulatorConfig } from '../../../shared/local/eventHubs/emulatorConfig';
import { DEFAULT_LOCAL_HUBS } from '../../../shared/local/eventHubs/settings';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const configJson: unknown = JSON.parse(readFileSync(path.join(ROOT, 'infra/emulator/Config.json'), 'utf8'));

function config(entities: unknown, namespace: Record<string, unknown> = {}): unknown {
  return {
    UserConfig: {
      NamespaceConfig: [{ Type: 'EventHub', Name: 'emulatorNs1', Entities: entities, ...namespace }],
      LoggingConfig: { Type: 'File' },
    },
  };
}

describe('infra/emulator/Config.json and docker-compose.yml', () => {
  it('declare the hub the local endpoint serves by default', () => {
    expect(hubsFromEmulatorConfig(configJson, 'infra/emulator/Config.json')).toEqual(DEFAULT_LOCAL_HUBS);
    expect(DEFAULT_LOCAL_HUBS).toEqual([
      { name: 'retina-traces', partitionCount: 4, consumerGroups: ['retina-trace-backend'] },
    ]);
  });

  it('run the official emulator with that Config.json beside Azurite', () => {
    const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: Record<
        string,
        {
          image: string;
          volumes?: string[];
          environment?: Record<string, string>;
          depends_on?: string[];
          ports?: string[];
        }
      >;
    };
    const emulator = compose.services.emulator;
    const azurite = compose.services.azurite;
    expect(emulator?.image).toBe('mcr.microsoft.com/azure-messaging/eventhubs-emulator:latest');
    expect(azurite?.image).toBe('mcr.microsoft.com/azure-storage/azurite:latest');
    expect(emulator?.volumes).toContain(
      './infra/emulator/Config.json:/Eventhubs_Emulator/ConfigFiles/Config.json',
    );
    expect(emulator?.environment).toMatchObject({ BLOB_SERVER: 'azurite', METADATA_SERVER: 'azurite' });
    expect(emulator?.environment?.ACCEPT_EULA).toBeDefined();
    expect(emulator?.depends_on).toEqual(['azurite']);
    expect(emulator?.ports).toContain('5672:5672');
    expect(azurite?.ports).toEqual(expect.arrayContaining(['10000:10000', '10001:10001', '10002:10002']));
  });
});

describe('hubsFromEmulatorConfig', () => {
  it.each([
    [[{ Name: 'a', PartitionCount: '1' }], [{ name: 'a', partitionCount: 1, consumerGroups: [] }]],
    [
      [{ Name: 'b', PartitionCount: '32', ConsumerGroups: [{ Name: 'x' }, { Name: 'y' }] }],
      [{ name: 'b', partitionCount: 32, consumerGroups: ['x', 'y'] }],
    ],
  ])('reads %j', (entities, expected) => {
    expect(hubsFromEmulatorConfig(config(entities))).toEqual(expected);
  });

  it.each<[string, unknown, RegExp]>([
    ['an empty document', {}, /UserConfig/],
    ['null', null, /\(root\)/],
    ['no entities', config([]), /Entities/],
    ['a numeric partition count', config([{ Name: 'a', PartitionCount: 4 }]), /Entities\.0\.PartitionCount/],
    ['33 partitions', config([{ Name: 'a', PartitionCount: '33' }]), /PartitionCount/],
    ['zero partitions', config([{ Name: 'a', PartitionCount: '0' }]), /PartitionCount/],
    [
      'a declared $Default',
      config([{ Name: 'a', PartitionCount: '1', ConsumerGroups: [{ Name: '$Default' }] }]),
      /implicit/,
    ],
    [
      'another namespace name',
      config([{ Name: 'a', PartitionCount: '1' }], { Name: 'ns2' }),
      /NamespaceConfig\.0\.Name/,
    ],
  ])('rejects %s naming the path', (_name, document, message) => {
    expect(() => hubsFromEmulatorConfig(document, 'my.json')).toThrow(message);
    expect(() => hubsFromEmulatorConfig(document, 'my.json')).toThrow(
      /my\.json is not a valid emulator configuration/,
    );
  });
});
