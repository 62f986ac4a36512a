// Kept samples' rows written in batches: a full batch goes at once, a partial one after the delay, flush writes
// what is held and waits for it, batches go one at a time in order, a failed batch is reported and the next
// written, and past maxWaiting rows are refused rather than held without bound.
import { gatherWrites } from '../../subgraph/observability/quality/gathered-writes';

function recorder(fail: (batch: readonly number[]) => boolean = () => false) {
  const batches: number[][] = [];
  const failures: [string, number[]][] = [];
  const write = async (batch: readonly number[]) => {
    await Promise.resolve();
    if (fail(batch)) throw new Error('store down');
    batches.push([...batch]);
  };
  const onError = (error: unknown, batch: readonly number[]) =>
    failures.push([(error as Error).message, [...batch]]);
  return { batches, failures, write, onError };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('gatherWrites', () => {
  it('writes a batch once it is full, without waiting for the delay', async () => {
    const { batches, write, onError } = recorder();
    const rows = gatherWrites(write, onError, { maxItems: 3, delayMs: 60_000, maxWaiting: 100 });
    [1, 2, 3, 4].forEach((row) => rows.add(row));
    await sleep(10);
    expect(batches).toEqual([[1, 2, 3]]);
    await rows.flush();
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('writes a partial batch after the delay, and not before', async () => {
    const { batches, write, onError } = recorder();
    const rows = gatherWrites(write, onError, { maxItems: 10, delayMs: 40, maxWaiting: 100 });
    rows.add(1);
    rows.add(2);
    await sleep(5);
    expect(batches).toEqual([]);
    await sleep(80);
    expect(batches).toEqual([[1, 2]]);
  });

  it('reports a failed batch to onError and writes the next one', async () => {
    const { batches, failures, write, onError } = recorder((batch) => batch.includes(1));
    const rows = gatherWrites(write, onError, { maxItems: 2, delayMs: 60_000, maxWaiting: 100 });
    [1, 2, 3].forEach((row) => rows.add(row));
    await expect(rows.flush()).resolves.toBeUndefined();
    expect(failures).toEqual([['store down', [1, 2]]]);
    expect(batches).toEqual([[3]]);
  });

  it('refuses rows past maxWaiting, counting those being written, and takes them again once written', async () => {
    let release = () => undefined as void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const batches: number[][] = [];
    const rows = gatherWrites<number>(
      async (batch) => {
        await released;
        batches.push([...batch]);
      },
      () => undefined,
      { maxItems: 2, delayMs: 60_000, maxWaiting: 3 },
    );
    expect([1, 2, 3, 4].map((row) => rows.add(row))).toEqual([true, true, true, false]);
    release();
    await rows.flush();
    expect(batches).toEqual([[1, 2], [3]]);
    expect(rows.add(5)).toBe(true);
    await rows.flush();
    expect(batches).toEqual([[1, 2], [3], [5]]);
  });
});
