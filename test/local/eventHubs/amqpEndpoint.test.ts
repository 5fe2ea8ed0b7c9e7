import { create_container } from 'rhea';
import type { Connection, EventContext } from 'rhea';
import { startLocalEventHubs } from '../../../shared/local/eventHubs/localEventHubs';
import type { LocalEventHubs } from '../../../shared/local/eventHubs/localEventHubs';
import { waitFor } from './sdkHelpers';

/** Paths the SDKs do not take, driven with a bare rhea client. */
let hubs: LocalEventHubs;

beforeAll(async () => {
  hubs = await startLocalEventHubs({
    hubs: [
      { name: 'raw', partitionCount: 2 },
      { name: 'annotated', partitionCount: 1 },
    ],
    validateTokens: false,
    maxMessageSizeInBytes: 2048,
  });
});

afterAll(async () => {
  await hubs.close();
});

interface Outcome {
  state: 'accepted' | 'rejected' | 'error';
  condition?: string;
}

async function connect(options: Record<string, unknown> = {}): Promise<Connection> {
  const connection = create_container().connect({
    host: '127.0.0.1',
    port: hubs.port,
    reconnect: false,
    ...options,
  });
  await new Promise<void>((resolve, reject) => {
    connection.once('connection_open', () => resolve());
    connection.once('connection_error', (context: EventContext) =>
      reject(new Error(JSON.stringify(context.connection.error))),
    );
    connection.once('disconnected', (context: EventContext) =>
      reject(new Error(String(context.error ?? 'disconnected'))),
    );
  });
  return connection;
}

async function sendOne(connection: Connection, address: string, body: unknown): Promise<Outcome> {
  const sender = connection.open_sender({ target: { address } });
  return new Promise<Outcome>((resolve) => {
    sender.once('sendable', () => {
      sender.send({ body, message_annotations: { 'x-opt-partition-key': 'k' } });
    });
    sender.once('accepted', () => resolve({ state: 'accepted' }));
    sender.once('rejected', (context: EventContext) =>
      resolve({
        state: 'rejected',
        condition: (context.delivery?.remote_state as { error?: { condition?: string } })?.error?.condition,
      }),
    );
    sender.once('sender_error', (context: EventContext) =>
      resolve({
        state: 'error',
        condition: (context.sender?.error as { condition?: string } | undefined)?.condition,
      }),
    );
  });
}

async function receiveAll(
  connection: Connection,
  address: string,
  count: number,
): Promise<Record<string, unknown>[]> {
  const received: Record<string, unknown>[] = [];
  connection
    .open_receiver({ source: { address }, credit_window: 10 })
    .on('message', (context: EventContext) => {
      received.push({ body: context.message?.body, annotations: context.message?.message_annotations });
    });
  await waitFor(() => received.length >= count, `${count} messages on ${address}`);
  return received;
}

describe('local Event Hubs over raw AMQP', () => {
  it.each<[string, string, unknown, Outcome['state'], string | undefined]>([
    ['a plain (non-batch) message to the hub', 'raw', 'hello', 'accepted', undefined],
    ['a plain message to a partition', 'raw/Partitions/1', 'to-1', 'accepted', undefined],
    [
      'a message over the size limit',
      'raw/Partitions/1',
      'x'.repeat(3000),
      'rejected',
      'amqp:link:message-size-exceeded',
    ],
    ['a message to an unknown partition', 'raw/Partitions/9', 'x', 'error', 'amqp:not-found'],
    ['a message to an unknown hub', 'other', 'x', 'error', 'amqp:not-found'],
  ])('handles %s', async (_name, address, body, state, condition) => {
    const connection = await connect();
    try {
      expect(await sendOne(connection, address, body)).toEqual(condition ? { state, condition } : { state });
    } finally {
      connection.close();
    }
  });

  it('delivers plain messages with Event Hubs annotations', async () => {
    const connection = await connect();
    try {
      expect(await sendOne(connection, 'annotated', 'plain')).toEqual({ state: 'accepted' });
      const received = await receiveAll(connection, 'annotated/ConsumerGroups/$Default/Partitions/0', 1);
      expect(received[0]).toMatchObject({
        body: 'plain',
        annotations: { 'x-opt-partition-key': 'k', 'x-opt-sequence-number': 0, 'x-opt-offset': '0' },
      });
    } finally {
      connection.close();
    }
  });

  it.each([
    [
      'PLAIN with the configured key',
      { username: 'RootManageSharedAccessKey', password: 'SAS_KEY_VALUE' },
      true,
    ],
    ['PLAIN with a wrong key', { username: 'RootManageSharedAccessKey', password: 'nope' }, false],
    ['ANONYMOUS', { username: 'anyone' }, true],
  ])('authenticates SASL %s: %s', async (_name, options, succeeds) => {
    const attempt = connect(options);
    if (succeeds) {
      (await attempt).close();
    } else {
      await expect(attempt).rejects.toThrow();
    }
  });
});
