// How long a cache on Redis may hold a call, for the completion and query-embedding caches alike: a hung Redis
// costs a request CACHE_LOOKUP_TIMEOUT_MS at most (less when its deadline has less left), never its deadline. A
// cache in process memory has answered by the time it is awaited, so it is never raced against a timer.
import type { Deadline } from '../resilience/deadline';

/** CACHE_LOOKUP_TIMEOUT_MS's default. */
export const DEFAULT_CACHE_LOOKUP_TIMEOUT_MS = 200;
/** A spent deadline still gives the cache this long: a healthy Redis answers in about a millisecond. */
const MIN_CACHE_BUDGET_MS = 20;

/** CACHE_LOOKUP_TIMEOUT_MS (`boundMs`), or what is left of the deadline when less, never under a local round trip. */
export function cacheBudgetMs(boundMs: number | undefined, deadline: Deadline): number {
  return Math.min(
    boundMs ?? DEFAULT_CACHE_LOOKUP_TIMEOUT_MS,
    Math.max(deadline.remainingMs(), MIN_CACHE_BUDGET_MS),
  );
}
