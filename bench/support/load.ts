// The load generator: autocannon, programmatic, with a body built per request (so the completion cache
// never hits when that is the point) and every response's latency and shape recorded here, at sub-millisecond
// resolution, instead of relying on autocannon's whole-millisecond histogram.
//
// One autocannon run covers warm-up and measurement: the connections opened during the warm-up carry on
// into the measured window, so connection setup and a fresh burst of simultaneous first requests stay out of
// it. Latency counts the requests sent inside the window; throughput counts the responses completed inside it.
import autocannon from 'autocannon';

export interface LoadSpec {
  title: string;
  url: string;
  connections: number;
  /** The measured window, after `warmupS`. */
  durationS: number;
  warmupS?: number;
  headers?: Record<string, string>;
  /** The request body of the n-th request of this run (n from 0). */
  body: (n: number) => string;
  /** When set, the body of the requests sent during the warm-up instead (e.g. a cheap query that only warms the connections). */
  warmupBody?: (n: number) => string;
  /** Labels this response counts under (e.g. its __typename); called for every response. */
  classify?(status: number, body: string): string[];
  /** When set, a response it refuses counts as a mismatch: the run is then no valid measurement. */
  verify?(status: number, body: string): boolean;
}

/** What a window and a result both record besides latencies. */
interface Tally {
  /** Length of the measured window(s), seconds. */
  durationS: number;
  /** Requests sent but not answered when the run ended: their latency is in no percentile. */
  unfinished: number;
  /** Over the whole run, warm-up included, as autocannon counts them. */
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Responses `verify` refused, in the window. */
  mismatches: number;
  /** Labels of the responses in the latency sample. */
  counts: Record<string, number>;
  /** The five slowest responses of the sample: when they completed (s into the window) and how long they took. */
  slowest: { atS: number; ms: number }[];
}

/** What one autocannon run recorded in its measured window; `summarize` merges windows into a result. */
export interface LoadWindow extends Tally {
  latencies: number[];
  /** Responses completed inside the window (with `warmupBody`: responses to window requests). */
  completed: number;
}

export interface LoadResult extends Tally {
  title: string;
  connections: number;
  /** Responses to requests sent inside the window: the latency sample. */
  responses: number;
  rps: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/**
 * Runs `spec.warmupS` of warm-up then `spec.durationS` measured, on the same connections. `onWindow` is
 * called (not awaited) when the window opens: the place to sample CPU, reset counters or inject a fault.
 */
export async function runWindow(spec: LoadSpec, onWindow?: () => void): Promise<LoadWindow> {
  const warmupMs = (spec.warmupS ?? 0) * 1000;
  const window: LoadWindow = {
    latencies: [],
    completed: 0,
    durationS: 0,
    unfinished: 0,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    mismatches: 0,
    counts: {},
    slowest: [],
  };
  const sample: { atMs: number; ms: number }[] = [];
  let labels: string[] = [];
  let refused = false;
  let n = 0;
  const windowOpensAt = performance.now() + warmupMs;
  const timer = setTimeout(() => onWindow?.(), warmupMs);

  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration: (warmupMs + spec.durationS * 1000) / 1000,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...spec.headers },
            // Built right before it is sent (one request in flight per connection).
            setupRequest: (request) => {
              const inWarmup = spec.warmupBody !== undefined && performance.now() < windowOpensAt;
              return { ...request, body: (inWarmup && spec.warmupBody ? spec.warmupBody : spec.body)(n++) };
            },
            // Runs just before the instance's 'response' event for the same response.
            onResponse: (status, body) => {
              labels = spec.classify ? spec.classify(status, body) : [];
              refused = spec.verify ? !spec.verify(status, body) : false;
            },
          },
        ],
      },
      (error, done) =>
        error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(done),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      const now = performance.now();
      if (now < windowOpensAt) return;
      if (!spec.warmupBody) window.completed += 1;
      if (now - responseTime < windowOpensAt) return;
      if (spec.warmupBody) window.completed += 1;
      if (refused) window.mismatches += 1;
      window.latencies.push(responseTime);
      sample.push({ atMs: now - windowOpensAt, ms: responseTime });
      for (const label of labels) window.counts[label] = (window.counts[label] ?? 0) + 1;
    });
  });
  clearTimeout(timer);
  window.durationS = (performance.now() - windowOpensAt) / 1000;
  window.unfinished = Math.max(0, result.requests.sent - (result.requests.total ?? 0));
  window.non2xx = result.non2xx;
  window.errors = result.errors;
  window.timeouts = result.timeouts;
  window.slowest = sample
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 5)
    .map(({ atMs, ms }) => ({ atS: atMs / 1000, ms }));
  return window;
}

/** One result from the windows of a scenario (one window, or the slices of an interleaved run). */
export function summarize(spec: LoadSpec, windows: readonly LoadWindow[]): LoadResult {
  const sum = (pick: (window: LoadWindow) => number) => windows.reduce((total, w) => total + pick(w), 0);
  const sorted = windows.flatMap((window) => window.latencies).sort((a, b) => a - b);
  const durationS = sum((window) => window.durationS);
  const counts: Record<string, number> = {};
  for (const window of windows) {
    for (const [label, count] of Object.entries(window.counts)) counts[label] = (counts[label] ?? 0) + count;
  }
  return {
    title: spec.title,
    connections: spec.connections,
    durationS,
    responses: sorted.length,
    unfinished: sum((window) => window.unfinished),
    rps: sum((window) => window.completed) / durationS,
    meanMs: sorted.length > 0 ? sorted.reduce((total, value) => total + value, 0) / sorted.length : NaN,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
    non2xx: sum((window) => window.non2xx),
    errors: sum((window) => window.errors),
    timeouts: sum((window) => window.timeouts),
    mismatches: sum((window) => window.mismatches),
    counts,
    slowest: windows
      .flatMap((window) => window.slowest)
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 5),
  };
}

/** Every failed request (non-2xx, connection errors, refused bodies). */
export function failuresOf(load: LoadResult): number {
  return load.non2xx + load.errors + load.mismatches;
}

/**
 * The labels of one GraphQL response, read with regular expressions rather than JSON.parse to keep the load
 * generator's own CPU use low: `errors` when the body has a top-level errors key, `status:<code>` when not
 * 200, and the first __typename, provider, reason and cached flag it carries.
 */
export function graphqlLabels(status: number, body: string): string[] {
  const labels: string[] = [];
  if (status !== 200) labels.push(`status:${status}`);
  if (/^\s*\{\s*"errors"|,"errors":\[/.test(body)) labels.push('errors');
  const typename = /"__typename":"(\w+)"/.exec(body)?.[1];
  labels.push(`typename:${typename ?? 'none'}`);
  const provider = /"provider":(?:"(\w+)"|null)/.exec(body);
  if (provider) labels.push(`provider:${provider[1] ?? 'null'}`);
  const reason = /"reason":"(\w+)"/.exec(body)?.[1];
  if (reason) labels.push(`reason:${reason}`);
  const cached = /"cached":(true|false)/.exec(body)?.[1];
  if (cached) labels.push(`cached:${cached}`);
  return labels;
}
