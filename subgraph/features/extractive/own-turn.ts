// CPU-bound floor work (extractive summaries) runs one job per turn of the event loop, across all requests.
// Jobs that become ready together (a hundred entity summaries resuming after one batched document load)
// would otherwise run back to back in one macrotask, serving no socket, probe or timer until the last is
// done; queued here, the loop polls I/O between any two of them.
import { setImmediate as nextTurn } from 'node:timers/promises';

let tail: Promise<unknown> = Promise.resolve();

export function inItsOwnTurn<T>(job: () => Promise<T> | T): Promise<T> {
  // A job scheduled from the immediate queue runs in the next turn, after the loop has polled I/O.
  const run = tail.then(() => nextTurn()).then(job);
  tail = run.catch(() => undefined);
  return run;
}
