// Reading one family out of an interval or a snapshot: its series as a list, empty when it has none.
import type { Interval } from './snapshot-deltas';
import type {
  CounterMetric,
  GaugeMetric,
  HistogramMetric,
  HistogramSeries,
  ScalarSeries,
  Snapshot,
} from './snapshot';

type CounterHolder = Pick<Interval | Snapshot, 'counters'>;

export function counterSeries(holder: CounterHolder, name: CounterMetric): ScalarSeries[] {
  return [...(holder.counters.get(name)?.values() ?? [])];
}

export function gaugeSeries(snapshot: Snapshot, name: GaugeMetric): ScalarSeries[] {
  return [...(snapshot.gauges.get(name)?.values() ?? [])];
}

export function histogramSeries(
  holder: Pick<Interval, 'histograms'>,
  name: HistogramMetric,
): HistogramSeries[] {
  return [...(holder.histograms.get(name)?.values() ?? [])];
}

/** The sum of the series whose labels match `where` (every series without it). */
export function sumOf(
  series: readonly ScalarSeries[],
  where: (labels: ScalarSeries['labels']) => boolean = () => true,
): number {
  return series.reduce((sum, one) => (where(one.labels) ? sum + one.value : sum), 0);
}

/** Distinct values of a label across the series, sorted. */
export function labelValues(
  series: Iterable<{ labels: Readonly<Record<string, string>> }>,
  label: string,
): string[] {
  const values = new Set<string>();
  for (const one of series) {
    const value = one.labels[label];
    if (value !== undefined) values.add(value);
  }
  return [...values].sort();
}
