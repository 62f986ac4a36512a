// The load generator: autocannon, programmatic, with a body built per request (so the completion cache
// never hits when that is the point) and every response's latency and shape recorded here, at sub-millisecond
// resolution, instead of relying on autocannon's whole-millisecond histogram.
//
// One autocannon run covers warm-up and measurement: the connections opened during the warm-up carry on
// into the measured window, so connection setup and a fresh burst of 100 simultaneous first requests stay
// out of it. Latency counts the requests sent inside the window; throughput counts the responses completed
// inside it.
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
  body(n: number): string;
  /** When set, the body of the requests sent during the warm-up instead (e.g. a cheap query that only warms the connections). */
  warmupBody?(n: number): string;
  /** Labels this response counts under (e.g. its __typename); called for every response. */
  classify?(status: number, body: string): string[];
}

export interface LoadResult {
  title: string;
  connections: number;
  /** Length of the measured window, seconds. */
  durationS: number;
  /** Responses to requests sent inside the window: the latency sample. */
  responses: number;
  /** Requests sent but not answered when the run ended: their latency is in no percentile. */
  unfinished: number;
  /** Responses completed inside the window, per second (with `warmupBody`: responses to window requests). */
  rps: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Over the whole run, warm-up included, as autocannon counts them. */
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Labels of the responses in the latency sample. */
  counts: Record<string, number>;
  /** The five slowest responses of the sample: when they completed (s into the window) and how long they took. */
  slowest: { atS: number; ms: number }[];
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
export async function runLoad(spec: LoadSpec, onWindow?: () => void): Promise<LoadResult> {
  const warmupMs = (spec.warmupS ?? 0) * 1000;
  const latencies: number[] = [];
  const sample: { atMs: number; ms: number }[] = [];
  const counts: Record<string, number> = {};
  let completedInWindow = 0;
  let labels: string[] = [];
  let n = 0;
  const started = performance.now();
  const windowOpensAt = started + warmupMs;
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
      completedInWindow += 1;
      if (now - responseTime < windowOpensAt) return;
      latencies.push(responseTime);
      sample.push({ atMs: now - windowOpensAt, ms: responseTime });
      for (const label of labels) counts[label] = (counts[label] ?? 0) + 1;
    });
  });
  clearTimeout(timer);
  const windowS = (performance.now() - windowOpensAt) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    title: spec.title,
    connections: spec.connections,
    durationS: windowS,
    responses: sorted.length,
    unfinished: Math.max(0, result.requests.sent - (result.requests.total ?? 0)),
    // With a separate warm-up body, the warm-up's last responses are not this scenario's throughput.
    rps: (spec.warmupBody ? sorted.length : completedInWindow) / windowS,
    meanMs: sorted.length > 0 ? sum / sorted.length : Number.NaN,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    counts,
    slowest: sample
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 5)
      .map(({ atMs, ms }) => ({ atS: atMs / 1000, ms })),
  };
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
