import type { Socket } from 'node:net';
import { create_container } from 'rhea';
import type { Connection, Container, EventContext, Message, Receiver, Sender } from 'rhea';
import { errorMessage } from '../../errors';
import { ConnectionClaims } from './claims';
import { ConsumerRegistry } from './consumerRegistry';
import { answerControlRequest, replyMessage } from './controlRequests';
import { parseEntityAddress } from './entityAddress';
import type { EntityAddress } from './entityAddress';
import { SELECTOR_FILTER_NAME, firstSequenceNumber, parseStartPosition } from './eventPosition';
import { eventsFromDelivery } from './incomingEvents';
import { LocalHub } from './localHub';
import type { LocalEventHubsLogEntry, LocalEventHubsSettings } from './settings';

/** What the endpoint tracks per AMQP connection. */
interface ConnectionState {
  claims: ConnectionClaims;
  /** `$cbs`/`$management` reply links by reply-to address and by link name. */
  replyLinks: Map<string, Sender>;
}

const CAPABILITY_RUNTIME_METRIC = 'com.microsoft:enable-receiver-runtime-metric';
const PROPERTY_EPOCH = 'com.microsoft:epoch';

function selectorOf(filter: unknown): string | undefined {
  const entry = (filter as Record<string, unknown> | undefined)?.[SELECTOR_FILTER_NAME];
  if (typeof entry === 'string') return entry;
  const value = (entry as { value?: unknown } | undefined)?.value;
  return typeof value === 'string' ? value : undefined;
}

function refusalCondition(reason: string): string {
  return reason.startsWith('unauthorized') ? 'amqp:unauthorized-access' : 'amqp:not-found';
}

/**
 * The AMQP side of the local Event Hubs endpoint: a rhea container that accepts sockets and answers
 * links and messages the way Event Hubs does (see docs/local-event-hubs.md). Sockets come from the
 * caller, which owns listening and shutdown.
 */
export class AmqpEndpoint {
  private readonly container: Container;
  private readonly hubs = new Map<string, LocalHub>();
  private readonly connections = new Map<Connection, ConnectionState>();
  private readonly consumers = new ConsumerRegistry();

  constructor(private readonly settings: LocalEventHubsSettings) {
    const now = new Date();
    const limits = { maxEvents: settings.maxEventsPerPartition, maxBytes: settings.maxBytesPerPartition };
    for (const definition of settings.hubs) {
      this.hubs.set(definition.name.toLowerCase(), new LocalHub(definition, limits, now));
    }
    // autoaccept off: publishes and requests are settled by hand so they can be rejected.
    this.container = create_container({ id: 'local-event-hubs', autoaccept: false });
    const mechanisms = this.container.sasl_server_mechanisms as {
      enable_anonymous(): void;
      enable_plain(check: (user: string, password: string) => boolean): void;
      MSSBCBS?: () => unknown;
    };
    mechanisms.enable_anonymous();
    mechanisms.enable_plain((user, password) => user === settings.sasKeyName && password === settings.sasKey);
    // Service Bus' claims-based-security mechanism: the real authentication follows through $cbs.
    mechanisms.MSSBCBS = () => ({
      outcome: undefined as boolean | undefined,
      username: 'cbs',
      start(this: { outcome?: boolean }) {
        this.outcome = true;
      },
    });
    this.wire();
  }

  /** Names of the served hubs, as configured. */
  get hubNames(): string[] {
    return [...this.hubs.values()].map((hub) => hub.name);
  }

  /** Hands an accepted TCP socket to rhea (SASL, then AMQP). */
  accept(socket: Socket): void {
    const create = this.container.create_connection.bind(this.container) as unknown as (options: object) => {
      accept(socket: Socket): void;
    };
    create({}).accept(socket);
  }

  /** Sends AMQP close to every open connection. */
  closeConnections(): void {
    for (const connection of this.connections.keys()) {
      try {
        connection.close({
          condition: 'amqp:connection:forced',
          description: 'the local endpoint is stopping',
        });
      } catch {
        // The socket may already be gone; the caller destroys it next anyway.
      }
    }
  }

  private log(level: LocalEventHubsLogEntry['level'], message: string): void {
    this.settings.onLog?.({ level, message });
  }

