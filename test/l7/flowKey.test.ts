import { l7FlowKey } from '../../shared/l7/flowKey';

const v4 = (...b: number[]) => Uint8Array.from(b);
const v6 = (last: number) =>
  Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), last]);

describe('l7FlowKey', () => {
  it.each([
    ['IPv4', v4(10, 0, 0, 1), 40000, v4(10, 0, 0, 2), 80],
    ['IPv6', v6(1), 40000, v6(2), 443],
    ['same address, different ports', v4(10, 0, 0, 1), 1, v4(10, 0, 0, 1), 2],
  ])('%s: both directions share a key with opposite directions', (_name, a, ap, b, bp) => {
    const forward = l7FlowKey(6, a, ap, b, bp);
    const reverse = l7FlowKey(6, b, bp, a, ap);
    expect(forward.key).toBe(reverse.key);
    expect(forward.direction + reverse.direction).toBe(1);
  });

  it.each([
    [
      'protocol',
      l7FlowKey(6, v4(1, 2, 3, 4), 1, v4(5, 6, 7, 8), 2),
      l7FlowKey(17, v4(1, 2, 3, 4), 1, v4(5, 6, 7, 8), 2),
    ],
    [
      'port',
      l7FlowKey(6, v4(1, 2, 3, 4), 1, v4(5, 6, 7, 8), 2),
      l7FlowKey(6, v4(1, 2, 3, 4), 1, v4(5, 6, 7, 8), 3),
    ],
    [
      'address',
      l7FlowKey(6, v4(1, 2, 3, 4), 1, v4(5, 6, 7, 8), 2),
      l7FlowKey(6, v4(1, 2, 3, 5), 1, v4(5, 6, 7, 8), 2),
    ],
    [
      'IPv4 vs IPv6',
      l7FlowKey(6, v4(0, 0, 0, 0), 0, v4(0, 0, 0, 0), 0),
      l7FlowKey(6, new Uint8Array(16), 0, new Uint8Array(16), 0),
    ],
  ])('differs by %s', (_name, a, b) => {
    expect(a.key).not.toBe(b.key);
  });
});
