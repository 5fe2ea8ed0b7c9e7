import { cipherSuiteName, isGrease, tlsVersionName } from '../../shared/l7/tlsNames';

describe('TLS names', () => {
  it.each([
    [0x1301, 'TLS_AES_128_GCM_SHA256'],
    [0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
    [0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'],
    [0x0000, 'TLS_NULL_WITH_NULL_NULL'],
    [0xabcd, '0xabcd'],
    [0x0001, '0x0001'],
  ])('cipher 0x%s', (code, name) => expect(cipherSuiteName(code)).toBe(name));

  it.each([
    [0x0304, 'TLS1.3'],
    [0x0303, 'TLS1.2'],
    [0x0300, 'SSL3.0'],
    [0x0002, 'SSL2.0'],
    [0x7f1c, '0x7f1c'],
    [0, '0x0000'],
  ])('version %d', (version, name) => expect(tlsVersionName(version)).toBe(name));

  it.each([
    [0x0a0a, true],
    [0xfafa, true],
    [0x1a1a, true],
    [0x0a1a, false],
    [0x1301, false],
    [0, false],
  ])('isGrease(0x%s)', (value, expected) => expect(isGrease(value)).toBe(expected));
});
