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
});
