// A quantile from a histogram's cumulative bucket counts, interpolated within the bucket it falls in, as
// Prometheus's histogram_quantile() does: the +Inf bucket answers with the highest finite bound.
import type { HistogramSeries } from './snapshot';

/** `q` in 0..1; null when the histogram counted nothing. */
export function histogramQuantile(
  q: number,
  series: Pick<HistogramSeries, 'bounds' | 'buckets'>,
): number | null {
  const { bounds, buckets } = series;
  const total = buckets.at(-1) ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  for (let index = 0; index < buckets.length; index += 1) {
    const cumulative = buckets[index] ?? 0;
    if (cumulative < rank) continue;
    const upper = bounds[index];
    if (upper === undefined) return bounds.at(-1) ?? null;
    const lower = index === 0 ? 0 : (bounds[index - 1] ?? 0);
    const below = index === 0 ? 0 : (buckets[index - 1] ?? 0);
    const inBucket = cumulative - below;
    if (index === 0 && upper <= 0) return upper;
    return inBucket > 0 ? lower + ((upper - lower) * (rank - below)) / inBucket : upper;
  }
  return bounds.at(-1) ?? null;
}
