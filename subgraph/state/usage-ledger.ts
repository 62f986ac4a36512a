// The usage ledger port: per tenant, per day and month, per feature counts of requests, fallbacks, cache hits
// and cost. Redis backs it across replicas; the SQL store keeps it across restarts where there is no Redis;
// memory serves tests and a process with neither. All pass one contract suite.
import { usdOfNanos } from '../gateway/pricing';

export interface UsageEvent {
  tenantId: string;
  /** A feature (summarize, search, ask), or the work a cost belongs to (ingest, embedding-sweep, guardrails). */
  feature: string;
  /**
   * 1 for a feature request; 0 for a cost with no request of its own to carry it (an ingest's embeddings, a
   * re-embed, an abandoned stream already counted, a blocked question's guard call).
   */
  requests: 0 | 1;
  fallback: boolean;
  cacheHit: boolean;
  /** Integer nano-dollars, as priced (pricing.ts): summed as integers, never rounded again. */
  costNanos: number;
  at: Date;
}

export interface FeatureUsageTotals {
  feature: string;
  requests: number;
  costUsd: number;
  fallbacks: number;
  cacheHits: number;
}

export interface UsageSnapshot {
  requestsToday: number;
  spendUsdToday: number;
  spendUsdThisMonth: number;
  /** Month to date, one entry per feature used. */
  byFeature: FeatureUsageTotals[];
}

export interface UsageLedger {
  record(event: UsageEvent): Promise<void>;
  read(tenantId: string, at: Date): Promise<UsageSnapshot>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const dayKey = (at: Date): string => at.toISOString().slice(0, 10);
export const monthKey = (at: Date): string => at.toISOString().slice(0, 7);

// costNanos replaced the earlier costMicros counters: those fields are left where they are and never read.
export type CounterField = 'requests' | 'fallbacks' | 'cacheHits' | 'costNanos';

export const COUNTER_FIELDS: readonly CounterField[] = ['requests', 'fallbacks', 'cacheHits', 'costNanos'];

export function countersOf(event: UsageEvent): Record<CounterField, number> {
  if (!Number.isSafeInteger(event.costNanos) || event.costNanos < 0)
    throw new Error(`usage event costNanos must be a non-negative integer, got ${event.costNanos}`);
  return {
    requests: event.requests,
    fallbacks: event.fallback ? 1 : 0,
    cacheHits: event.cacheHit ? 1 : 0,
    costNanos: event.costNanos,
  };
}

/** Builds a snapshot from `feature:field -> value` maps of today and of this month. */
export function snapshotOf(today: Map<string, number>, month: Map<string, number>): UsageSnapshot {
  const sum = (counters: Map<string, number>, field: CounterField) =>
    [...counters].filter(([key]) => key.endsWith(`:${field}`)).reduce((total, [, value]) => total + value, 0);
  const features = new Set([...month.keys()].map((key) => key.slice(0, key.lastIndexOf(':'))));
  return {
    requestsToday: sum(today, 'requests'),
    spendUsdToday: usdOfNanos(sum(today, 'costNanos')),
    spendUsdThisMonth: usdOfNanos(sum(month, 'costNanos')),
    byFeature: [...features].sort().map((feature) => ({
      feature,
      requests: month.get(`${feature}:requests`) ?? 0,
      costUsd: usdOfNanos(month.get(`${feature}:costNanos`) ?? 0),
      fallbacks: month.get(`${feature}:fallbacks`) ?? 0,
      cacheHits: month.get(`${feature}:cacheHits`) ?? 0,
    })),
  };
}
