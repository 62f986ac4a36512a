// The usage ledger port: per tenant, per day and month, per feature counts of requests, fallbacks, cache hits
// and cost. Redis backs it across replicas; memory serves a single process. Both pass one contract suite.

export interface UsageEvent {
  tenantId: string;
  feature: string;
  fallback: boolean;
  cacheHit: boolean;
  costUsd: number;
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

// Cost is kept in integer micro-dollars so that many small increments never drift like floats do.
export const toMicros = (usd: number): number => Math.round(usd * 1_000_000);
export const fromMicros = (micros: number): number => micros / 1_000_000;

export const dayKey = (at: Date): string => at.toISOString().slice(0, 10);
export const monthKey = (at: Date): string => at.toISOString().slice(0, 7);

export type CounterField = 'requests' | 'fallbacks' | 'cacheHits' | 'costMicros';

export function countersOf(event: UsageEvent): Record<CounterField, number> {
  return {
    requests: 1,
    fallbacks: event.fallback ? 1 : 0,
    cacheHits: event.cacheHit ? 1 : 0,
    costMicros: toMicros(event.costUsd),
  };
}

/** Builds a snapshot from `feature:field -> value` maps of today and of this month. */
export function snapshotOf(today: Map<string, number>, month: Map<string, number>): UsageSnapshot {
  const sum = (counters: Map<string, number>, field: CounterField) =>
    [...counters].filter(([key]) => key.endsWith(`:${field}`)).reduce((total, [, value]) => total + value, 0);
  const features = new Set([...month.keys()].map((key) => key.slice(0, key.lastIndexOf(':'))));
  return {
    requestsToday: sum(today, 'requests'),
    spendUsdToday: fromMicros(sum(today, 'costMicros')),
    spendUsdThisMonth: fromMicros(sum(month, 'costMicros')),
    byFeature: [...features].sort().map((feature) => ({
      feature,
      requests: month.get(`${feature}:requests`) ?? 0,
      costUsd: fromMicros(month.get(`${feature}:costMicros`) ?? 0),
      fallbacks: month.get(`${feature}:fallbacks`) ?? 0,
      cacheHits: month.get(`${feature}:cacheHits`) ?? 0,
    })),
  };
}
