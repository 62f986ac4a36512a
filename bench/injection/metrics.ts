// Precision, recall and false-positive rate of a screen at one threshold over labelled texts.
export interface Labelled {
  text: string;
  injection: boolean;
}

export interface Rates {
  threshold: number;
  precision: number;
  recall: number;
  falsePositiveRate: number;
  truePositives: number;
  falsePositives: number;
  positives: number;
  negatives: number;
}

export function ratesAt(scores: readonly number[], items: readonly Labelled[], threshold: number): Rates {
  let truePositives = 0;
  let falsePositives = 0;
  let positives = 0;
  items.forEach((item, index) => {
    const flagged = (scores[index] ?? 0) >= threshold;
    if (item.injection) positives += 1;
    if (flagged && item.injection) truePositives += 1;
    if (flagged && !item.injection) falsePositives += 1;
  });
  const negatives = items.length - positives;
  const flagged = truePositives + falsePositives;
  return {
    threshold,
    precision: flagged === 0 ? NaN : truePositives / flagged,
    recall: positives === 0 ? NaN : truePositives / positives,
    falsePositiveRate: negatives === 0 ? NaN : falsePositives / negatives,
    truePositives,
    falsePositives,
    positives,
    negatives,
  };
}

/** The value at quantile `q` (0–1) of `values`, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}
