// The event loop lag monitor on a real loop: a turn blocked for a known time (Atomics.wait holds the thread as
// synchronous work would) shows as that much stall between two readings, at once, even before the monitor's
// own timer has run again; a free loop shows none; the smoothed lag rises past a threshold after a block and
// falls back below it on a free loop; the window's p99 reaches the gauge; and a stopped monitor holds no timer.
import { setTimeout as sleep } from 'node:timers/promises';
import { createEventLoopLag } from '../../subgraph/observability/event-loop-lag';
import type { EventLoopLag } from '../../subgraph/observability/event-loop-lag';
import { waitUntil } from '../support/wait-for';

/** Holds the thread for `ms`, as a long synchronous turn would. */
function blockLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `during` between two readings of the stall clock, and of a real clock: both in milliseconds. */
async function measured(monitor: EventLoopLag, during: () => Promise<void> | void) {
  const stalledBefore = monitor.stalledMs();
  const startedAt = performance.now();
  await during();
  return { stalled: monitor.stalledMs() - stalledBefore, elapsed: performance.now() - startedAt };
}

describe('event loop lag monitor', () => {
  let monitor: EventLoopLag;
  afterEach(() => monitor.stop());

  it('counts a blocked turn as stall, at once: about its length, never more than the time that passed', async () => {
    monitor = createEventLoopLag();
    monitor.start();
    await sleep(50);
    const { stalled, elapsed } = await measured(monitor, () => blockLoop(400));
    // Read in the same turn the block ended, before the monitor's timer could run: the tick in progress counts.
    expect(stalled).toBeGreaterThanOrEqual(400 - 20 - 5 - 5);
    expect(stalled).toBeLessThanOrEqual(elapsed);
  });

  it('keeps the stall once its timer has run: the counter never goes back', async () => {
    monitor = createEventLoopLag();
    monitor.start();
    await sleep(30);
    const { stalled } = await measured(monitor, async () => {
      blockLoop(300);
      const rightAfter = monitor.stalledMs();
      await sleep(60);
      expect(monitor.stalledMs()).toBeGreaterThanOrEqual(rightAfter);
    });
    expect(stalled).toBeGreaterThanOrEqual(300 - 30);
  });

  it('counts a loop that keeps up as (next to) no stall', async () => {
    monitor = createEventLoopLag();
    monitor.start();
    await sleep(30);
    const { stalled, elapsed } = await measured(monitor, () => sleep(300));
    expect(elapsed).toBeGreaterThanOrEqual(299);
    // Timers firing a millisecond late are noise, not stall: far below the blocked case's hundreds.
    expect(stalled).toBeLessThan(50);
  });

  it('reads no stall and no lag before it starts, and stops its timer when stopped', async () => {
    monitor = createEventLoopLag();
    blockLoop(100);
    expect(monitor.stalledMs()).toBe(0);
    expect(monitor.lagMs()).toBe(0);
    monitor.start();
    monitor.stop();
    blockLoop(100);
    await sleep(30);
    expect(monitor.stalledMs()).toBe(0);
  });

  it('raises the smoothed lag past 100 ms after a 500 ms block, and lets it fall back below on a free loop', async () => {
    monitor = createEventLoopLag();
    monitor.start();
    await sleep(60);
    expect(monitor.lagMs()).toBeLessThan(100);
    blockLoop(500);
    await waitUntil(() => monitor.lagMs() > 100, 1_000, 'smoothed lag above 100 ms');
    await waitUntil(() => monitor.lagMs() < 20, 5_000, 'smoothed lag back below 20 ms');
  });

  it("hands each window's p99 to onWindow: a blocked window's is about the block", async () => {
    const windows: number[] = [];
    monitor = createEventLoopLag({ windowMs: 200, onWindow: (p99) => windows.push(p99) });
    monitor.start();
    await sleep(30);
    blockLoop(300);
    await waitUntil(() => windows.some((p99) => p99 >= 250), 2_000, 'a window with the block');
    expect(monitor.recentP99Ms()).toBe(windows.at(-1));
  });
});
