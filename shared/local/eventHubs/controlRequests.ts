import type { Message } from 'rhea';
import { answerPutToken } from './cbsRequest';
import type { CbsPolicy } from './cbsRequest';
import type { ConnectionClaims } from './claims';
import type { LocalHub } from './localHub';
import { answerManagementRequest } from './managementRequest';
import type { ManagementReply } from './managementRequest';

/** What answering a `$cbs` or `$management` request needs. */
export interface ControlContext {
  /** The claims of the connection the request came on; a granted put-token is added to them. */
  claims: ConnectionClaims;
  policy: CbsPolicy;
  findHub: (name: string) => LocalHub | undefined;
  nowMs: number;
}

/**
 * Answers a request sent to `$cbs` (put-token) or `$management` (READ). Management requests need a
 * claim on `<hub>/$management` when tokens are validated, as on Azure.
 */
export function answerControlRequest(
  kind: 'cbs' | 'management',
  request: Message,
  context: ControlContext,
): ManagementReply {
  const properties = (request.application_properties ?? {}) as Record<string, unknown>;
  if (kind === 'cbs') {
    const answer = answerPutToken(properties, request.body, context.policy, context.nowMs);
    if (answer.granted !== undefined) context.claims.grant(answer.granted);
    return answer.reply;
  }
  const hubName = typeof properties.name === 'string' ? properties.name : '';
  if (context.policy.validateTokens && !context.claims.covers(`${hubName}/$management`)) {
    return {
      statusCode: 401,
      errorCondition: 'amqp:unauthorized-access',
      statusDescription: `Unauthorized: no $cbs token covers "${hubName}/$management"`,
    };
  }
  return answerManagementRequest(properties, context.findHub);
}

/** The response message for a request: correlated by message id, status in application properties. */
export function replyMessage(request: Message, reply: ManagementReply): Message {
  return {
    correlation_id: request.message_id,
    ...(typeof request.reply_to === 'string' ? { to: request.reply_to } : {}),
    application_properties: {
      'status-code': reply.statusCode,
      'status-description': reply.statusDescription,
      ...(reply.errorCondition === undefined ? {} : { 'error-condition': reply.errorCondition }),
    },
    body: reply.body,
  };
}
