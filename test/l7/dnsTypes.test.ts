import { dnsRcodeName, dnsTypeName } from '../../shared/l7/dnsTypes';

describe('DNS mnemonics', () => {
  it.each([
    [1, 'A'], [65, 'HTTPS'], [257, 'CAA'], [0, 'TYPE0'], [65535, 'TYPE65535'],
  ])('type %d → %s', (type, name) => expect(dnsTypeName(type)).toBe(name)); // prettier-ignore
  it.each([
    [0, 'NOERROR'], [3, 'NXDOMAIN'], [15, 'RCODE15'],
  ])('rcode %d → %s', (rcode, name) => expect(dnsRcodeName(rcode)).toBe(name)); // prettier-ignore
});
