import { createHmac } from 'node:crypto';
import { answerPutToken } from '../../../shared/local/eventHubs/cbsRequest';
import type { CbsPolicy } from '../../../shared/local/eventHubs/cbsRequest';

const NOW = 1_700_000_000_000;
const policy: CbsPolicy = {
  validateTokens: true,
  sasKeyName: 'RootManageSharedAccessKey',
  sasKey: 'SAS_KEY_VALUE',
};
const AUDIENCE = 'sb://localhost:5672/retina-traces/$management';

function sas(resource: string, key: string): string {
  const sr = encodeURIComponent(resource);
  const se = NOW / 1000 + 60;
  const sig = encodeURIComponent(createHmac('sha256', key).update(`${sr}\n${se}`).digest('base64'));
  return `SharedAccessSignature sr=${sr}&sig=${sig}&se=${se}&skn=RootManageSharedAccessKey`;
}

const putToken = { operation: 'put-token', name: AUDIENCE, type: 'servicebus.windows.net:sastoken' };

describe('answerPutToken', () => {
  it('accepts a valid SAS token with 202 and grants its resource', () => {
    expect(answerPutToken(putToken, sas(AUDIENCE, 'SAS_KEY_VALUE'), policy, NOW)).toEqual({
      reply: { statusCode: 202, statusDescription: 'Accepted' },
      granted: AUDIENCE,
    });
  });

  it('accepts anything, JWTs included, when validation is off', () => {
    const answer = answerPutToken(
      { ...putToken, type: 'jwt' },
      'eyJ.x.y',
      { ...policy, validateTokens: false },
      NOW,
    );
    expect(answer).toEqual({ reply: { statusCode: 202, statusDescription: 'Accepted' }, granted: AUDIENCE });
  });

  it.each([
    ['a wrong signature', putToken, sas(AUDIENCE, 'other'), 401, /signature does not match/],
    ['a JWT', { ...putToken, type: 'jwt' }, 'eyJ.x.y', 401, /token type "jwt"/],
    ['a non-string token', putToken, Buffer.from('x'), 401, /not a string/],
    ['an empty token', putToken, '', 401, /not a SharedAccessSignature/],
    ['a missing audience', { operation: 'put-token' }, 'x', 400, /missing "name"/],
    ['another operation', { operation: 'delete-token', name: AUDIENCE }, 'x', 501, /not supported/],
  ])('refuses %s', (_name, properties, token, statusCode, description) => {
    const answer = answerPutToken(properties, token, policy, NOW);
    expect(answer.granted).toBeUndefined();
    expect(answer.reply.statusCode).toBe(statusCode);
    expect(answer.reply.statusDescription).toMatch(description);
  });
});