  private state(connection: Connection): ConnectionState {
    let state = this.connections.get(connection);
    if (!state) {
      state = { claims: new ConnectionClaims(), replyLinks: new Map() };
      this.connections.set(connection, state);
    }
    return state;
  }

  private wire(): void {
    const on = (event: string, handler: (context: EventContext) => void) =>
      this.container.on(event, (context: EventContext) => {
        try {
          handler(context);
        } catch (caught) {
          this.log('warn', `internal error handling AMQP ${event}: ${errorMessage(caught)}`);
        }
      });
    on('connection_open', (context) => {
      this.state(context.connection);
      this.log('info', `connection opened (${this.connections.size} open)`);
    });
    on('connection_close', (context) => this.forgetConnection(context.connection));
    on('disconnected', (context) => this.forgetConnection(context.connection));
    on('receiver_open', (context) => this.onPublisherAttach(context));
    on('sender_open', (context) => this.onReceiverAttach(context));
    on('message', (context) => this.onMessage(context));
    on('sendable', (context) => context.sender && this.consumers.get(context.sender)?.pump());
    on('sender_close', (context) => context.sender && this.consumers.forget(context.sender));
    on('sender_error', (context) => context.sender && this.consumers.forget(context.sender));
    for (const event of ['error', 'connection_error', 'protocol_error', 'session_error', 'receiver_error']) {
      this.container.on(event, (context: unknown) => {
        const error = (context as { error?: unknown } | undefined)?.error ?? context;
        this.log('warn', `AMQP ${event.replace('_', ' ')}: ${errorMessage(error)}`);
      });
    }
  }

  private forgetConnection(connection: Connection): void {
    if (!this.connections.delete(connection)) return;
    this.consumers.forgetConnection(connection);
    this.log('info', `connection closed (${this.connections.size} open)`);
  }

  private findHub(name: string): LocalHub | undefined {
    return this.hubs.get(name.toLowerCase());
  }

  /** Resolves a hub entity and checks the connection's claim on it; a string is the refusal reason. */
  private resolveEntity(connection: Connection, address: EntityAddress, path: string): LocalHub | string {
    if (address.kind !== 'hub' && address.kind !== 'partition' && address.kind !== 'consumer') {
      return address.kind === 'invalid' ? address.reason : `"${path}" cannot be used here`;
    }
    const hub = this.findHub(address.hub);
    if (!hub) return `event hub "${address.hub}" does not exist (served: ${this.hubNames.join(', ')})`;
    if (address.kind !== 'hub' && !hub.partition(address.partitionId)) {
      return `partition "${address.partitionId}" does not exist in event hub "${hub.name}"`;
    }
    if (address.kind === 'consumer' && !hub.hasConsumerGroup(address.consumerGroup)) {
      return `consumer group "${address.consumerGroup}" does not exist in event hub "${hub.name}"`;
    }
    if (this.settings.validateTokens && !this.state(connection).claims.covers(path)) {
      return `unauthorized: no $cbs token covers "${path}"`;
    }
    return hub;
  }

  private refuse(link: Sender | Receiver, condition: string, description: string): void {
    this.log('warn', `refused link "${link.name}": ${description}`);
    link.close({ condition, description });
  }

  /** The client attached a sender: to `$cbs`, `$management`, a hub or a hub partition. */
  private onPublisherAttach(context: EventContext): void {
    const receiver = context.receiver as Receiver;
    const path = receiver.target?.address ?? '';
    const address = parseEntityAddress(path);
    receiver.set_target({ address: path });
    const local = (receiver as unknown as { local: { attach: { max_message_size: number } } }).local;
    local.attach.max_message_size = this.settings.maxMessageSizeInBytes;
    if (address.kind === 'cbs' || address.kind === 'management') return;
    const resolved = this.resolveEntity(context.connection, address, path);
    if (typeof resolved === 'string') this.refuse(receiver, refusalCondition(resolved), resolved);
    else this.log('debug', `publisher attached to "${path}"`);
  }

