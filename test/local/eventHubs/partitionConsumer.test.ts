import { message as amqpMessage } from 'rhea';
import type { Sender } from 'rhea';
import { PartitionConsumer, eventAnnotations } from '../../../shared/local/eventHubs/partitionConsumer';
import { PartitionLog } from '../../../shared/local/eventHubs/partitionLog';
import { splitMessage } from '../../../shared/local/eventHubs/messageSections';

/** A stand-in for a rhea sender: credit is taken when `flush` "writes" the queued transfers, as rhea does. */
class FakeSender {
  credit = 0;
  delivery_count = 0;
  open = true;
  queued: Buffer[] = [];
  written: Buffer[] = [];
  closedWith: unknown;
  is_open = () => this.open;
  send = (payload: Buffer) => void this.queued.push(payload);
  close = (error: unknown) => {
    this.closedWith = error;
    this.open = false;
  };
  flush(): void {
    while (this.credit > 0 && this.queued.length > 0) {
      this.written.push(this.queued.shift() as Buffer);
      this.credit--;
      this.delivery_count++;
    }
  }
}

function logWith(count: number, maxEvents = 100): PartitionLog {
  const log = new PartitionLog({ maxEvents, maxBytes: 1e9 });
  for (let index = 0; index < count; index++) append(log, index);
  return log;
}

function append(log: PartitionLog, value: number): void {
  const split = splitMessage(amqpMessage.encode({ body: value }));
  if (!split.ok) throw new Error(split.error);
  log.append(
    [{ partitionKey: value % 2 ? 'odd' : undefined, sizeInBytes: 10, message: split.sections }],
    1000 + value,
  );
}

const valuesOf = (buffers: Buffer[]) => buffers.map((buffer) => amqpMessage.decode(buffer).body as unknown);

function consumer(
  log: PartitionLog,
  sender: FakeSender,
  first = 0,
  trackLastEnqueued = false,
): PartitionConsumer {
  return new PartitionConsumer(sender as unknown as Sender, log, {
    firstSequenceNumber: first,
    ownerLevel: undefined,
    trackLastEnqueued,
  });
}

describe('eventAnnotations', () => {
  it.each([
    [
      0,
      undefined,
      { 'x-opt-sequence-number': 0, 'x-opt-offset': '0', 'x-opt-enqueued-time': new Date(1000) },
    ],
    [
      1,
      'odd',
      {
        'x-opt-sequence-number': 1,
        'x-opt-offset': '10',
        'x-opt-enqueued-time': new Date(1001),
        'x-opt-partition-key': 'odd',
      },
    ],
  ])('annotates event %i (partition key %j) as Event Hubs does', (sequenceNumber, _key, expected) => {
    const event = logWith(2).at(sequenceNumber);
    if (!event) throw new Error('missing event');
    const onWire = amqpMessage.decode(
      amqpMessage.encode({ message_annotations: eventAnnotations(event), body: 'x' }),
    );
    expect(onWire.message_annotations).toEqual(expected);
  });
});

describe('PartitionConsumer', () => {
  it('sends nothing without credit, then exactly as much as the credit allows', () => {
    const log = logWith(5);
    const sender = new FakeSender();
    const reader = consumer(log, sender);
    reader.start();
    expect(sender.queued).toEqual([]);
    sender.credit = 2;
    reader.pump();
    reader.pump();
    expect(sender.queued).toHaveLength(2);
    sender.flush();
    sender.credit = 10;
    reader.pump();
    sender.flush();
    expect(valuesOf(sender.written)).toEqual([0, 1, 2, 3, 4]);
  });

  it('follows appends and starts at its first sequence number', () => {
    const log = logWith(3);
    const sender = new FakeSender();
    sender.credit = 100;
    consumer(log, sender, 2).start();
    append(log, 3);
    sender.flush();
    expect(valuesOf(sender.written)).toEqual([2, 3]);
  });

  it('skips events dropped while it lagged', () => {
    const log = logWith(2, 3);
    const sender = new FakeSender();
    const reader = consumer(log, sender);
    reader.start();
    for (const value of [2, 3, 4, 5]) append(log, value);
    sender.credit = 100;
    reader.pump();
    sender.flush();
    expect(valuesOf(sender.written)).toEqual([3, 4, 5]);
  });

  it('adds last-enqueued delivery annotations when asked', () => {
    const log = logWith(2);
    const sender = new FakeSender();
    sender.credit = 1;
    consumer(log, sender, 0, true).start();
    sender.flush();
    expect(amqpMessage.decode(sender.written[0] as Buffer).delivery_annotations).toMatchObject({
      last_enqueued_sequence_number: 1,
      last_enqueued_offset: '10',
      last_enqueued_time_utc: new Date(1001),
    });
  });

  it('stops following after stop() and closes the link on disconnect()', () => {
    const log = logWith(0);
    const sender = new FakeSender();
    sender.credit = 10;
    const reader = consumer(log, sender);
    reader.start();
    reader.disconnect('amqp:link:stolen', 'gone');
    append(log, 0);
    expect(sender.queued).toEqual([]);
    expect(sender.closedWith).toEqual({ condition: 'amqp:link:stolen', description: 'gone' });
  });
});
