import { createHmac } from 'node:crypto';
import type { Message } from 'rhea';
import { ConnectionClaims } from '../../../shared/local/eventHubs/claims';
import { answerControlRequest, replyMessage } from '../../../shared/local/eventHubs/controlRequests';
import type { ControlContext } from '../../../shared/local/eventHubs/controlRequests';
import type { ManagementReply } from '../../../shared/local/eventHubs/managementRequest';
import { LocalHub } from '../../../shared/local/eventHubs/localHub';

const NOW = 1_700_000_000_000;
const hub = new LocalHub({ name: 'h', partitionCount: 2 }, { maxEvents: 1, maxBytes: 1 }, new Date(0));

function context(validateTokens = true): ControlContext {
  return {
    claims: new ConnectionClaims(),
    policy: { validateTokens, sasKeyName: 'key-name', sasKey: 'secret' },
    findHub: (name) => (name === 'h' ? hub : undefined),
    nowMs: NOW,
  };
}

function putToken(audience: string, key: string): Message {
  const sr = encodeURIComponent(audience);
  const se = NOW / 1000 + 60;
  const sig = encodeURIComponent(createHmac('sha256', key).update(`${sr}\n${se}`).digest('base64'));
  return {
    message_id: 'id-1',
    reply_to: 'cbs-reply',
    application_properties: {
      operation: 'put-token',
      name: audience,
      type: 'servicebus.windows.net:sastoken',
    },
    body: `SharedAccessSignature sr=${sr}&sig=${sig}&se=${se}&skn=key-name`,
  };
}

const readHub: Message = {
  message_id: 'id-2',
  reply_to: 'mgmt-reply',
  application_properties: { operation: 'READ', type: 'com.microsoft:eventhub', name: 'h' },
  body: Buffer.from('[]'),
};

describe('answerControlRequest', () => {
  it('grants the claim of a valid put-token, which then authorises management reads', () => {
    const ctx = context();
    expect(answerControlRequest('management', readHub, ctx)).toMatchObject({ statusCode: 401 });
    expect(answerControlRequest('cbs', putToken('sb://localhost:1/h/$management', 'secret'), ctx)).toEqual({
      statusCode: 202,
      statusDescription: 'Accepted',
    });
    expect(answerControlRequest('management', readHub, ctx)).toMatchObject({ statusCode: 200 });
  });

  it.each([
    [
      'a token signed with another key',
      'cbs' as const,
      putToken('sb://localhost:1/h/$management', 'other'),
      401,
    ],
    ['a management read without a claim', 'management' as const, readHub, 401],
    ['a request without properties', 'cbs' as const, { body: 'x' }, 501],
  ])('refuses %s', (_name, kind, request, statusCode) => {
    const ctx = context();
    expect(answerControlRequest(kind, request, ctx).statusCode).toBe(statusCode);
    expect(ctx.claims.covers('h')).toBe(false);
  });

  it('skips claims when tokens are not validated', () => {
    expect(answerControlRequest('management', readHub, context(false))).toMatchObject({ statusCode: 200 });
  });
});

describe('replyMessage', () => {
  it.each<[ManagementReply, Record<string, unknown>]>([
    [
      { statusCode: 200, statusDescription: 'OK', body: { a: 1 } },
      { 'status-code': 200, 'status-description': 'OK' },
    ],
    [
      { statusCode: 404, statusDescription: 'missing', errorCondition: 'amqp:not-found' },
      { 'status-code': 404, 'status-description': 'missing', 'error-condition': 'amqp:not-found' },
    ],
  ])('correlates %j to the request', (reply, properties) => {
    const message = replyMessage(readHub, reply);
    expect(message).toMatchObject({
      correlation_id: 'id-2',
      to: 'mgmt-reply',
      application_properties: properties,
    });
    expect(message.body).toEqual(reply.body);
  });

  it('omits "to" when the request had no reply-to', () => {
    expect(
      replyMessage({ body: 'x' }, { statusCode: 202, statusDescription: 'Accepted' }),
    ).not.toHaveProperty('to');
  });
});
