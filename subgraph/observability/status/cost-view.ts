// Model spend by feature (ai_cost_usd_total): the window's dollars, each interval's, and the running totals.
import { counterSeries, labelValues, sumOf } from './family';
import type { Interval } from './snapshot-deltas';
import type { Snapshot } from './snapshot';
import type { CostView } from './view-types';

const COST = 'ai_cost_usd_total';

export function costView(intervals: readonly Interval[], window: Interval, latest: Snapshot): CostView {
  const inWindow = counterSeries(window, COST);
  const lifetime = counterSeries(latest, COST);
  const features = labelValues([...inWindow, ...lifetime], 'feature');
  const ofFeature = (feature: string) => (labels: Readonly<Record<string, string>>) =>
    labels.feature === feature;
  return {
    total: sumOf(inWindow),
    lifetime: sumOf(lifetime),
    byFeature: features
      .map((feature) => ({
        feature,
        usd: sumOf(inWindow, ofFeature(feature)),
        lifetimeUsd: sumOf(lifetime, ofFeature(feature)),
      }))
      .sort((a, b) => b.usd - a.usd || b.lifetimeUsd - a.lifetimeUsd),
    series: features
      .map((feature) => ({
        name: feature,
        points: intervals.map((interval) => ({
          at: interval.to,
          value: sumOf(counterSeries(interval, COST), ofFeature(feature)),
        })),
      }))
      .filter((series) => series.points.some((point) => point.value > 0)),
  };
}
