import { decideOwnership } from '../../../shared/local/eventHubs/receiverOwnership';

describe('decideOwnership', () => {
  it.each<[string, (number | undefined)[], number | undefined, number[]]>([
    ['first plain receiver', [], undefined, []],
    ['another plain receiver', [undefined, undefined], undefined, []],
    ['first owner-level receiver', [], 0, []],
    ['owner level over plain receivers', [undefined, undefined], 0, [0, 1]],
    ['equal owner level takes over', [3], 3, [0]],
    ['higher owner level takes over', [1], 2, [0]],
  ])('admits the %s', (_name, existing, ownerLevel, displaced) => {
    expect(decideOwnership(existing, ownerLevel)).toEqual({ admit: true, displaced });
  });

  it.each<[string, (number | undefined)[], number | undefined, RegExp]>([
    ['lower owner level', [5], 4, /higher owner level 5 .* 4 is refused/],
    ['plain receiver beside an owner', [undefined, 0], undefined, /owner level 0 is attached/],
  ])('refuses a %s', (_name, existing, ownerLevel, description) => {
    const decision = decideOwnership(existing, ownerLevel);
    expect(decision.admit).toBe(false);
    expect(decision.admit ? '' : decision.description).toMatch(description);
  });
});
