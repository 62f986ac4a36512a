// A turn runner for the code that works a slice at a time (map-in-slices.ts): it runs each job after a real turn
// of the event loop, as the service's runner does, and counts the turns taken.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { InItsOwnTurn } from '../../subgraph/runtime/map-in-slices';

export function countingTurns(): { inTurn: InItsOwnTurn; turns: () => number } {
  let turns = 0;
  const inTurn: InItsOwnTurn = async (job) => {
    turns += 1;
    await nextTurn();
    return job();
  };
  return { inTurn, turns: () => turns };
}
