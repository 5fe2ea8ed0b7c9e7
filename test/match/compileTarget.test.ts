import { compileTarget } from '../../shared/match/compileTarget';
import { portIndexKey } from '../../shared/match/ports';
import { tracePointBit } from '../../shared/match/tracePoints';
import { parseIp } from '../../shared/net/ipAddress';
import { cidr, selector, target } from './support/builders';

const ip = (text: string) => parseIp(text)!;

describe('compileTarget', () => {
  it.each([
    ['empty target matches any direction', target({}), true],
    ['from holds', target({ from: [cidr('10.0.0.0/8')] }), true],
    ['from fails', target({ from: [cidr('11.0.0.0/8')] }), false],
    ['to holds', target({ to: [cidr('10.0.0.2')] }), true],
    ['to fails', target({ to: [cidr('10.0.0.1')] }), false],
    ['ports hold', target({ ports: [{ protocol: 'TCP', port: 80 }] }), true],
    ['ports fail', target({ ports: [{ protocol: 'TCP', port: 81 }] }), false],
    [
      'all three hold',
      target({ from: [cidr('10.0.0.1')], to: [cidr('10.0.0.2')], ports: [{ protocol: 'TCP', port: 80 }] }),
      true,
    ],
    [
      'one of three fails',
      target({ from: [cidr('10.0.0.1')], to: [cidr('10.0.0.3')], ports: [{ protocol: 'TCP', port: 80 }] }),
      false,
    ],
  ])('%s (10.0.0.1 → 10.0.0.2:80 TCP)', (_name, t, expected) => {
    expect(compileTarget(t).direction(ip('10.0.0.1'), undefined, ip('10.0.0.2'), undefined, 6, 80)).toBe(
      expected,
    );
  });

  it.each([
    [
      'ports enumerable',
      target({ ports: [{ protocol: 'UDP', port: 53 }] }),
      [portIndexKey(17, 53)],
      undefined,
      undefined,
    ],
    [
      'to blocks',
      target({ to: [cidr('10.0.0.0/8'), cidr('::/0')] }),
      undefined,
      ['10.0.0.0/8', '::/0'],
      undefined,
    ],
    [
      'to mixes a selector',
      target({ to: [cidr('10.0.0.0/8'), { namespaceSelector: selector() }] }),
      undefined,
      undefined,
      undefined,
    ],
    ['from blocks', target({ from: [cidr('10.0.0.0/8')] }), undefined, undefined, ['10.0.0.0/8']],
    ['nothing to index', target({ from: [{ nodeSelector: selector() }] }), undefined, undefined, undefined],
  ])('index hints: %s', (_name, t, keys, toBlocks, fromBlocks) => {
    const compiled = compileTarget(t);
    expect([compiled.indexKeys, compiled.toBlocks, compiled.fromBlocks]).toEqual([
      keys,
      toBlocks,
      fromBlocks,
    ]);
  });

  it('checks trace points separately', () => {
    const compiled = compileTarget(target({ tracePoints: ['PodToNode'] }));
    expect(compiled.tracePoint(tracePointBit('PodToNode'))).toBe(true);
    expect(compiled.tracePoint(tracePointBit('NodeToPod'))).toBe(false);
    expect(compiled.tracePoint(tracePointBit(undefined))).toBe(false);
  });
});
