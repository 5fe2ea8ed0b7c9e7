import type { Sender } from 'rhea';
import { ConsumerRegistry } from '../../../shared/local/eventHubs/consumerRegistry';
import { PartitionLog } from '../../../shared/local/eventHubs/partitionLog';

/** The parts of a rhea sender the registry and its consumers touch. */
function fakeSender(connection: object) {
  return {
    connection,
    credit: 0,
    delivery_count: 0,
    closedWith: undefined as unknown,
    is_open: () => true,
    send: () => undefined,
    close(error: unknown) {
      this.closedWith = error;
    },
  };
}

const log = new PartitionLog({ maxEvents: 10, maxBytes: 1000 });
const connectionA = {};
const connectionB = {};

function attach(
  registry: ConsumerRegistry,
  sender: ReturnType<typeof fakeSender>,
  ownerLevel?: number,
  key = 'h/g/0',
) {
  return registry.attach({
    key,
    sender: sender as unknown as Sender,
    log,
    firstSequenceNumber: 0,
    ownerLevel,
    trackLastEnqueued: false,
  });
}

describe('ConsumerRegistry', () => {
  it('attaches plain receivers side by side', () => {
    const registry = new ConsumerRegistry();
    const [one, two] = [fakeSender(connectionA), fakeSender(connectionA)];
    expect(attach(registry, one)).toMatchObject({ ok: true, displaced: 0 });
    expect(attach(registry, two)).toMatchObject({ ok: true, displaced: 0 });
    expect(registry.size).toBe(2);
    expect(registry.get(one as unknown as Sender)?.ownerLevel).toBeUndefined();
  });

  it('lets a higher owner level displace the others with amqp:link:stolen', () => {
    const registry = new ConsumerRegistry();
    const [plain, owner] = [fakeSender(connectionA), fakeSender(connectionB)];
    attach(registry, plain);
    expect(attach(registry, owner, 2)).toMatchObject({ ok: true, displaced: 1 });
    expect(plain.closedWith).toMatchObject({
      condition: 'amqp:link:stolen',
      description: expect.stringContaining('owner level 2'),
    });
    expect(registry.get(plain as unknown as Sender)).toBeUndefined();
    expect(registry.size).toBe(1);
  });

  it.each([
    ['a lower owner level', 1],
    ['no owner level', undefined],
  ])('refuses %s while an owner is attached', (_name, ownerLevel) => {
    const registry = new ConsumerRegistry();
    attach(registry, fakeSender(connectionA), 3);
    const result = attach(registry, fakeSender(connectionA), ownerLevel);
    expect(result.ok).toBe(false);
    expect(registry.size).toBe(1);
  });

  it('keeps partitions apart', () => {
    const registry = new ConsumerRegistry();
    attach(registry, fakeSender(connectionA), 5, 'h/g/0');
    expect(attach(registry, fakeSender(connectionA), 1, 'h/g/1')).toMatchObject({ ok: true, displaced: 0 });
  });

  it('forgets links and whole connections, and ignores unknown ones', () => {
    const registry = new ConsumerRegistry();
    const [a1, a2, b1] = [fakeSender(connectionA), fakeSender(connectionA), fakeSender(connectionB)];
    for (const sender of [a1, a2, b1]) attach(registry, sender, undefined, `h/g/${registry.size}`);
    registry.forget(fakeSender(connectionA) as unknown as Sender);
    expect(registry.size).toBe(3);
    registry.forgetConnection(connectionA as never);
    expect(registry.size).toBe(1);
    registry.forget(b1 as unknown as Sender);
    expect(registry.size).toBe(0);
    expect(attach(registry, fakeSender(connectionB), 0)).toMatchObject({ ok: true, displaced: 0 });
  });
});
