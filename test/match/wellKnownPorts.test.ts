import { WELL_KNOWN_PORTS, wellKnownPort } from '../../shared/match/wellKnownPorts';

describe('wellKnownPort', () => {
  it.each([
    ['http', 'TCP', 80],
    ['https', 'TCP', 443],
    ['dns', 'UDP', 53],
    ['dns', 'TCP', 53],
    ['ntp', 'TCP', undefined],
    ['constructor', 'TCP', undefined],
    ['', 'TCP', undefined],
  ] as const)('%s/%s → %s', (name, protocol, expected) => {
    expect(wellKnownPort(name, protocol)).toBe(expected);
  });
});

describe('WELL_KNOWN_PORTS', () => {
  it('holds valid ports and lower-case IANA-style names', () => {
    for (const [name, byProtocol] of Object.entries(WELL_KNOWN_PORTS)) {
      expect(name).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
      for (const port of Object.values(byProtocol)) expect(port).toBeGreaterThanOrEqual(1);
    }
  });
});
