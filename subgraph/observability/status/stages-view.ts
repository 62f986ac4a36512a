// Latency per stage of the request path (retrieval, model, extractive, ...): p50 and p95 over the window from the
// added-up bucket increases, and each interval's p95 per stage.
import { histogramSeries } from './family';
import { groupBy } from './group-by';
import { histogramQuantile } from './histogram-quantile';
import { addHistograms, histogramCount } from './snapshot-deltas';
import type { Interval } from './snapshot-deltas';
import type { StagesView } from './view-types';

const STAGES = 'ai_stage_duration_seconds';

export function stagesView(intervals: readonly Interval[], window: Interval): StagesView {
  const byStage = groupBy(histogramSeries(window, STAGES), ['stage'], addHistograms);
  const rows = [...byStage.values()]
    .filter((series) => histogramCount(series) > 0)
    .map((series) => ({
      stage: series.labels.stage ?? '',
      count: histogramCount(series),
      p50: histogramQuantile(0.5, series),
      p95: histogramQuantile(0.95, series),
    }))
    .sort((a, b) => a.stage.localeCompare(b.stage));
  const p95Series = rows.map(({ stage }) => ({
    name: stage,
    points: intervals.flatMap((interval) => {
      const series = histogramSeries(interval, STAGES).filter((one) => one.labels.stage === stage);
      const merged = series.reduce<(typeof series)[number] | undefined>(
        (sum, one) => (sum ? addHistograms(sum, one) : one),
        undefined,
      );
      const p95 = merged ? histogramQuantile(0.95, merged) : null;
      return p95 === null ? [] : [{ at: interval.to, value: p95 }];
    }),
  }));
  return { rows, p95Series };
}
