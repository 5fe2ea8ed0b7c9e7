import { EMPTY_IDENTITY_LOOKUP } from '../../shared/enrich/identityStore';
import { parseIp } from '../../shared/net/ipAddress';

describe('EMPTY_IDENTITY_LOOKUP', () => {
  it.each(['10.0.0.1', '::1', '0.0.0.0'])('knows nothing about %s', (ip) => {
    expect(EMPTY_IDENTITY_LOOKUP.lookup(parseIp(ip)!)).toBeUndefined();
  });

  it('tolerates an empty byte view', () => {
    expect(EMPTY_IDENTITY_LOOKUP.lookup(new Uint8Array())).toBeUndefined();
  });
});
