// The fair picker: round robin across tenants, oldest first within one, so one tenant's backlog never starves
// another; each tenant's maxRunning and the free worker slots respected; tenants without work or room left
// out; and turns that stay put when tenants appear or drain between calls.
import { pickFairly } from '../../subgraph/jobs/fair-picker';
import type { FairPickInput } from '../../subgraph/jobs/fair-picker';

const ids = (tenant: string, count: number) => Array.from({ length: count }, (_, i) => `${tenant}-${i + 1}`);
const input = (
  queued: Record<string, readonly string[]>,
  rest: Partial<Omit<FairPickInput, 'queued'>> = {},
): FairPickInput => ({
  queued: new Map(Object.entries(queued)),
  running: new Map(),
  freeSlots: 1,
  maxRunning: () => 1_000,
  ...rest,
});
const jobIds = (result: ReturnType<typeof pickFairly>) => result.picks.map((pick) => pick.jobId);

/**
 * An engine in miniature: `slots` workers; each step every running job ends and the picker fills the free
 * slots from what is still queued. Returns job ids in the order they started.
 */
function drain(
  queues: Map<string, string[]>,
  slots: number,
  arrivals: (step: number) => void = () => undefined,
) {
  const started: string[] = [];
  let cursor: string | undefined;
  for (let step = 0; step < 1_000 && [...queues.values()].some((queue) => queue.length > 0); step += 1) {
    arrivals(step);
    const result = pickFairly({
      queued: queues,
      running: new Map(),
      freeSlots: slots,
      maxRunning: () => 1_000,
      after: cursor,
    });
    cursor = result.cursor;
    for (const { tenantId, jobId } of result.picks) {
      queues.get(tenantId)!.splice(queues.get(tenantId)!.indexOf(jobId), 1);
      started.push(jobId);
    }
  }
  return started;
}

describe('pickFairly', () => {
  it.each([
    ['acme', 'beta'],
    ['zeta', 'beta'],
  ])('starts a late tenant after at most one job of a tenant that queued 200 first (%s, then %s)', (a, b) => {
    const queues = new Map([[a, ids(a, 200)]]);
    // A's first job starts alone; then B queues its one job while A still has 199 waiting.
    const started = drain(queues, 1, (step) => step === 1 && queues.set(b, [`${b}-1`]));
    expect(started.slice(0, 2)).toEqual([`${a}-1`, `${b}-1`]);
    expect(started).toHaveLength(201);
  });

  it('with every slot free at once, gives the late tenant one of the first two slots', () => {
    const result = pickFairly(
      input({ acme: ids('acme', 200), zeta: ['zeta-1'] }, { freeSlots: 8, after: 'zeta' }),
    );
    expect(jobIds(result).slice(0, 2)).toEqual(['acme-1', 'zeta-1']);
    expect(jobIds(result)).toEqual([
      'acme-1',
      'zeta-1',
      'acme-2',
      'acme-3',
      'acme-4',
      'acme-5',
      'acme-6',
      'acme-7',
    ]);
  });

  it("shares the slots evenly among busy tenants, each tenant's jobs oldest first", () => {
    const result = pickFairly(input({ c: ids('c', 10), a: ids('a', 10), b: ids('b', 10) }, { freeSlots: 7 }));
    expect(jobIds(result)).toEqual(['a-1', 'b-1', 'c-1', 'a-2', 'b-2', 'c-2', 'a-3']);
    expect(result.cursor).toBe('a');
  });

  it('goes on after the cursor, so successive calls rotate rather than restart at the first tenant', () => {
    const queued = { a: ids('a', 10), b: ids('b', 10), c: ids('c', 10) };
    expect(jobIds(pickFairly(input(queued, { freeSlots: 2, after: 'a' })))).toEqual(['b-1', 'c-1']);
    expect(jobIds(pickFairly(input(queued, { freeSlots: 2, after: 'c' })))).toEqual(['a-1', 'b-1']);
  });

  it("respects a tenant's maxRunning, counting the jobs it already runs, and leaves slots free rather than exceed it", () => {
    const maxRunning = (tenant: string) => (tenant === 'acme' ? 3 : 1);
    const running = new Map([['acme', 1]]);
    const result = pickFairly(
      input({ acme: ids('acme', 50), beta: ids('beta', 50) }, { freeSlots: 8, running, maxRunning }),
    );
    expect(jobIds(result)).toEqual(['acme-1', 'beta-1', 'acme-2']);
    const full = pickFairly(
      input({ acme: ids('acme', 5) }, { freeSlots: 4, running: new Map([['acme', 3]]), maxRunning }),
    );
    expect(full).toEqual({ picks: [], cursor: undefined });
  });

  it('picks nothing without a free slot, and no more than the free slots', () => {
    expect(pickFairly(input({ a: ids('a', 3) }, { freeSlots: 0, after: 'a' }))).toEqual({
      picks: [],
      cursor: 'a',
    });
    expect(pickFairly(input({ a: ids('a', 3), b: ids('b', 3) }, { freeSlots: 4 })).picks).toHaveLength(4);
    expect(pickFairly(input({ a: ids('a', 3) }, { freeSlots: 10 })).picks).toHaveLength(3);
  });

  it('leaves out tenants whose queue is empty: they take no turn', () => {
    const result = pickFairly(input({ a: [], b: ids('b', 2), c: [] }, { freeSlots: 4, after: 'a' }));
    expect(result).toEqual({
      picks: [
        { tenantId: 'b', jobId: 'b-1' },
        { tenantId: 'b', jobId: 'b-2' },
      ],
      cursor: 'b',
    });
  });

  it('keeps the turns when the cursor tenant drains or a new tenant appears', () => {
    // `b` was served last and has since drained: the round goes on with the tenant after it, `c`.
    expect(jobIds(pickFairly(input({ a: ['a-1'], c: ['c-1'] }, { after: 'b' })))).toEqual(['c-1']);
    // `bb` appears after the cursor `b`: it gets the very next turn, and `a` keeps its place after `c`.
    expect(
      jobIds(pickFairly(input({ a: ['a-1'], bb: ['bb-1'], c: ['c-1'] }, { freeSlots: 3, after: 'b' }))),
    ).toEqual(['bb-1', 'c-1', 'a-1']);
    // A cursor past every tenant wraps to the first.
    expect(jobIds(pickFairly(input({ a: ['a-1'], b: ['b-1'] }, { after: 'z' })))).toEqual(['a-1']);
  });

  it('serves every tenant in turn while one keeps adding to a large backlog', () => {
    const queues = new Map([
      ['bulk', ids('bulk', 100)],
      ['one', ['one-1']],
      ['two', ['two-1', 'two-2']],
    ]);
    const started = drain(queues, 2, (step) => queues.get('bulk')!.push(`bulk-late-${step}`));
    const firstOfEach = ['one-1', 'two-1', 'two-2'].map((id) => started.indexOf(id));
    expect(Math.max(...firstOfEach)).toBeLessThan(6);
    // The backlog itself still runs oldest first, its late additions after it.
    expect(started.filter((id) => id.startsWith('bulk')).slice(0, 101)).toEqual([
      ...ids('bulk', 100),
      'bulk-late-0',
    ]);
  });

  it('is pure: the input is left as it was', () => {
    const queued = new Map([['a', Object.freeze(ids('a', 3))]]);
    const running = new Map([['a', 0]]);
    pickFairly({ queued, running, freeSlots: 2, maxRunning: () => 5 });
    expect([...queued.get('a')!]).toEqual(['a-1', 'a-2', 'a-3']);
    expect(running.get('a')).toBe(0);
  });
});
