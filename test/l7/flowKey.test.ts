import fc from 'fast-check';
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

  it('gives IPv4 endpoints the key and direction of the general endpoint-string rule', () => {
    // The rule for any address length: each endpoint as 16-bit units, the lower one first.
    const reference = (protocol: number, a: Uint8Array, ap: number, b: Uint8Array, bp: number) => {
      const endpoint = (ip: Uint8Array, port: number) =>
        String.fromCharCode((ip[0]! << 8) | ip[1]!, (ip[2]! << 8) | ip[3]!, port);
      const source = endpoint(a, ap);
      const destination = endpoint(b, bp);
      const tag = String.fromCharCode(protocol, 4);
      return source <= destination
        ? { key: tag + source + destination, direction: 0 }
        : { key: tag + destination + source, direction: 1 };
    };
    const address = fc.oneof(
      fc.uint8Array({ minLength: 4, maxLength: 4 }),
      fc.constantFrom(v4(10, 0, 0, 1), v4(10, 0, 0, 2), v4(10, 1, 0, 1)),
    );
    const port = fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(0, 53, 80, 443, 0xffff));
    fc.assert(
      fc.property(fc.constantFrom(6, 17), address, port, address, port, (protocol, a, ap, b, bp) => {
        expect(l7FlowKey(protocol, a, ap, b, bp)).toEqual(reference(protocol, a, ap, b, bp));
        expect(l7FlowKey(protocol, a, ap, a, bp)).toEqual(reference(protocol, a, ap, a, bp));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives IPv6 and odd-length addresses the key of the unit-by-unit rule', () => {
    const reference = (protocol: number, a: Uint8Array, ap: number, b: Uint8Array, bp: number) => {
      const endpoint = (ip: Uint8Array, port: number) => {
        let text = '';
        for (let i = 0; i + 1 < ip.length; i += 2) text += String.fromCharCode((ip[i]! << 8) | ip[i + 1]!);
        return text + String.fromCharCode(port);
      };
      const source = endpoint(a, ap);
      const destination = endpoint(b, bp);
      const tag = String.fromCharCode(protocol, a.length);
      return source <= destination
        ? { key: tag + source + destination, direction: 0 }
        : { key: tag + destination + source, direction: 1 };
    };
    const v6pair = fc.tuple(
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
    );
    const port = fc.integer({ min: 0, max: 0xffff });
    fc.assert(
      fc.property(v6pair, port, port, ([a, b], ap, bp) => {
        expect(l7FlowKey(6, a, ap, b, bp)).toEqual(reference(6, a, ap, b, bp));
        expect(l7FlowKey(17, a, ap, a, bp)).toEqual(reference(17, a, ap, a, bp));
        const odd = a.subarray(0, 6);
        expect(l7FlowKey(6, odd, ap, odd, bp)).toEqual(reference(6, odd, ap, odd, bp));
      }),
      { numRuns: 1000 },
    );
  });
});
