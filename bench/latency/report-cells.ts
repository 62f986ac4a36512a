// The cells of the latency benchmark's tables: ✓/✗, milliseconds, and the counts a load run's labels or the
// subgraph's metrics give.
import type { LoadResult } from '../support/load';
import { fixed } from '../support/report';

export const TARGETS = { cacheRatio: 0.95, shedShare: 0.05, hungP99Ms: 1000 };

export const mark = (ok: boolean) => (ok ? '✓' : '✗');
export const ms = (value: number) => fixed(value);
export const failed = (load: LoadResult) => load.non2xx + load.errors + load.mismatches;
export const counts = (load: LoadResult, prefix: string) =>
  Object.entries(load.counts)
    .filter(([label]) => label.startsWith(prefix))
    .map(([label, count]) => `${label.slice(prefix.length)} ${count}`)
    .join(', ') || 'none';

export const listed = (map: Map<string, number>) =>
  [...map.entries()].map(([key, value]) => `${key} ${value}`).join(', ') || 'none';
export const total = (map: Map<string, number>) => [...map.values()].reduce((sum, value) => sum + value, 0);
