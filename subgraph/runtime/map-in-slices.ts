// CPU-bound work over a large list (a 1M-character document's ~1,000 chunks screened, or its vectors rendered
// as text) done a slice at a time: the first slice at once, each further one in a later turn of the event loop,
// so other requests' sockets, timers and probes are served between slices instead of after the whole list.
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Runs a job in a later turn of the event loop (the extractive floor's inItsOwnTurn, or nextTurnThen). */
export type InItsOwnTurn = <T>(job: () => T) => Promise<T>;

/** The plain runner: the job after the loop has polled I/O once. */
export const nextTurnThen: InItsOwnTurn = async (job) => {
  await nextTurn();
  return job();
};

/**
 * `items.map(each)`, `sliceMs` of work at a time (at least one item a slice): the first slice at once, each
 * further one in its own turn (`inTurn`). A list done within one slice takes no turn.
 */
export function mapInSlices<T, R>(
  items: readonly T[],
  each: (item: T) => R,
  inTurn: InItsOwnTurn,
  sliceMs: number,
): Promise<R[]> {
  return drainInSlices(mapped(items, each), inTurn, sliceMs);
}

function* mapped<T, R>(items: readonly T[], each: (item: T) => R): Generator<R> {
  for (const item of items) yield each(item);
}

/**
 * Every value of `source` (a generator doing its work as each value is asked for), `sliceMs` of work at a time
 * (at least one value a slice): the first slice at once, each further one in its own turn (`inTurn`).
 */
export async function drainInSlices<R>(
  source: Iterator<R>,
  inTurn: InItsOwnTurn,
  sliceMs: number,
): Promise<R[]> {
  const results: R[] = [];
  // One value ahead: a slice keeps the value made last and makes the next, so the source's end is known without
  // a turn of its own.
  let next = source.next();
  const slice = () => {
    const until = performance.now() + sliceMs;
    do {
      results.push(next.value as R);
      next = source.next();
    } while (!next.done && performance.now() < until);
  };
  if (!next.done) slice();
  while (!next.done) await inTurn(slice);
  return results;
}
