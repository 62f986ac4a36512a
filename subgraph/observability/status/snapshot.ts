// One reading of the metrics the status page draws, taken from the instance's own prom-client registry: the
// counters and gauges as plain values and each histogram as its cumulative bucket counts, every series keyed by
// its labels. Only the families the page needs are read (never the process metrics), so a snapshot is cheap and
// its size bounded by the metrics' own label sets.
import type { Registry } from 'prom-client';

export const COUNTER_METRICS = [
  'ai_feature_requests_total',
  'ai_fallbacks_total',
  'ai_cost_usd_total',
  'ai_quality_checks_total',
] as const;
export const GAUGE_METRICS = ['ai_circuit_open', 'ai_open_subscriptions'] as const;
export const HISTOGRAM_METRICS = ['ai_stage_duration_seconds', 'ai_quality_grounding_score'] as const;

export type CounterMetric = (typeof COUNTER_METRICS)[number];
export type GaugeMetric = (typeof GAUGE_METRICS)[number];
export type HistogramMetric = (typeof HISTOGRAM_METRICS)[number];

export type Labels = Readonly<Record<string, string>>;

export interface ScalarSeries {
  labels: Labels;
  value: number;
}

export interface HistogramSeries {
  labels: Labels;
  /** The finite upper bounds, ascending. */
  bounds: readonly number[];
  /** Cumulative counts, one per bound and a last one for +Inf (so `buckets.at(-1)` is the count). */
  buckets: readonly number[];
  sum: number;
}

/** Series of one family by their key (see seriesKey). */
export type SeriesMap<Series> = ReadonlyMap<string, Series>;

export interface Snapshot {
  /** Milliseconds since the epoch. */
  at: number;
  counters: ReadonlyMap<CounterMetric, SeriesMap<ScalarSeries>>;
  gauges: ReadonlyMap<GaugeMetric, SeriesMap<ScalarSeries>>;
  histograms: ReadonlyMap<HistogramMetric, SeriesMap<HistogramSeries>>;
}

/** The identity of a series within its family: its labels in name order. */
export function seriesKey(labels: Labels): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((name) => [name, labels[name]]),
  );
}

interface RawValue {
  value: number;
  labels: Partial<Record<string, string | number>>;
  metricName?: string;
}

export async function takeSnapshot(registry: Registry, at: number): Promise<Snapshot> {
  const counters = new Map<CounterMetric, SeriesMap<ScalarSeries>>();
  const gauges = new Map<GaugeMetric, SeriesMap<ScalarSeries>>();
  const histograms = new Map<HistogramMetric, SeriesMap<HistogramSeries>>();
  for (const name of COUNTER_METRICS) counters.set(name, scalarSeries(await valuesOf(registry, name)));
  for (const name of GAUGE_METRICS) gauges.set(name, scalarSeries(await valuesOf(registry, name)));
  for (const name of HISTOGRAM_METRICS)
    histograms.set(name, histogramSeries(name, await valuesOf(registry, name)));
  return { at, counters, gauges, histograms };
}

/** A family's values; none when the registry does not hold it (a registry built without it). */
async function valuesOf(registry: Registry, name: string): Promise<RawValue[]> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return [];
  return (await metric.get()).values;
}

function labelsOf(raw: RawValue['labels'], without?: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (name !== without && value !== undefined) labels[name] = String(value);
  }
  return labels;
}

function scalarSeries(values: RawValue[]): Map<string, ScalarSeries> {
  const series = new Map<string, ScalarSeries>();
  for (const { value, labels } of values) {
    const own = labelsOf(labels);
    series.set(seriesKey(own), { labels: own, value });
  }
  return series;
}

function histogramSeries(family: string, values: RawValue[]): Map<string, HistogramSeries> {
  const building = new Map<string, { labels: Labels; buckets: [number, number][]; sum: number }>();
  for (const { value, labels, metricName } of values) {
    const own = labelsOf(labels, 'le');
    const key = seriesKey(own);
    let entry = building.get(key);
    if (!entry) building.set(key, (entry = { labels: own, buckets: [], sum: 0 }));
    if (metricName === `${family}_bucket`) entry.buckets.push([upperBound(labels.le), value]);
    else if (metricName === `${family}_sum`) entry.sum = value;
  }
  const series = new Map<string, HistogramSeries>();
  for (const [key, { labels, buckets, sum }] of building) {
    buckets.sort(([a], [b]) => a - b);
    series.set(key, {
      labels,
      bounds: buckets.filter(([bound]) => Number.isFinite(bound)).map(([bound]) => bound),
      buckets: buckets.map(([, count]) => count),
      sum,
    });
  }
  return series;
}

function upperBound(le: string | number | undefined): number {
  if (le === undefined || le === '+Inf') return Number.POSITIVE_INFINITY;
  return Number(le);
}
