import { once } from 'node:events';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { create_container } from 'rhea';
import type { Connection, Container, EventContext, Message, Receiver, Sender } from 'rhea';
import { TraceError, errorMessage } from '../../errors';
import { answerPutToken } from './cbsRequest';
import { ConnectionClaims } from './claims';
import { parseEntityAddress } from './entityAddress';
import type { EntityAddress } from './entityAddress';
import { SELECTOR_FILTER_NAME, firstSequenceNumber, parseStartPosition } from './eventPosition';
import { eventsFromDelivery } from './incomingEvents';
import { LocalHub } from './localHub';
import { answerManagementRequest } from './managementRequest';
import type { ManagementReply } from './managementRequest';
import { PartitionConsumer } from './partitionConsumer';
import { decideOwnership } from './receiverOwnership';
import { resolveLocalEventHubsSettings } from './settings';
import type { LocalEventHubsLogEntry, LocalEventHubsOptions, LocalEventHubsSettings } from './settings';

/** A running local Event Hubs endpoint. */
export interface LocalEventHubs {
  /** The TCP port it listens on. */
  readonly port: number;
  /** Names of the served hubs. */
  readonly hubNames: readonly string[];
  /**
   * The emulator-style connection string, with `EntityPath=<hub>` when `hub` is given:
   * `Endpoint=sb://localhost:PORT;SharedAccessKeyName=...;SharedAccessKey=...;UseDevelopmentEmulator=true`.
   */
  connectionString(hub?: string): string;
  /** Closes every client connection and stops listening. */
  close(): Promise<void>;
}

/** What the endpoint tracks per AMQP connection. */
interface ConnectionState {
  claims: ConnectionClaims;
  /** `$cbs`/`$management` reply links by reply-to address and by link name. */
  replyLinks: Map<string, Sender>;
  consumers: Set<PartitionConsumer>;
}

const CAPABILITY_RUNTIME_METRIC = 'com.microsoft:enable-receiver-runtime-metric';
const PROPERTY_EPOCH = 'com.microsoft:epoch';

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function selectorOf(filter: unknown): string | undefined {
  const entry = (filter as Record<string, unknown> | undefined)?.[SELECTOR_FILTER_NAME];
  if (typeof entry === 'string') return entry;
  const value = (entry as { value?: unknown } | undefined)?.value;
  return typeof value === 'string' ? value : undefined;
}

async function listen(server: Server, port: number, host: string): Promise<void> {
  server.listen({ port, host });
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error))]);
}

/**
 * An in-memory Event Hubs endpoint on AMQP 1.0 (plain TCP, as `UseDevelopmentEmulator=true` makes the
 * SDKs use) for local runs and tests; see docs/local-event-hubs.md for what it does and does not do.
 */
class LocalEventHubsEndpoint {
  private readonly container: Container;
  private readonly hubs = new Map<string, LocalHub>();
  private readonly connections = new Map<Connection, ConnectionState>();
  private readonly consumersBySender = new Map<Sender, PartitionConsumer>();
  /** Attached consumers per `hub/group/partition`, lower case, for the owner-level rule. */
  private readonly partitionReceivers = new Map<string, Set<PartitionConsumer>>();

  constructor(private readonly settings: LocalEventHubsSettings) {
    const now = new Date();
    const limits = { maxEvents: settings.maxEventsPerPartition, maxBytes: settings.maxBytesPerPartition };
    for (const definition of settings.hubs) {
      this.hubs.set(definition.name.toLowerCase(), new LocalHub(definition, limits, now));
    }
    this.container = create_container({ id: 'local-event-hubs', autoaccept: false });
    const mechanisms = this.container.sasl_server_mechanisms as {
      enable_anonymous(): void;
      enable_plain(check: (user: string, password: string) => boolean): void;
      MSSBCBS?: () => unknown;
    };
    mechanisms.enable_anonymous();
    mechanisms.enable_plain((user, password) => user === settings.sasKeyName && password === settings.sasKey);
    // Service Bus' "claims-based security" mechanism: authentication happens later through $cbs.
    mechanisms.MSSBCBS = () => ({
      outcome: undefined as boolean | undefined,
      username: 'cbs',
      start(this: { outcome?: boolean }) {
        this.outcome = true;
      },
    });
    this.wire();
  }

