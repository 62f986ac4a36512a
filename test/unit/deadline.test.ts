// Deadline: the whole request's time budget, counted down on a real clock; spent when the time is up.
import { setTimeout as sleep } from 'node:timers/promises';
import { Deadline } from '../../subgraph/gateway/resilience/deadline';

describe('Deadline', () => {
  it('starts with its whole budget and counts down', async () => {
    const deadline = new Deadline(1_000);
    expect(deadline.budgetMs).toBe(1_000);
    const atStart = deadline.remainingMs();
    expect(atStart).toBeLessThanOrEqual(1_000);
    expect(atStart).toBeGreaterThan(900);
    expect(deadline.expired()).toBe(false);
    await sleep(60);
    expect(deadline.remainingMs()).toBeLessThanOrEqual(atStart - 50);
    expect(deadline.signal.aborted).toBe(false);
  });

  it('is expired, with nothing left and its signal aborted, once the budget is spent', async () => {
    const deadline = new Deadline(30);
    await sleep(80);
    expect(deadline.remainingMs()).toBe(0);
    expect(deadline.expired()).toBe(true);
    expect(deadline.signal.aborted).toBe(true);
  });

  it('aborts its signal when the budget is spent, whether the signal was asked for before or after', async () => {
    const askedBefore = new Deadline(30);
    const early = askedBefore.signal;
    const aborted = new Promise<unknown>((resolve) =>
      early.addEventListener('abort', () => resolve(early.reason)),
    );
    const askedAfter = new Deadline(30);
    await sleep(80);
    expect(early.aborted).toBe(true);
    expect((await aborted) as DOMException).toHaveProperty('name', 'TimeoutError');
    expect(askedAfter.signal.aborted).toBe(true);
    expect(askedAfter.signal.reason).toHaveProperty('name', 'TimeoutError');
    expect(askedAfter.signal).toBe(askedAfter.signal);
  });

  it('first() is whichever deadline ends first, the given one when the other is absent', () => {
    const short = new Deadline(1_000);
    const long = new Deadline(60_000);
    expect(Deadline.first(long, short)).toBe(short);
    expect(Deadline.first(short, long)).toBe(short);
    expect(Deadline.first(long, undefined)).toBe(long);
  });
});
