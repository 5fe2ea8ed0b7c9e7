import { createHmac } from 'node:crypto';
import { checkSasToken, normaliseResource, parseSasToken } from '../../../shared/local/eventHubs/sasToken';

const NOW = 1_700_000_000_000;
const EXPIRY = NOW / 1000 + 3600;

/** Builds a token exactly as @azure/core-amqp's SAS provider does. */
function token(
  resource: string,
  key: string,
  expiry = EXPIRY,
  keyName = 'RootManageSharedAccessKey',
): string {
  const sr = encodeURIComponent(resource);
  const sig = encodeURIComponent(createHmac('sha256', key).update(`${sr}\n${expiry}`).digest('base64'));
  return `SharedAccessSignature sr=${sr}&sig=${sig}&se=${expiry}&skn=${encodeURIComponent(keyName)}`;
}

describe('parseSasToken', () => {
  it('reads the fields', () => {
    expect(parseSasToken(token('sb://localhost:5672/hub', 'k'))).toMatchObject({
      resource: 'sb://localhost:5672/hub',
      encodedResource: 'sb%3A%2F%2Flocalhost%3A5672%2Fhub',
      expiresOnSeconds: EXPIRY,
      keyName: 'RootManageSharedAccessKey',
    });
  });

  it.each([
    '',
    'Bearer abc',
    'SharedAccessSignature ',
    'SharedAccessSignature sr=a&sig=b&skn=c',
    'SharedAccessSignature sr=a&sig=b&se=soon&skn=c',
    'SharedAccessSignature sr=%E0%A4%A&sig=b&se=1&skn=c',
  ])('returns undefined for %j', (text) => {
    expect(parseSasToken(text)).toBeUndefined();
  });
});

describe('checkSasToken', () => {
  it('accepts a token signed with the key', () => {
    expect(
      checkSasToken(
        token('sb://localhost/hub', 'SAS_KEY_VALUE'),
        'RootManageSharedAccessKey',
        'SAS_KEY_VALUE',
        NOW,
      ),
    ).toEqual({
      ok: true,
      resource: 'sb://localhost/hub',
    });
  });

  it.each([
    ['another key', token('sb://localhost/hub', 'other'), /signature does not match/],
    ['an expired token', token('sb://localhost/hub', 'SAS_KEY_VALUE', NOW / 1000 - 1), /expired/],
    [
      'another key name',
      token('sb://localhost/hub', 'SAS_KEY_VALUE', EXPIRY, 'reader'),
      /unknown key name "reader"/,
    ],
    ['a JWT', 'eyJhbGciOi.x.y', /not a SharedAccessSignature/],
    ['an empty token', '', /not a SharedAccessSignature/],
    ['a tampered resource', token('sb://localhost/hub', 'SAS_KEY_VALUE').replace('hub', 'bus'), /signature/],
  ])('refuses %s', (_name, text, reason) => {
    const check = checkSasToken(text, 'RootManageSharedAccessKey', 'SAS_KEY_VALUE', NOW);
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.reason).toMatch(reason);
  });
});

describe('normaliseResource', () => {
  it.each([
    ['sb://LocalHost:5672/Hub/', 'localhost:5672/hub'],
    [
      'amqps://ns.servicebus.windows.net/h/ConsumerGroups/$Default',
      'ns.servicebus.windows.net/h/consumergroups/$default',
    ],
    ['', ''],
  ])('%j → %j', (uri, expected) => {
    expect(normaliseResource(uri)).toBe(expected);
  });
});
