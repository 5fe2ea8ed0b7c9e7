import type { PortRule } from '../../shared/config/model';
import type { Endpoint } from '../../shared/enrich/identity';
import { compilePorts, MAX_INDEXED_RANGE, portIndexKey } from '../../shared/match/ports';

const withPorts: Endpoint = {
  ip: '10.0.0.1',
  kind: 'pod',
  name: 'p',
  ports: [{ name: 'grpc', port: 9000, protocol: 'TCP' }],
};

describe('compilePorts', () => {
  it('returns nothing without rules (any port matches)', () => {
    expect(compilePorts([])).toBeUndefined();
  });

  it.each<[string, PortRule[], number, number, Endpoint | undefined, boolean]>([
    ['exact', [{ protocol: 'TCP', port: 443 }], 6, 443, undefined, true],
    ['exact, UDP packet', [{ protocol: 'TCP', port: 443 }], 17, 443, undefined, false],
    ['range low edge', [{ protocol: 'UDP', port: 10, endPort: 20 }], 17, 10, undefined, true],
    ['range high edge', [{ protocol: 'UDP', port: 10, endPort: 20 }], 17, 20, undefined, true],
    ['range beyond', [{ protocol: 'UDP', port: 10, endPort: 20 }], 17, 21, undefined, false],
    ['any port of protocol', [{ protocol: 'SCTP' }], 132, 1, undefined, true],
    ['no port on packet', [{ protocol: 'TCP', port: 80 }], 6, -1, undefined, false],
    [
      'rules OR-ed',
      [
        { protocol: 'TCP', port: 80 },
        { protocol: 'UDP', port: 53 },
      ],
      17,
      53,
      undefined,
      true,
    ],
    ['well-known name', [{ protocol: 'TCP', port: 'https' }], 6, 443, undefined, true],
    ['well-known name, wrong protocol', [{ protocol: 'UDP', port: 'http' }], 17, 80, undefined, false],
    ['container port name', [{ protocol: 'TCP', port: 'grpc' }], 6, 9000, withPorts, true],
    ['container port name, other port', [{ protocol: 'TCP', port: 'grpc' }], 6, 9001, withPorts, false],
    ['container port name, no ports known', [{ protocol: 'TCP', port: 'grpc' }], 6, 9000, undefined, false],
    ['named, no port on packet', [{ protocol: 'TCP', port: 'http' }], 6, -1, undefined, false],
  ])('%s', (_name, rules, protocol, port, destination, expected) => {
    expect(compilePorts(rules)?.predicate(protocol, port, destination)).toBe(expected);
  });

  it.each<[string, PortRule[], number[] | undefined]>([
    [
      'exact ports',
      [
        { protocol: 'TCP', port: 80 },
        { protocol: 'UDP', port: 53 },
      ],
      [portIndexKey(6, 80), portIndexKey(17, 53)],
    ],
    [
      'small range',
      [{ protocol: 'TCP', port: 1, endPort: 3 }],
      [portIndexKey(6, 1), portIndexKey(6, 2), portIndexKey(6, 3)],
    ],
    ['large range', [{ protocol: 'TCP', port: 1, endPort: 1 + MAX_INDEXED_RANGE }], undefined],
    ['protocol only', [{ protocol: 'TCP' }], undefined],
    ['named', [{ protocol: 'TCP', port: 'http' }], undefined],
  ])('index keys: %s', (_name, rules, expected) => {
    expect(compilePorts(rules)?.indexKeys).toEqual(expected);
  });
});
