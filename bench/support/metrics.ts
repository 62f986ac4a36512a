// Reads the subgraph's own Prometheus registry (as JSON, over the child's IPC channel) before and after a
// scenario, and turns the difference into per-stage mean latencies and per-label counts.

export interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

export interface MetricJson {
  name: string;
  type: string;
  values: MetricValue[];
}

export type MetricsSnapshot = MetricJson[];

function seriesKey(name: string, labels: Record<string, string | number>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((key) => `${key}=${String(labels[key])}`);
  return `${name}{${parts.join(',')}}`;
}

function flatten(snapshot: MetricsSnapshot): Map<string, number> {
  const out = new Map<string, number>();
  for (const metric of snapshot) {
    for (const value of metric.values) {
      out.set(seriesKey(value.metricName ?? metric.name, value.labels), value.value);
    }
  }
  return out;
}

/** after − before of every series whose name starts with `prefix`, keyed `name{label=value,...}`. */
export function delta(before: MetricsSnapshot, after: MetricsSnapshot, prefix: string): Map<string, number> {
  const previous = flatten(before);
  const out = new Map<string, number>();
  for (const [key, value] of flatten(after)) {
    if (!key.startsWith(prefix)) continue;
    const diff = value - (previous.get(key) ?? 0);
    if (diff !== 0) out.set(key, diff);
  }
  return out;
}

export interface HistogramMean {
  series: string;
  count: number;
  meanMs: number;
}

/** Mean latency (ms) per label set of a seconds histogram, over the interval between the snapshots. */
export function histogramMeans(
  before: MetricsSnapshot,
  after: MetricsSnapshot,
  histogram: string,
): HistogramMean[] {
  const sums = delta(before, after, `${histogram}_sum{`);
  const counts = delta(before, after, `${histogram}_count{`);
  const out: HistogramMean[] = [];
  for (const [key, count] of counts) {
    const labels = key.slice(key.indexOf('{'));
    const sum = sums.get(`${histogram}_sum${labels}`) ?? 0;
    out.push({ series: labels, count, meanMs: (sum / count) * 1000 });
  }
  return out.sort((a, b) => b.meanMs - a.meanMs);
}
