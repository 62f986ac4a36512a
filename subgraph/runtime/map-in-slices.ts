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
export async function mapInSlices<T, R>(
  items: readonly T[],
  each: (item: T) => R,
  inTurn: InItsOwnTurn,
  sliceMs: number,
): Promise<R[]> {
  const results: R[] = [];
  const slice = () => {
    const until = performance.now() + sliceMs;
    do results.push(each(items[results.length] as T));
    while (results.length < items.length && performance.now() < until);
  };
  if (items.length > 0) slice();
  while (results.length < items.length) await inTurn(slice);
  return results;
}
