import { ConnectionClaims, entityPathOf } from '../../../shared/local/eventHubs/claims';

describe('entityPathOf', () => {
  it.each([
    ['sb://localhost:5672/hub/$management', 'hub/$management'],
    ['sb://localhost:5672/', ''],
    ['sb://localhost:5672', ''],
    ['', ''],
  ])('%j → %j', (uri, path) => {
    expect(entityPathOf(uri)).toBe(path);
  });
});

describe('ConnectionClaims', () => {
  it.each([
    [[], 'hub', false],
    [['sb://localhost/hub'], 'hub', true],
    [['sb://localhost/hub'], 'HUB/Partitions/0', true],
    [['sb://localhost/hub'], 'hub2', false],
    [['sb://localhost/hub/Partitions/0'], 'hub/Partitions/1', false],
    [
      ['sb://localhost/hub/ConsumerGroups/$Default/Partitions/0'],
      'hub/ConsumerGroups/$Default/Partitions/0',
      true,
    ],
    [['sb://localhost/'], 'any/thing', true],
    [['sb://127.0.0.1:1/hub/$management'], 'hub/$management', true],
  ])('claims %j cover %j: %s', (granted, path, expected) => {
    const claims = new ConnectionClaims();
    for (const uri of granted) claims.grant(uri);
    expect(claims.covers(path)).toBe(expected);
  });
});
