// Spend caps benchmark (issue 11, Benchmark): what reserving a call's worst case and settling it costs, against
// caps off, in the same run, with Redis on loopback.
//
//   npm run bench:limits [-- --rate=200 --seconds=5 --rounds=5 --concurrency=32 --saturation=20000 --dry-run]
//
// One "request" is what the gateway does per target attempt: `reserve` (one Lua script, awaited: on the
// request's path) then `settle` (one Lua script, not awaited: off the path), through the spend gate exactly as
// the gateway builds it. Caps off is the same gate asked for a tenant without caps (it returns at once).
// At a fixed rate below saturation the figures are the added p99 on the request path and the CPU per request
// (this process, on minus off; and Redis's own, from INFO). At saturation (closed loop) the throughput and
// p99 are reported too: on a 2-core machine any added CPU there is multiplied by the queue.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createSpendGate } from '../subgraph/limits/spend-gate';
import type { SpendGate } from '../subgraph/limits/spend-gate';
import { createRedisSpendLimiter } from '../subgraph/limits/redis-spend-limiter';
import type { SpendCaps } from '../subgraph/limits/spend-limiter';
import { createLogger } from '../subgraph/observability/logger';
import { createMetrics } from '../subgraph/observability/metrics';
import { percentile } from './support/load';
import { fixed, machineLine, markdownTable, met, noisyMachineNote } from './support/report';
import { runBenchmark } from './support/run-benchmark';

const OPTIONS = {
  rate: { default: 200, help: 'requests per second of the fixed-rate runs' },
  seconds: { default: 5, help: 'length of each fixed-rate run' },
  rounds: { default: 5, help: 'fixed-rate runs of each kind, interleaved; the median is reported' },
  concurrency: { default: 32, help: 'requests in flight in the saturation runs' },
  saturation: { default: 20_000, help: 'requests of each saturation run' },
};

const CPU_TARGET_MS = 0.2;
const P99_TARGET_MS = 1;
/** A worst case and a real cost of a typical call: ~1,300 input tokens and 600 output on a small model. */
const WORST_NANOS = 1_200_000;
const REAL_NANOS = 300_000;
/** Far above what the run can spend: every reservation fits, as for a tenant well within its cap. */
const CAPS_ON: SpendCaps = { monthlyNanos: 1e15, dailyNanos: 1e15 };
const CAPS_OFF: SpendCaps = {};

interface Run {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  /** This process's CPU per request. */
  cpuMs: number;
  /** Redis's CPU per request (INFO used_cpu_user + used_cpu_sys). */
  redisCpuMs: number;
  perSecond: number;
}

async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const seconds = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1000;
}

/** What a request does, resolving with the milliseconds it kept the request waiting. */
type Request = () => Promise<number>;

/** One request as the gateway makes it: the reservation awaited, its settle sent after the call. */
function spendRequest(gate: SpendGate, tenantId: string, caps: SpendCaps): Request {
  return async () => {
    const start = process.hrtime.bigint();
    const check = await gate.reserve(tenantId, caps, WORST_NANOS);
    const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
    if (check.kind !== 'reserved') throw new Error(`the reservation did not fit: ${check.kind}`);
    check.settle(REAL_NANOS);
    return elapsedMs;
  };
}

/** The floor under any Redis-backed check: the same two round trips (one awaited) carrying no work. */
function twoPings(redis: Redis): Request {
  return async () => {
    const start = process.hrtime.bigint();
    await redis.ping();
    const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
    void redis.ping();
    return elapsedMs;
  };
}

async function measure(redis: Redis, drive: (record: (ms: number) => void) => Promise<number>): Promise<Run> {
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  const redisBefore = await redisCpuMs(redis);
  const started = performance.now();
  const requests = await drive((ms) => latencies.push(ms));
  // Commands on one connection run in order: once this answers, every settle sent before it has run.
  await redis.ping();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const redisAfter = await redisCpuMs(redis);
  latencies.sort((a, b) => a - b);
  return {
    requests,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuMs: (cpu.user + cpu.system) / 1000 / requests,
    redisCpuMs: (redisAfter - redisBefore) / requests,
    perSecond: requests / seconds,
  };
}

/** Each figure's median over the rounds (an odd count gives a figure that was measured). */
function medianRun(runs: readonly Run[]): Run {
  const median = (pick: (run: Run) => number) => {
    const sorted = runs.map(pick).sort((a, b) => a - b);
    return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
  };
  return {
    requests: runs.reduce((sum, run) => sum + run.requests, 0),
    p50Ms: median((run) => run.p50Ms),
    p99Ms: median((run) => run.p99Ms),
    cpuMs: median((run) => run.cpuMs),
    redisCpuMs: median((run) => run.redisCpuMs),
    perSecond: median((run) => run.perSecond),
  };
}

/** Open loop: a request every 1/rate s whatever the earlier ones are doing, for `seconds`. */
function fixedRate(request: Request, rate: number, seconds: number) {
  return (record: (ms: number) => void) =>
    new Promise<number>((resolve, reject) => {
      const total = Math.round(rate * seconds);
      const start = performance.now();
      let sent = 0;
      let done = 0;
      const tick = () => {
        const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
        for (; sent < due; sent++) {
          request().then((ms) => {
            record(ms);
            if (++done === total) resolve(total);
          }, reject);
        }
        if (sent < total) setTimeout(tick, Math.max(0, (sent / rate) * 1000 - (performance.now() - start)));
      };
      tick();
    });
}

