// What happened between two snapshots: each counter's and histogram's increase, as Prometheus's increase() reads
// it. A value lower than before means the series restarted from zero (a registry reset, or a process that
// reused the page's memory), so the whole later value is the increase; a series absent before started at zero.
import type {
  CounterMetric,
  HistogramMetric,
  HistogramSeries,
  ScalarSeries,
  SeriesMap,
  Snapshot,
} from './snapshot';

export interface Interval {
  /** The earlier snapshot's time. */
  from: number;
  /** The later snapshot's time: where the page draws the interval. */
  to: number;
  counters: ReadonlyMap<CounterMetric, SeriesMap<ScalarSeries>>;
  histograms: ReadonlyMap<HistogramMetric, SeriesMap<HistogramSeries>>;
}

export function counterIncrease(previous: ScalarSeries | undefined, current: ScalarSeries): ScalarSeries {
  if (!previous || current.value < previous.value) return current;
  return { labels: current.labels, value: current.value - previous.value };
}

export function histogramCount(series: HistogramSeries): number {
  return series.buckets.at(-1) ?? 0;
}

export function histogramIncrease(
  previous: HistogramSeries | undefined,
  current: HistogramSeries,
): HistogramSeries {
  if (!previous || !sameBounds(previous, current) || histogramCount(current) < histogramCount(previous))
    return current;
  return {
    labels: current.labels,
    bounds: current.bounds,
    buckets: current.buckets.map((count, index) => Math.max(0, count - (previous.buckets[index] ?? 0))),
    sum: current.sum - previous.sum,
  };
}

function sameBounds(a: HistogramSeries, b: HistogramSeries): boolean {
  return a.bounds.length === b.bounds.length && a.bounds.every((bound, index) => bound === b.bounds[index]);
}

export function intervalBetween(previous: Snapshot, current: Snapshot): Interval {
  return {
    from: previous.at,
    to: current.at,
    counters: mapFamilies(previous.counters, current.counters, counterIncrease),
    histograms: mapFamilies(previous.histograms, current.histograms, histogramIncrease),
  };
}

/** The intervals between consecutive snapshots, oldest first: one fewer than the snapshots. */
export function intervalsOf(snapshots: readonly Snapshot[]): Interval[] {
  const intervals: Interval[] = [];
  for (let index = 1; index < snapshots.length; index += 1) {
    intervals.push(intervalBetween(snapshots[index - 1] as Snapshot, snapshots[index] as Snapshot));
  }
  return intervals;
}

/** The increases of several intervals added up: the whole window's increase, resets inside it included. */
export function totalOf(intervals: readonly Interval[]): Interval {
  const counters = new Map<CounterMetric, Map<string, ScalarSeries>>();
  const histograms = new Map<HistogramMetric, Map<string, HistogramSeries>>();
  for (const interval of intervals) {
    for (const [name, series] of interval.counters) addInto(counters, name, series, addScalars);
    for (const [name, series] of interval.histograms) addInto(histograms, name, series, addHistograms);
  }
  return { from: intervals[0]?.from ?? 0, to: intervals.at(-1)?.to ?? 0, counters, histograms };
}

export function addScalars(a: ScalarSeries, b: ScalarSeries): ScalarSeries {
  return { labels: a.labels, value: a.value + b.value };
}

/** Two series with the same bounds added bucket by bucket; bounds that differ keep the later series. */
export function addHistograms(a: HistogramSeries, b: HistogramSeries): HistogramSeries {
  if (!sameBounds(a, b)) return b;
  return {
    labels: a.labels,
    bounds: a.bounds,
    buckets: a.buckets.map((count, index) => count + (b.buckets[index] ?? 0)),
    sum: a.sum + b.sum,
  };
}

function mapFamilies<Name, Series>(
  previous: ReadonlyMap<Name, SeriesMap<Series>>,
  current: ReadonlyMap<Name, SeriesMap<Series>>,
  increase: (previous: Series | undefined, current: Series) => Series,
): Map<Name, SeriesMap<Series>> {
  const families = new Map<Name, SeriesMap<Series>>();
  for (const [name, series] of current) {
    const before = previous.get(name);
    families.set(name, new Map([...series].map(([key, now]) => [key, increase(before?.get(key), now)])));
  }
  return families;
}

function addInto<Name, Series>(
  families: Map<Name, Map<string, Series>>,
  name: Name,
  series: SeriesMap<Series>,
  add: (a: Series, b: Series) => Series,
): void {
  let family = families.get(name);
  if (!family) families.set(name, (family = new Map<string, Series>()));
  for (const [key, value] of series) {
    const sum = family.get(key);
    family.set(key, sum ? add(sum, value) : value);
  }
}
