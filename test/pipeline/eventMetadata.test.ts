import { eventMetadataAt, parseEnqueuedTime } from '../../shared/pipeline/eventMetadata';

describe('parseEnqueuedTime', () => {
  it.each([
    ['2023-03-13T01:25:02.25', Date.UTC(2023, 2, 13, 1, 25, 2, 250)],
    ['2023-03-13T01:25:02.25Z', Date.UTC(2023, 2, 13, 1, 25, 2, 250)],
    ['2023-03-13T02:25:02.25+01:00', Date.UTC(2023, 2, 13, 1, 25, 2, 250)],
    [new Date(Date.UTC(2024, 0, 1)), Date.UTC(2024, 0, 1)],
    [1700000000000, 1700000000000],
    ['', undefined],
    ['yesterday', undefined],
    [null, undefined],
    [{}, undefined],
  ])('%j → %j', (input, expected) => {
    expect(parseEnqueuedTime(input)).toBe(expected);
  });
});

describe('eventMetadataAt', () => {
  // Shaped like the host's real payload: partitionKeyArray is empty although there are two events.
  const triggerMetadata = {
    partitionContext: {
      fullyQualifiedNamespace: 'ns',
      eventHubName: 'traces',
      consumerGroup: '$Default',
      partitionId: '2',
    },
    propertiesArray: [{ 'trace-schema': 'retina.sh/trace-batch/v1', cluster: 'c1' }, { node: 'n2' }],
    partitionKeyArray: [],
    offsetArray: ['616008', '616100'],
    sequenceNumberArray: [59, 60],
    enqueuedTimeUtcArray: ['2023-03-13T01:25:02.25', '2023-03-13T01:25:03'],
    systemPropertiesArray: [
      {
        'x-opt-sequence-number': 59,
        sequenceNumber: 59,
        offset: '616008',
        partitionKey: null,
        enqueuedTimeUtc: '2023-03-13T01:25:02.25',
      },
      { sequenceNumber: 60, partitionKey: 'node-a' },
    ],
  };

  it('reads the first event from system properties', () => {
    expect(eventMetadataAt(triggerMetadata, 0)).toEqual({
      properties: { 'trace-schema': 'retina.sh/trace-batch/v1', cluster: 'c1' },
      enqueuedTimeMs: Date.UTC(2023, 2, 13, 1, 25, 2, 250),
      sequenceNumber: 59,
      offset: '616008',
      partitionId: '2',
    });
  });

  it('falls back to the per-field arrays and keeps the partition key', () => {
    expect(eventMetadataAt(triggerMetadata, 1)).toEqual({
      properties: { node: 'n2' },
      enqueuedTimeMs: Date.UTC(2023, 2, 13, 1, 25, 3),
      sequenceNumber: 60,
      offset: '616100',
      partitionKey: 'node-a',
      partitionId: '2',
    });
  });

  it.each([
    ['no metadata at all', undefined, 0],
    ['an index past every array', triggerMetadata, 5],
    ['arrays of the wrong type', { propertiesArray: 'x', systemPropertiesArray: [1] }, 0],
  ])('is total for %s', (_name, metadata, index) => {
    const result = eventMetadataAt(metadata, index);
    expect(result.properties).toEqual({});
    expect(result.sequenceNumber).toBeUndefined();
  });
});
