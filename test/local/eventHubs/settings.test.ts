import {
  DEFAULT_LOCAL_HUBS,
  DEFAULT_SAS_KEY,
  DEFAULT_SAS_KEY_NAME,
  resolveLocalEventHubsSettings,
} from '../../../shared/local/eventHubs/settings';
import type { LocalEventHubsOptions } from '../../../shared/local/eventHubs/settings';

describe('resolveLocalEventHubsSettings', () => {
  it('applies the documented defaults to empty options', () => {
    expect(resolveLocalEventHubsSettings({})).toEqual({
      port: 0,
      host: '127.0.0.1',
      hubs: DEFAULT_LOCAL_HUBS,
      sasKeyName: DEFAULT_SAS_KEY_NAME,
      sasKey: DEFAULT_SAS_KEY,
      validateTokens: true,
      maxEventsPerPartition: 10_000,
      maxBytesPerPartition: 64 * 1024 * 1024,
      maxMessageSizeInBytes: 1024 * 1024,
    });
  });

  it('keeps given values', () => {
    const onLog = () => undefined;
    const settings = resolveLocalEventHubsSettings({
      port: 5672,
      hubs: [{ name: 'a', partitionCount: 2, consumerGroups: ['g'] }],
      validateTokens: false,
      onLog,
    });
    expect(settings).toMatchObject({ port: 5672, validateTokens: false, onLog });
    expect(settings.hubs).toEqual([{ name: 'a', partitionCount: 2, consumerGroups: ['g'] }]);
  });

  it.each<[string, LocalEventHubsOptions, RegExp]>([
    ['negative port', { port: -1 }, /port:/],
    ['port too large', { port: 70000 }, /port:/],
    ['no hubs', { hubs: [] }, /hubs:/],
    ['zero partitions', { hubs: [{ name: 'a', partitionCount: 0 }] }, /hubs\.0\.partitionCount/],
    ['fractional partitions', { hubs: [{ name: 'a', partitionCount: 1.5 }] }, /hubs\.0\.partitionCount/],
    ['empty hub name', { hubs: [{ name: '', partitionCount: 1 }] }, /hubs\.0\.name/],
    ['hub name with a slash', { hubs: [{ name: 'a/b', partitionCount: 1 }] }, /hubs\.0\.name/],
    [
      'duplicate hub names',
      {
        hubs: [
          { name: 'A', partitionCount: 1 },
          { name: 'a', partitionCount: 1 },
        ],
      },
      /unique/,
    ],
    ['zero max events', { maxEventsPerPartition: 0 }, /maxEventsPerPartition/],
    ['unknown option', { colour: 'red' } as LocalEventHubsOptions, /colour|Unrecognized/],
  ])('rejects %s naming the field', (_name, options, message) => {
    expect(() => resolveLocalEventHubsSettings(options)).toThrow(message);
    expect(() => resolveLocalEventHubsSettings(options)).toThrow(
      expect.objectContaining({ code: 'LOCAL_EVENTHUBS_OPTIONS_INVALID' }),
    );
  });
});
