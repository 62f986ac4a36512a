// Requests and fallbacks: how many feature calls ended other than full (degraded: the floor answered; unavailable:
// nothing could), over the window and per interval, by feature and by reason; and the moves down the route chain.
// A stream the client abandoned is a request but no fallback (nothing failed).
import { counterSeries, labelValues, sumOf } from './family';
import type { Interval } from './snapshot-deltas';
import type { Snapshot } from './snapshot';
import type { RequestsView } from './view-types';

const REQUESTS = 'ai_feature_requests_total';
const FALLBACK_OUTCOMES = new Set(['degraded', 'unavailable']);
const OUTCOMES = ['full', 'degraded', 'unavailable', 'abandoned', 'failed'] as const;

const isFallback = (labels: Readonly<Record<string, string>>) => FALLBACK_OUTCOMES.has(labels.outcome ?? '');
const rate = (fallbacks: number, total: number) => (total > 0 ? fallbacks / total : null);

export function requestsView(
  intervals: readonly Interval[],
  window: Interval,
  latest: Snapshot,
): RequestsView {
  const inWindow = counterSeries(window, REQUESTS);
  const total = sumOf(inWindow);
  const fallbacks = sumOf(inWindow, isFallback);
  const rateSeries = { name: 'fallback rate', points: [] as { at: number; value: number }[] };
  for (const interval of intervals) {
    const series = counterSeries(interval, REQUESTS);
    const intervalRate = rate(sumOf(series, isFallback), sumOf(series));
    if (intervalRate !== null) rateSeries.points.push({ at: interval.to, value: intervalRate });
  }
  const outcomeSeries = OUTCOMES.map((outcome) => ({
    name: outcome,
    points: intervals.map((interval) => ({
      at: interval.to,
      value: sumOf(counterSeries(interval, REQUESTS), (labels) => labels.outcome === outcome),
    })),
  })).filter((series) => series.points.some((point) => point.value > 0));
  const byFeature = labelValues(inWindow, 'feature').map((feature) => {
    const ofFeature = inWindow.filter((series) => series.labels.feature === feature);
    const featureTotal = sumOf(ofFeature);
    const featureFallbacks = sumOf(ofFeature, isFallback);
    return {
      feature,
      total: featureTotal,
      fallbacks: featureFallbacks,
      fallbackRate: rate(featureFallbacks, featureTotal),
    };
  });
  const reasons = labelValues(
    inWindow.filter((series) => isFallback(series.labels)),
    'reason',
  )
    .map((reason) => ({
      reason,
      count: sumOf(inWindow, (labels) => isFallback(labels) && labels.reason === reason),
    }))
    .filter((row) => row.count > 0)
    .sort((a, b) => b.count - a.count);
  const ladder = counterSeries(window, 'ai_fallbacks_total')
    .filter((series) => series.value > 0)
    .map((series) => ({
      task: series.labels.task ?? '',
      reason: series.labels.reason ?? '',
      count: series.value,
    }))
    .sort((a, b) => b.count - a.count);
  const lifetimeSeries = counterSeries(latest, REQUESTS);
  return {
    total,
    fallbacks,
    fallbackRate: rate(fallbacks, total),
    rateSeries,
    outcomeSeries,
    byFeature: byFeature.filter((row) => row.total > 0),
    reasons,
    ladder,
    lifetime: { total: sumOf(lifetimeSeries), fallbacks: sumOf(lifetimeSeries, isFallback) },
  };
}