  get hubNames(): string[] {
    return [...this.hubs.values()].map((hub) => hub.name);
  }

  /** Hands an accepted socket to rhea. */
  accept(socket: Socket): void {
    const create = this.container.create_connection.bind(this.container) as unknown as (options: object) => {
      accept(socket: Socket): void;
    };
    create({}).accept(socket);
  }

  /** Sends AMQP close to every connection. */
  closeConnections(): void {
    for (const connection of this.connections.keys()) {
      try {
        connection.close({ condition: 'amqp:connection:forced', description: 'the local endpoint is stopping' });
      } catch {
        // The socket may already be gone; it is destroyed next anyway.
      }
    }
  }

  private log(level: LocalEventHubsLogEntry['level'], message: string): void {
    this.settings.onLog?.({ level, message });
  }

  private state(connection: Connection): ConnectionState {
    let state = this.connections.get(connection);
    if (!state) {
      state = { claims: new ConnectionClaims(), replyLinks: new Map(), consumers: new Set() };
      this.connections.set(connection, state);
    }
    return state;
  }

  private wire(): void {
    const c = this.container;
    c.on('connection_open', (context: EventContext) => {
      this.state(context.connection);
      this.log('info', `connection opened (${this.connections.size} open)`);
    });
    const forget = (context: EventContext) => this.forgetConnection(context.connection);
    c.on('connection_close', forget);
    c.on('disconnected', forget);
    c.on('receiver_open', (context: EventContext) => this.guard(() => this.onReceiverOpen(context)));
    c.on('sender_open', (context: EventContext) => this.guard(() => this.onSenderOpen(context)));
    c.on('message', (context: EventContext) => this.guard(() => this.onMessage(context)));
    c.on('sendable', (context: EventContext) => {
      if (context.sender) this.consumersBySender.get(context.sender)?.pump();
    });
    const linkClosed = (context: EventContext) => {
      if (context.sender) this.forgetConsumer(context.sender);
    };
    c.on('sender_close', linkClosed);
    c.on('sender_error', linkClosed);
    for (const event of ['error', 'connection_error', 'protocol_error', 'session_error', 'receiver_error']) {
      c.on(event, (context: unknown) => {
        const error = (context as { error?: unknown } | undefined)?.error ?? context;
        this.log('warn', `AMQP ${event.replace('_', ' ')}: ${errorMessage(error)}`);
      });
    }
  }

  private guard(handler: () => void): void {
    try {
      handler();
    } catch (caught) {
      this.log('warn', `internal error handling an AMQP event: ${errorMessage(caught)}`);
    }
  }

  private forgetConnection(connection: Connection): void {
    const state = this.connections.get(connection);
    if (!state) return;
    for (const consumer of state.consumers) this.forgetConsumer(consumer.sender);
    this.connections.delete(connection);
    this.log('info', `connection closed (${this.connections.size} open)`);
  }

