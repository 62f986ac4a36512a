// The measured part of bench:rails: one ask through today's railed pipeline and one through the unrailed
// copy, on the same question and the same FeatureDeps, back to back, for each tenant in turn; the order
// within a pair alternates (on-off, off-on) so neither side always runs on a warmer or colder event loop.
// Requests run one at a time: the figure wanted is what the rails add to one ask, not throughput.
import { createAskPipeline } from '../../subgraph/features/ask';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import type { PerformanceEntry } from 'node:perf_hooks';
import type { FeatureCall } from '../../subgraph/features/feature-call';
import type { AskInput } from '../../subgraph/features/inputs';
import { runPipeline } from '../../subgraph/features/model-pipeline';
import { percentile } from '../support/load';
import { RAILS_QUESTIONS } from './corpus';
import { createUnrailedAskPipeline } from './unrailed-ask';
import type { RailsWorld, TenantKey } from './world';

export type Side = 'on' | 'off';
/** How each ask ended: full answers, degraded ones (by reason), unavailable ones (by reason). */
export type Outcomes = Record<string, number>;

export interface Timings {
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  meanMs: number;
}

export interface PairedRow {
  tenant: TenantKey;
  requests: number;
  on: Timings;
  off: Timings;
  /** The median of (on − off) over the pairs: each pair ran on the same question, moments apart. */
  pairedMedianMs: number;
  /** Garbage-collection pauses that began during an ask of that side, mean ms per ask. */
  gcMsPerAsk: Record<Side, number>;
  outcomes: Record<Side, Outcomes>;
}

/** An ask's window on performance.now()'s clock, to lay the GC pauses over. */
interface Window {
  from: number;
  to: number;
}

/** The GC pauses that began inside the windows, summed (windows in time order, pauses in time order). */
function gcWithin(
  windows: readonly Window[],
  pauses: readonly { startTime: number; duration: number }[],
): number {
  let total = 0;
  let w = 0;
  for (const pause of pauses) {
    while (w < windows.length && (windows[w] as Window).to < pause.startTime) w++;
    const window = windows[w];
    if (window && window.from <= pause.startTime) total += pause.duration;
  }
  return total;
}

const ASK_LIMIT = 6;

export function timingsOf(samplesMs: readonly number[]): Timings {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    meanMs: sorted.length > 0 ? sum / sorted.length : Number.NaN,
  };
}

const outcomeOf = (result: { kind: string; reason?: string }): string =>
  result.kind === 'full' ? 'full' : `${result.kind} ${result.reason ?? ''}`.trim();

type Ask = (call: FeatureCall, input: AskInput) => Promise<{ kind: string; reason?: string }>;

async function timedAsk(
  world: RailsWorld,
  ask: Ask,
  tenant: TenantKey,
  requestId: string,
  question: string,
): Promise<{ ms: number; outcome: string; window: Window }> {
  const call = world.callFor(tenant, requestId);
  const from = performance.now();
  const started = process.hrtime.bigint();
  const result = await ask(call, { question, limit: ASK_LIMIT });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { ms, outcome: outcomeOf(result), window: { from, to: performance.now() } };
}

export async function runPairs(
  world: RailsWorld,
  options: { requests: number; warmup: number; tenants: readonly TenantKey[] },
): Promise<PairedRow[]> {
  const railed = createAskPipeline(world.deps);
  const unrailed = createUnrailedAskPipeline(world.deps);
  const asks: Record<Side, Ask> = {
    on: (call, input) => runPipeline(world.deps, railed, call, input),
    off: (call, input) => runPipeline(world.deps, unrailed, call, input),
  };
  const samples = new Map<TenantKey, Record<Side, number[]>>();
  const windows = new Map<TenantKey, Record<Side, Window[]>>();
  const outcomes = new Map<TenantKey, Record<Side, Outcomes>>();
  for (const tenant of options.tenants) {
    samples.set(tenant, { on: [], off: [] });
    windows.set(tenant, { on: [], off: [] });
    outcomes.set(tenant, { on: {}, off: {} });
  }
  const pauses: PerformanceEntry[] = [];
  const gc = new PerformanceObserver((list) => pauses.push(...list.getEntries()));
  gc.observe({ entryTypes: ['gc'] });
  const total = options.warmup + options.requests;
  for (let i = 0; i < total; i++) {
    const question = RAILS_QUESTIONS[i % RAILS_QUESTIONS.length] as string;
    const order: Side[] = i % 2 === 0 ? ['on', 'off'] : ['off', 'on'];
    for (const tenant of options.tenants) {
      for (const side of order) {
        const { ms, outcome, window } = await timedAsk(
          world,
          asks[side],
          tenant,
          `rails-${side}-${i}`,
          question,
        );
        if (i < options.warmup) continue;
        samples.get(tenant)?.[side].push(ms);
        windows.get(tenant)?.[side].push(window);
        const counts = outcomes.get(tenant)?.[side];
        if (counts) counts[outcome] = (counts[outcome] ?? 0) + 1;
      }
    }
    if ((i + 1) % 500 === 0) console.log(`  ${i + 1}/${total} pairs per tenant`);
  }
  pauses.push(...gc.takeRecords());
  gc.disconnect();
  pauses.sort((a, b) => a.startTime - b.startTime);
  return options.tenants.map((tenant) => {
    const { on, off } = samples.get(tenant) ?? { on: [], off: [] };
    const asked = windows.get(tenant) ?? { on: [], off: [] };
    const gcPerAsk = (side: Side) => gcWithin(asked[side], pauses) / Math.max(1, asked[side].length);
    const differences = on.map((ms, index) => ms - (off[index] ?? Number.NaN));
    return {
      tenant,
      requests: on.length,
      on: timingsOf(on),
      off: timingsOf(off),
      pairedMedianMs: timingsOf(differences).p50Ms,
      gcMsPerAsk: { on: gcPerAsk('on'), off: gcPerAsk('off') },
      outcomes: outcomes.get(tenant) ?? { on: {}, off: {} },
    };
  });
}
