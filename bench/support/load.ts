// The load driver: autocannon, used programmatically, against one GraphQL endpoint. A warm-up run is thrown
// away, then the measured run records every response's latency (sub-millisecond, which autocannon's own
// histogram rounds to whole ms) and checks every body, so a fast stream of errors cannot pass for throughput.
import autocannon from 'autocannon';

export interface LoadOptions {
  name: string;
  url: string;
  /** GraphQL request bodies (JSON strings); requests rotate through them round-robin across connections. */
  bodies: string[];
  token?: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** The server process's CPU time so far (µs), read before and after each measured run when given. */
  serverCpuMicros?: () => Promise<number>;
  /** True when a 200 response body is the right answer; anything else counts as a mismatch. */
  verifyBody(body: string): boolean;
}

export interface LoadResult {
  name: string;
  connections: number;
  durationSeconds: number;
  requests: number;
  /** Requests still in flight when the run stopped: excluded from the percentiles, so p99 is a lower bound. */
  unfinished: number;
  requestsPerSecond: number;
  /** Server CPU time per completed request (µs): steadier than req/s on a shared machine. */
  serverCpuMicrosPerRequest: number | null;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  mismatches: number;
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

function cannon(
  options: LoadOptions,
  durationSeconds: number,
  onLatency?: (ms: number) => void,
): Promise<autocannon.Result> {
  let next = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: 'POST',
        connections: options.connections,
        duration: durationSeconds,
        headers: {
          'content-type': 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        body: options.bodies[0],
        requests: [
          {
            setupRequest: (request) => ({ ...request, body: options.bodies[next++ % options.bodies.length] }),
          },
        ],
        verifyBody: (body) => options.verifyBody(String(body)),
        timeout: 30,
      },
      (error: unknown, result) => (error ? reject(error) : resolve(result)),
    );
    if (onLatency) {
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        if (statusCode >= 200 && statusCode < 300) onLatency(responseTime);
      });
    }
  });
}

/** The raw record of one measured run (or slice), merged into a LoadResult by summarize(). */
export interface LoadSample {
  latencies: number[];
  durationSeconds: number;
  serverCpuMicros: number | null;
  requests: number;
  unfinished: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  mismatches: number;
}

export async function warmUp(options: LoadOptions): Promise<void> {
  if (options.warmupSeconds > 0) await cannon(options, options.warmupSeconds);
}

/** One measured run of `durationSeconds`, without warm-up. */
export async function sample(
  options: LoadOptions,
  durationSeconds = options.durationSeconds,
): Promise<LoadSample> {
  const latencies: number[] = [];
  const cpuBefore = options.serverCpuMicros ? await options.serverCpuMicros() : null;
  const result = await cannon(options, durationSeconds, (ms) => latencies.push(ms));
  const cpuAfter = options.serverCpuMicros ? await options.serverCpuMicros() : null;
  return {
    latencies,
    durationSeconds: result.duration,
    serverCpuMicros: cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null,
    requests: result.requests.total,
    // Requests still waiting when the run stopped: not in the latencies, and by construction the slowest.
    unfinished: Math.max(0, result.requests.sent - result.requests.total),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
  };
}

export function summarize(options: LoadOptions, samples: LoadSample[]): LoadResult {
  const latencies = samples.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const sum = (pick: (s: LoadSample) => number) => samples.reduce((total, s) => total + pick(s), 0);
  const durationSeconds = sum((s) => s.durationSeconds);
  const requests = sum((s) => s.requests);
  return {
    name: options.name,
    connections: options.connections,
    durationSeconds,
    requests,
    unfinished: sum((s) => s.unfinished),
    requestsPerSecond: round(requests / durationSeconds, 0),
    serverCpuMicrosPerRequest: samples.every((s) => s.serverCpuMicros !== null)
      ? round(sum((s) => s.serverCpuMicros ?? 0) / requests, 0)
      : null,
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
    maxMs: round(latencies[latencies.length - 1] ?? Number.NaN),
    non2xx: sum((s) => s.non2xx),
    errors: sum((s) => s.errors),
    timeouts: sum((s) => s.timeouts),
    mismatches: sum((s) => s.mismatches),
  };
}

/** Warm-up, then one measured run. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  await warmUp(options);
  return summarize(options, [await sample(options)]);
}

/**
 * Several scenarios measured in alternating slices (a b c a b c ...) after each one's warm-up, so that drift in
 * the machine's background load falls on all alike; each gets its `durationSeconds` in total.
 */
export async function runInterleaved(scenarios: LoadOptions[], slices: number): Promise<LoadResult[]> {
  for (const scenario of scenarios) await warmUp(scenario);
  const samples: LoadSample[][] = scenarios.map(() => []);
  for (let i = 0; i < slices; i++) {
    for (const [index, scenario] of scenarios.entries()) {
      samples[index]?.push(await sample(scenario, scenario.durationSeconds / slices));
    }
  }
  return scenarios.map((scenario, index) => summarize(scenario, samples[index] ?? []));
}

/** Every failed request (autocannon's errors include its timeouts): a run with any is not a valid measurement. */
export function failuresOf(result: LoadResult): number {
  return result.non2xx + result.errors + result.mismatches;
}