/** Closed loop: `concurrency` requests always in flight until `total` have run. */
function saturated(request: Request, concurrency: number, total: number) {
  return async (record: (ms: number) => void) => {
    let next = 0;
    const worker = async () => {
      while (next < total) {
        next++;
        record(await request());
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return total;
  };
}

runBenchmark('limits', OPTIONS, async ({ options, command, started }) => {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  const prefix = `ai:bench-spend-${randomBytes(4).toString('hex')}`;
  try {
    const gate = createSpendGate(
      createRedisSpendLimiter(redis, prefix),
      { timeoutMs: 250, onFailure: 'closed', reservationTtlMs: 150_000 },
      { metrics: createMetrics({ defaultMetrics: false }), logger: createLogger('silent') },
    );
    const tenant = 'bench-tenant';
    // Warm-up: the script cached in Redis, the JIT warm.
    await measure(redis, saturated(spendRequest(gate, tenant, CAPS_ON), 8, 2_000));
    const { rate, seconds, concurrency, saturation } = options;
    const runs: [string, Run][] = [];
    const requests: [string, Request][] = [
      ['caps off', spendRequest(gate, tenant, CAPS_OFF)],
      ['caps on', spendRequest(gate, tenant, CAPS_ON)],
      ['two PINGs (round-trip floor)', twoPings(redis)],
    ];
    // Interleaved rounds, the median of each kept: other work on a shared machine lands on every kind alike.
    const rounds: Run[][] = requests.map(() => []);
    for (let round = 0; round < options.rounds; round++) {
      for (const [index, [, request]] of requests.entries()) {
        rounds[index]!.push(await measure(redis, fixedRate(request, rate, seconds)));
      }
    }
    for (const [index, [name]] of requests.entries()) {
      runs.push([`${name}, ${rate}/s (median of ${options.rounds})`, medianRun(rounds[index]!)]);
    }
    for (const [name, request] of requests) {
      runs.push([
        `${name}, saturated (${concurrency} in flight)`,
        await measure(redis, saturated(request, concurrency, saturation)),
      ]);
    }
    const [off, on, pings] = [runs[0]![1], runs[1]![1], runs[2]![1]];
    const [offSaturated, onSaturated] = [runs[3]![1], runs[4]![1]];
    const addedCpu = on.cpuMs - off.cpuMs;
    const addedP99 = on.p99Ms - off.p99Ms;
    const table = markdownTable(
      [
        'run',
        'requests',
        'per second',
        'p50 ms',
        'p99 ms',
        'CPU ms / request (this process)',
        'Redis CPU ms / request',
      ],
      runs.map(([name, run]) => [
        name,
        run.requests,
        fixed(run.perSecond, 0),
        fixed(run.p50Ms, 3),
        fixed(run.p99Ms, 3),
        fixed(run.cpuMs, 3),
        fixed(run.redisCpuMs, 3),
      ]),
    );
    return [
      '## Spend caps: reserve + settle against caps off (issue 11)',
      '',
      `Run ${started.toISOString()} with \`${command}\`; ${machineLine()}. Redis on loopback, one connection ` +
        'shared as in the subgraph. A request is one reservation (awaited) and its settle (sent after the call, ' +
        'not awaited), through the spend gate the gateway uses; one tenant, so every request contends for the ' +
        'same keys. CPU per request is measured over the whole run (settles included).',
      '',
      table,
      '',
      `- Added CPU per request at ${rate}/s (this process, on minus off): ${fixed(addedCpu, 3)} ms, target ` +
        `≤ ${CPU_TARGET_MS} ms: ${met(addedCpu <= CPU_TARGET_MS)}. Redis adds ${fixed(on.redisCpuMs - off.redisCpuMs, 3)} ms ` +
        'of its own per request (two scripts), on its own core.',
      `- Added p99 at ${rate}/s: ${fixed(addedP99, 3)} ms, target ≤ ${P99_TARGET_MS} ms: ${met(addedP99 <= P99_TARGET_MS)}.`,
      `- The floor: two PINGs on the same connection at ${rate}/s cost ${fixed(pings.cpuMs - off.cpuMs, 3)} ms ` +
        `of CPU and ${fixed(pings.p99Ms - off.p99Ms, 3)} ms of p99 over caps off: what any Redis-backed check ` +
        'with a reservation and a settle costs here before its script does anything.',
      `- At saturation: ${fixed(onSaturated.perSecond, 0)} requests/s with caps on (caps off: ` +
        `${fixed(offSaturated.perSecond, 0)}/s, no Redis call at all), p99 ${fixed(onSaturated.p99Ms, 3)} ms, ` +
        `${fixed(onSaturated.cpuMs, 3)} ms of CPU per request once round trips are batched; reported, not aimed at.`,
      '',
      noisyMachineNote(),
    ].join('\n');
  } finally {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
});