  private forgetConsumer(sender: Sender): void {
    const consumer = this.consumersBySender.get(sender);
    if (!consumer) return;
    consumer.stop();
    this.consumersBySender.delete(sender);
    this.connections.get(sender.connection)?.consumers.delete(consumer);
    for (const receivers of this.partitionReceivers.values()) receivers.delete(consumer);
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

  /** The client attached a sender: `$cbs`, `$management`, a hub or a hub partition. */
  private onReceiverOpen(context: EventContext): void {
    const receiver = context.receiver as Receiver;
    const path = receiver.target?.address ?? '';
    const address = parseEntityAddress(path);
    receiver.set_target({ address: path });
    (receiver as unknown as { local: { attach: { max_message_size: number } } }).local.attach.max_message_size =
      this.settings.maxMessageSizeInBytes;
    if (address.kind === 'cbs' || address.kind === 'management') return;
    const resolved = this.resolveEntity(context.connection, address, path);
    if (typeof resolved === 'string') {
      this.refuse(receiver, resolved.startsWith('unauthorized') ? 'amqp:unauthorized-access' : 'amqp:not-found', resolved);
      return;
    }
    this.log('debug', `publisher attached to "${path}"`);
  }

  /** The client attached a receiver: a `$cbs`/`$management` reply link or a partition consumer. */
  private onSenderOpen(context: EventContext): void {
    const sender = context.sender as Sender;
    const source = sender.source as { address?: string; filter?: unknown } | undefined;
    const path = source?.address ?? '';
    const address = parseEntityAddress(path);
    const replyTo = (sender.target as { address?: string } | undefined)?.address;
    sender.set_source({ address: path });
    if (replyTo !== undefined) sender.set_target({ address: replyTo });
    if (address.kind === 'cbs' || address.kind === 'management') {
      const state = this.state(context.connection);
      state.replyLinks.set(sender.name, sender);
      if (replyTo !== undefined) state.replyLinks.set(replyTo, sender);
      return;
    }
    const resolved = this.resolveEntity(context.connection, address, path);
    if (typeof resolved === 'string' || address.kind !== 'consumer') {
      const reason = typeof resolved === 'string' ? resolved : `"${path}" is not a consumer-group partition`;
      this.refuse(sender, reason.startsWith('unauthorized') ? 'amqp:unauthorized-access' : 'amqp:not-found', reason);
      return;
    }
    const start = parseStartPosition(selectorOf(source?.filter));
    if (!start.ok) {
      this.refuse(sender, 'amqp:invalid-field', start.error);
      return;
    }
    const epoch = (sender.properties as Record<string, unknown> | undefined)?.[PROPERTY_EPOCH];
    const ownerLevel = typeof epoch === 'number' ? epoch : undefined;
    const key = `${resolved.name}/${address.consumerGroup}/${address.partitionId}`.toLowerCase();
    const receivers = this.partitionReceivers.get(key) ?? new Set<PartitionConsumer>();
    this.partitionReceivers.set(key, receivers);
    const existing = [...receivers];
    const decision = decideOwnership(
      existing.map((consumer) => consumer.ownerLevel),
      ownerLevel,
    );
    if (!decision.admit) {
      this.refuse(sender, 'amqp:link:stolen', decision.description);
      return;
    }
    for (const index of decision.displaced) {
      const displaced = existing[index];
      if (!displaced) continue;
      this.forgetConsumer(displaced.sender);
      displaced.disconnect(
        'amqp:link:stolen',
        `New receiver with owner level ${ownerLevel ?? 'none'} was created on ${key}; this receiver ` +
          `(owner level ${displaced.ownerLevel ?? 'none'}) is disconnected.`,
      );
    }
    const log = resolved.partition(address.partitionId);
    if (!log) return;
    const consumer = new PartitionConsumer(sender, log, {
      firstSequenceNumber: firstSequenceNumber(log, start.position),
      ownerLevel,
      trackLastEnqueued: asArray(sender.desired_capabilities).includes(CAPABILITY_RUNTIME_METRIC),
    });
    receivers.add(consumer);
    this.consumersBySender.set(sender, consumer);
    this.state(context.connection).consumers.add(consumer);
    this.log('debug', `consumer attached to "${path}" (${start.position.kind})`);
    consumer.start();
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
      if (Buffer.isBuffer(payload)) return;
      this.answer(context.connection, payload, address.kind);
      return;
    }
    const resolved = this.resolveEntity(context.connection, address, path);
    if (typeof resolved === 'string' || (address.kind !== 'hub' && address.kind !== 'partition')) {
      delivery.reject({ condition: 'amqp:not-found', description: String(resolved) });
      return;
    }
    const incoming = eventsFromDelivery(delivery.format, payload);
    if (!incoming.ok) {
      this.log('warn', `rejected a message to "${path}": ${incoming.description}`);
      delivery.reject({ condition: incoming.condition, description: incoming.description });
      return;
    }
    if (incoming.sizeInBytes > this.settings.maxMessageSizeInBytes) {
      delivery.reject({
        condition: 'amqp:link:message-size-exceeded',
        description: `${incoming.sizeInBytes} bytes exceed the ${this.settings.maxMessageSizeInBytes}-byte limit`,
      });
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
    const properties = (request.application_properties ?? {}) as Record<string, unknown>;
    const state = this.state(connection);
    let reply: ManagementReply;
    if (kind === 'cbs') {
      const answer = answerPutToken(properties, request.body, this.settings, Date.now());
      if (answer.granted !== undefined) state.claims.grant(answer.granted);
      else this.log('warn', `put-token for "${String(properties.name)}" refused: ${answer.reply.statusDescription}`);
      reply = answer.reply;
    } else {
      const hubName = typeof properties.name === 'string' ? properties.name : '';
      reply =
        this.settings.validateTokens && !state.claims.covers(`${hubName}/$management`)
          ? {
              statusCode: 401,
              errorCondition: 'amqp:unauthorized-access',
              statusDescription: `Unauthorized: no $cbs token covers "${hubName}/$management"`,
            }
          : answerManagementRequest(properties, (name) => this.findHub(name));
    }
    const replyTo = typeof request.reply_to === 'string' ? request.reply_to : '';
    const link = state.replyLinks.get(replyTo);
    if (!link) {
      this.log('warn', `no reply link "${replyTo}" for a ${kind} request`);
      return;
    }
    link.send({
      correlation_id: request.message_id,
      to: replyTo,
      application_properties: {
        'status-code': reply.statusCode,
        'status-description': reply.statusDescription,
        ...(reply.errorCondition === undefined ? {} : { 'error-condition': reply.errorCondition }),
      },
      body: reply.body,
    });
  }
}

function connectionHost(host: string): string {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' ? 'localhost' : host;
}

/**
 * Starts a local Event Hubs endpoint that the unchanged `@azure/event-hubs` clients work against with
 * the emulator's connection string form. Throws `TraceError` `LOCAL_EVENTHUBS_PORT_IN_USE` naming the
 * port when it is taken, `LOCAL_EVENTHUBS_OPTIONS_INVALID` for bad options.
 *
 * @example
 * const hubs = await startLocalEventHubs({ hubs: [{ name: 'retina-traces', partitionCount: 4 }] });
 * const producer = new EventHubProducerClient(hubs.connectionString('retina-traces'));
 */
export async function startLocalEventHubs(options: LocalEventHubsOptions = {}): Promise<LocalEventHubs> {
  const settings = resolveLocalEventHubsSettings(options);
  const endpoint = new LocalEventHubsEndpoint(settings);
  const sockets = new Set<Socket>();
  const servers: Server[] = [];
  const newServer = (): Server => {
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      endpoint.accept(socket);
    });
    servers.push(server);
    return server;
  };
  try {
    await listen(newServer(), settings.port, settings.host);
  } catch (caught) {
    const code = (caught as { code?: string }).code;
    throw new TraceError(
      code === 'EADDRINUSE' ? 'LOCAL_EVENTHUBS_PORT_IN_USE' : 'LOCAL_EVENTHUBS_LISTEN_FAILED',
      code === 'EADDRINUSE'
        ? `Port ${settings.port} on ${settings.host} is already in use; choose another port for the local Event Hubs endpoint`
        : `The local Event Hubs endpoint could not listen on ${settings.host}:${settings.port}: ${errorMessage(caught)}`,
      { cause: caught },
    );
  }
  const address = servers[0]?.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  if (settings.host === '127.0.0.1') {
    // "localhost" may resolve to ::1 first; serve it too when IPv6 loopback exists.
    await listen(newServer(), port, '::1').catch(() => servers.pop()?.close());
  }
  settings.onLog?.({ level: 'info', message: `local Event Hubs listening on ${settings.host}:${port}` });
  let closing: Promise<void> | undefined;
  const host = connectionHost(settings.host);
  return {
    port,
    hubNames: endpoint.hubNames,
    connectionString(hub?: string): string {
      const entity = hub === undefined ? '' : `;EntityPath=${hub}`;
      return (
        `Endpoint=sb://${host.includes(':') ? `[${host}]` : host}:${port};SharedAccessKeyName=${settings.sasKeyName};` +
        `SharedAccessKey=${settings.sasKey};UseDevelopmentEmulator=true${entity}`
      );
    },
    close(): Promise<void> {
      closing ??= (async () => {
        endpoint.closeConnections();
        const closed = servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
        // Give clients a moment to see the AMQP close, then drop whatever is left.
        await new Promise((resolve) => setTimeout(resolve, sockets.size > 0 ? 50 : 0));
        for (const socket of sockets) socket.destroy();
        await Promise.all(closed);
        settings.onLog?.({ level: 'info', message: 'local Event Hubs stopped' });
      })();
      return closing;
    },
  };
}
