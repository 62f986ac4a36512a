// Service time of a search function called in this process: one caller at a time (each call's time alone),
// then `concurrency` callers at once (each call's latency, queueing included: PGlite runs one query at a time,
// the pg pool up to its size). Queries rotate; a run where no call found anything is no measurement.

export interface Latencies {
  calls: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Calls completed per second over the window. */
  perSecond: number;
  /** Calls that found nothing (a small tenant may hold none of a query's words). */
  empty: number;
}

export type SearchCall = (query: string) => Promise<readonly unknown[]>;

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

export function summarizeLatencies(samples: readonly number[], windowMs: number, empty = 0): Latencies {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    calls: sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? NaN,
    perSecond: windowMs > 0 ? (sorted.length / windowMs) * 1000 : NaN,
    empty,
  };
}

/**
 * `concurrency` loops calling `search` with rotating queries for `durationMs` (after `warmupMs` unmeasured),
 * each call timed from its start to its answer.
 */
export async function measureService(
  search: SearchCall,
  queries: readonly string[],
  options: { concurrency: number; durationMs: number; warmupMs: number },
): Promise<Latencies> {
  let next = 0;
  const samples: number[] = [];
  let empty = 0;
  const warmEnd = performance.now() + options.warmupMs;
  const end = warmEnd + options.durationMs;
  const loop = async () => {
    while (performance.now() < end) {
      const query = queries[next++ % queries.length] ?? '';
      const started = performance.now();
      const hits = await search(query);
      const finished = performance.now();
      if (started < warmEnd || finished > end) continue;
      samples.push(finished - started);
      if (hits.length === 0) empty += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, loop));
  if (samples.length > 0 && empty === samples.length)
    throw new Error('no call found anything: no measurement');
  return summarizeLatencies(samples, options.durationMs, empty);
}
