import fc from 'fast-check';
import { validateTraceConfigurationObject } from '../../shared/config/validateObject';
import { documented, fromPeer } from './manifests';

/** Straightforward reference: an IPv4 CIDR as [first, last] integer addresses. */
function range(address: number, prefix: number): [number, number] {
  const size = 2 ** (32 - prefix);
  const first = Math.floor(address / size) * size;
  return [first, first + size - 1];
}

function text(address: number, prefix: number): string {
  return `${[24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.')}/${prefix}`;
}

describe('ipBlock except containment (property)', () => {
  it('an except is accepted exactly when its range lies inside the cidr range', () => {
    const cidr = fc.record({
      address: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      prefix: fc.integer({ min: 0, max: 32 }),
    });
    fc.assert(
      fc.property(cidr, cidr, (outer, inner) => {
        const [outerFirst, outerLast] = range(outer.address, outer.prefix);
        const [innerFirst, innerLast] = range(inner.address, inner.prefix);
        const inside = innerFirst >= outerFirst && innerLast <= outerLast;
        const peer = {
          ipBlock: { cidr: text(outerFirst, outer.prefix), except: [text(innerFirst, inner.prefix)] },
        };
        const result = validateTraceConfigurationObject(documented(fromPeer(peer)));
        expect(result.state === 'Accepted').toBe(inside);
      }),
      { numRuns: 300 },
    );
  });
});
