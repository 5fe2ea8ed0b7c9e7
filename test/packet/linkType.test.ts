import { isSupportedLinkType, LinkType } from '../../shared/packet/linkType';

describe('isSupportedLinkType', () => {
  it.each([
    ...Object.values(LinkType).map((t) => [t, true] as const),
    [147, false] as const,
    [-1, false] as const,
    [105, false] as const,
  ])('%s → %s', (linkType, expected) => {
    expect(isSupportedLinkType(linkType)).toBe(expected);
  });
});