  /** The client attached a receiver: a `$cbs`/`$management` reply link or a partition consumer. */
  private onReceiverAttach(context: EventContext): void {
    const sender = context.sender as Sender;
    const source = sender.source as { address?: string; filter?: unknown } | undefined;
    const path = source?.address ?? '';
    const address = parseEntityAddress(path);
    const replyTo = (sender.target as { address?: string } | undefined)?.address;
    sender.set_source({ address: path });
    if (replyTo !== undefined) sender.set_target({ address: replyTo });
    if (address.kind === 'cbs' || address.kind === 'management') {
      const { replyLinks } = this.state(context.connection);
      replyLinks.set(sender.name, sender);
      if (replyTo !== undefined) replyLinks.set(replyTo, sender);
      return;
    }
    const resolved = this.resolveEntity(context.connection, address, path);
    if (typeof resolved === 'string' || address.kind !== 'consumer') {
      const reason = typeof resolved === 'string' ? resolved : `"${path}" is not a consumer-group partition`;
      this.refuse(sender, refusalCondition(reason), reason);
      return;
    }
    const start = parseStartPosition(selectorOf(source?.filter));
    const log = resolved.partition(address.partitionId);
    if (!start.ok || !log) {
      this.refuse(sender, 'amqp:invalid-field', start.ok ? `no partition at "${path}"` : start.error);
      return;
    }
    const epoch = (sender.properties as Record<string, unknown> | undefined)?.[PROPERTY_EPOCH];
    const capabilities = [sender.desired_capabilities ?? []].flat();
    const attached = this.consumers.attach({
      key: `${resolved.name}/${address.consumerGroup}/${address.partitionId}`.toLowerCase(),
      sender,
      log,
      firstSequenceNumber: firstSequenceNumber(log, start.position),
      ownerLevel: typeof epoch === 'number' ? epoch : undefined,
      trackLastEnqueued: capabilities.includes(CAPABILITY_RUNTIME_METRIC),
    });
    if (!attached.ok) this.refuse(sender, 'amqp:link:stolen', attached.description);
    else
      this.log(
        'debug',
        `consumer attached to "${path}" (${start.position.kind}, ${attached.displaced} displaced)`,
      );
  }

  private onMessage(context: EventContext): void {
    const receiver = context.receiver as Receiver;
    const delivery = context.delivery;
    const payload = context.message as Message | Buffer | undefined;
    if (!delivery || payload === undefined) return;
    const path = receiver.target?.address ?? '';
    const address = parseEntityAddress(path);
    if (address.kind === 'cbs' || address.kind === 'management') {
      delivery.accept();
      if (!Buffer.isBuffer(payload)) this.answer(context.connection, payload, address.kind);
      return;
    }
    const resolved = this.resolveEntity(context.connection, address, path);
    if (typeof resolved === 'string' || (address.kind !== 'hub' && address.kind !== 'partition')) {
      const description = typeof resolved === 'string' ? resolved : `"${path}" does not accept messages`;
      delivery.reject({ condition: refusalCondition(description), description });
      return;
    }
    const incoming = eventsFromDelivery(delivery.format, payload);
    if (!incoming.ok) {
      this.log('warn', `rejected a message to "${path}": ${incoming.description}`);
      delivery.reject({ condition: incoming.condition, description: incoming.description });
      return;
    }
    const limit = this.settings.maxMessageSizeInBytes;
    if (incoming.sizeInBytes > limit) {
      const description = `${incoming.sizeInBytes} bytes exceed the ${limit}-byte limit`;
      delivery.reject({ condition: 'amqp:link:message-size-exceeded', description });
      return;
    }
    const partitionId =
      address.kind === 'partition' ? address.partitionId : resolved.routeToPartition(incoming.partitionKey);
    resolved.partition(partitionId)?.append(incoming.events, Date.now());
    delivery.accept();
    this.log('debug', `${incoming.events.length} event(s) to ${resolved.name}/${partitionId}`);
  }

  /** Answers a `$cbs` or `$management` request on the link named by its reply-to. */
  private answer(connection: Connection, request: Message, kind: 'cbs' | 'management'): void {
    const state = this.state(connection);
    const reply = answerControlRequest(kind, request, {
      claims: state.claims,
      policy: this.settings,
      findHub: (name) => this.findHub(name),
      nowMs: Date.now(),
    });
    if (reply.statusCode >= 300) this.log('warn', `${kind} request refused: ${reply.statusDescription}`);
    const replyTo = typeof request.reply_to === 'string' ? request.reply_to : '';
    const link = state.replyLinks.get(replyTo);
    if (link) link.send(replyMessage(request, reply));
    else this.log('warn', `no reply link "${replyTo}" for a ${kind} request`);
  }
}
