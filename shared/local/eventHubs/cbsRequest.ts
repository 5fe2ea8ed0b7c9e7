import type { ManagementReply } from './managementRequest';
import { checkSasToken } from './sasToken';

/** How put-token requests are judged. */
export interface CbsPolicy {
  /** When false every token is accepted (JWTs included). */
  validateTokens: boolean;
  /** Accepted key name. */
  sasKeyName: string;
  /** Key the signatures are checked against. */
  sasKey: string;
}

/** The reply to a `$cbs` request, and on success the resource URI the connection is now authorised for. */
export interface CbsAnswer {
  reply: ManagementReply;
  granted: string | undefined;
}

/**
 * Answers a `$cbs` `put-token` request (`name` = audience, `type` = `servicebus.windows.net:sastoken`
 * or `jwt`, body = the token) with status 202 when the token is accepted, 401 when not.
 */
export function answerPutToken(
  properties: Readonly<Record<string, unknown>>,
  token: unknown,
  policy: CbsPolicy,
  nowMs: number,
): CbsAnswer {
  const { operation, name, type } = properties;
  if (operation !== 'put-token') {
    return {
      reply: {
        statusCode: 501,
        errorCondition: 'amqp:not-implemented',
        statusDescription: `$cbs operation "${String(operation)}" is not supported`,
      },
      granted: undefined,
    };
  }
  if (typeof name !== 'string' || name.length === 0) {
    return {
      reply: {
        statusCode: 400,
        errorCondition: 'com.microsoft:argument-error',
        statusDescription: 'missing "name"',
      },
      granted: undefined,
    };
  }
  const accepted: CbsAnswer = { reply: { statusCode: 202, statusDescription: 'Accepted' }, granted: name };
  if (!policy.validateTokens) return accepted;
  const refuse = (why: string): CbsAnswer => ({
    reply: {
      statusCode: 401,
      errorCondition: 'amqp:unauthorized-access',
      statusDescription: `Unauthorized: ${why}`,
    },
    granted: undefined,
  });
  if (type !== 'servicebus.windows.net:sastoken') {
    return refuse(`token type "${String(type)}" cannot be checked; only SAS tokens are accepted`);
  }
  if (typeof token !== 'string') return refuse('the token is not a string');
  const check = checkSasToken(token, policy.sasKeyName, policy.sasKey, nowMs);
  return check.ok ? { ...accepted, granted: check.resource } : refuse(check.reason);
}
