import { PacketPacer } from '../../shared/cli/packetPacer';

function fakeClock(): { now: () => number; sleep: (ms: number) => Promise<void>; sleeps: number[]; advance: (ms: number) => void } {
  let time = 1_000;
  const sleeps: number[] = [];
  return {
    now: () => time,
    sleep: async (ms) => {
      sleeps.push(ms);
      time += ms;
    },
    sleeps,
    advance: (ms) => (time += ms),
  };
}

describe('PacketPacer', () => {
  it('spreads packets evenly at the rate instead of bursting', async () => {
    const clock = fakeClock();
    const pacer = new PacketPacer(10, 100, clock);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      await pacer.beforePacket();
      times.push(clock.now());
    }
    expect(times).toEqual([1_000, 1_100, 1_200, 1_300, 1_400]);
  });

  it('does not wait when publishing is already behind the rate', async () => {
    const clock = fakeClock();
    const pacer = new PacketPacer(1_000, 100, clock);
    clock.advance(50);
    for (let i = 0; i < 10; i++) await pacer.beforePacket();
    expect(clock.sleeps).toEqual([]);
  });

  it.each([[0], [-1]])('flushes at most once per interval (advance %i ms first)', (extra) => {
    const clock = fakeClock();
    const pacer = new PacketPacer(100, 100, clock);
    clock.advance(Math.max(extra, 0));
    expect(pacer.shouldFlush()).toBe(false);
    clock.advance(100);
    expect(pacer.shouldFlush()).toBe(true);
    expect(pacer.shouldFlush()).toBe(false);
  });
});
