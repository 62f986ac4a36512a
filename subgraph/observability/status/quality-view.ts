// The quality grader's figures by prompt version (with the feature and model it ran under): how many sampled
// results it graded in the window, their mean grounding score and its distribution, the share of valid citations
// and of abstentions; and each interval's mean grounding per prompt version, so a prompt or model change that
// lowers quality shows as a step.
import { counterSeries, histogramSeries } from './family';
import { groupBy } from './group-by';
import { addHistograms, histogramCount } from './snapshot-deltas';
import type { Interval } from './snapshot-deltas';
import type { HistogramSeries, ScalarSeries } from './snapshot';
import type { QualityRow, QualityView, YesNo } from './view-types';

const GROUNDING = 'ai_quality_grounding_score';
const CHECKS = 'ai_quality_checks_total';
const ROW_LABELS = ['feature', 'prompt_version', 'model'] as const;

const rowKey = (labels: Readonly<Record<string, string>>) =>
  JSON.stringify(ROW_LABELS.map((name) => labels[name] ?? ''));

export function qualityView(intervals: readonly Interval[], window: Interval): QualityView {
  const grounding = groupBy(histogramSeries(window, GROUNDING), ROW_LABELS, addHistograms);
  const checks = counterSeries(window, CHECKS).filter((series) => series.value > 0);
  const keys = new Set([
    ...[...grounding.values()].filter((s) => histogramCount(s) > 0).map((s) => rowKey(s.labels)),
    ...checks.map((s) => rowKey(s.labels)),
  ]);
  const rows = [...keys].map((key) =>
    qualityRow(
      key,
      grounding.get(key),
      checks.filter((s) => rowKey(s.labels) === key),
    ),
  );
  rows.sort(
    (a, b) =>
      a.feature.localeCompare(b.feature) ||
      a.promptVersion.localeCompare(b.promptVersion) ||
      a.model.localeCompare(b.model),
  );
  const versions = [...new Set(rows.map((row) => row.promptVersion))];
  const meanSeries = versions.map((version) => ({
    name: version,
    points: intervals.flatMap((interval) => {
      const series = histogramSeries(interval, GROUNDING).filter(
        (one) => one.labels.prompt_version === version,
      );
      const count = series.reduce((sum, one) => sum + histogramCount(one), 0);
      const total = series.reduce((sum, one) => sum + one.sum, 0);
      return count > 0 ? [{ at: interval.to, value: total / count }] : [];
    }),
  }));
  return { rows, meanSeries: meanSeries.filter((series) => series.points.length > 0) };
}

function qualityRow(
  key: string,
  grounding: HistogramSeries | undefined,
  checks: readonly ScalarSeries[],
): QualityRow {
  const [feature = '', promptVersion = '', model = ''] = JSON.parse(key) as string[];
  const graded = grounding ? histogramCount(grounding) : 0;
  return {
    feature,
    promptVersion,
    model,
    graded,
    meanGrounding: grounding && graded > 0 ? grounding.sum / graded : null,
    distribution: grounding
      ? {
          bounds: grounding.bounds,
          counts: grounding.buckets.map((count, index) => count - (grounding.buckets[index - 1] ?? 0)),
        }
      : { bounds: [], counts: [] },
    citationsValid: yesNo(checks, 'citations_valid'),
    abstained: yesNo(checks, 'abstained'),
  };
}

function yesNo(checks: readonly ScalarSeries[], check: string): YesNo {
  const count = (result: string) =>
    checks
      .filter((s) => s.labels.check === check && s.labels.result === result)
      .reduce((sum, s) => sum + s.value, 0);
  return { yes: count('true'), no: count('false') };
}
