// Work handed off the request path: a request offers an item and returns at once; one worker handles items in
// order, each in a turn of its own, so a burst of them never holds the event loop. Full means dropped, never
// waited for: the request path must not slow down because grading or storage did.
import { setImmediate as nextTurn } from 'node:timers/promises';

export interface BoundedQueue<T> {
  /** Queues `item`; false, with nothing queued, when the queue is full or closed. */
  offer(item: T): boolean;
  /** Resolves once every item queued so far has been handled. */
  idle(): Promise<void>;
  /** Refuses new items and resolves once those already queued are handled. */
  close(): Promise<void>;
}

/**
 * `handle` failing is `onError`'s to report; the queue goes on with the next item. `capacity` counts items
 * waiting, not the one being handled.
 */
export function createBoundedQueue<T>(
  capacity: number,
  handle: (item: T) => Promise<void>,
  onError: (error: unknown, item: T) => void,
): BoundedQueue<T> {
  const waiting: T[] = [];
  let working = false;
  let closed = false;
  let idleWaiters: (() => void)[] = [];

  async function work(): Promise<void> {
    for (let item = waiting.shift(); item !== undefined; item = waiting.shift()) {
      await nextTurn();
      try {
        await handle(item);
      } catch (error) {
        onError(error, item);
      }
    }
    working = false;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  const idle = (): Promise<void> =>
    working ? new Promise<void>((resolve) => idleWaiters.push(resolve)) : Promise.resolve();

  return {
    offer(item) {
      if (closed || waiting.length >= capacity) return false;
      waiting.push(item);
      if (!working) {
        working = true;
        void work();
      }
      return true;
    },
    idle,
    close() {
      closed = true;
      return idle();
    },
  };
}
