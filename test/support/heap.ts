// The JS heap in use after full garbage collections, for tests that bound what a cache retains. `gc` is exposed
// at run time (the test runner starts without --expose-gc), through a fresh context that picks up the flag.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Runs `work(i)` for i in [0, count) with at most `concurrency` at a time. */
export async function runPool(
  count: number,
  concurrency: number,
  work: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
}
