import { formatInterfaceName, parseInterfaceName } from '../../shared/capture/interfaceName';

describe('parseInterfaceName', () => {
  it.each([
    ['NodeToPod/eth0', { tracePoint: 'NodeToPod', ifName: 'eth0' }],
    ['podtonode/veth12ab', { tracePoint: 'PodToNode', ifName: 'veth12ab' }],
    ['NODETONETWORK/eth0', { tracePoint: 'NodeToNetwork', ifName: 'eth0' }],
    ['NetworkToNode/eth0/sub', { tracePoint: 'NetworkToNode', ifName: 'eth0/sub' }],
    ['', undefined],
    [undefined, undefined],
    ['eth0', undefined],
    ['/eth0', undefined],
    ['NodeToPod/', undefined],
    ['Pod/eth0', undefined],
    ['\\Device\\NPF_{C7DF}', undefined],
  ])('%s', (name, expected) => {
    expect(parseInterfaceName(name)).toEqual(expected);
  });

  it('round-trips formatInterfaceName', () => {
    expect(parseInterfaceName(formatInterfaceName('NodeToNetwork', 'eth1'))).toEqual({
      tracePoint: 'NodeToNetwork',
      ifName: 'eth1',
    });
  });
});
