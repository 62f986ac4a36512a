// Series of one family added up by the labels named, the others dropped (every stage's latency by `stage`, the
// quality grades by prompt version): PromQL's `sum by (...)` over the page's snapshots.
/** The series of a family added up by the labels named (the others dropped), e.g. every stage's by `stage`. */
export function groupBy<Series extends { labels: Readonly<Record<string, string>> }>(
  series: Iterable<Series>,
  labelNames: readonly string[],
  add: (a: Series, b: Series) => Series,
): Map<string, Series> {
  const groups = new Map<string, Series>();
  for (const one of series) {
    const labels = Object.fromEntries(labelNames.map((name) => [name, one.labels[name] ?? '']));
    const key = JSON.stringify(labelNames.map((name) => labels[name]));
    const sum = groups.get(key);
    groups.set(key, sum ? add(sum, one) : { ...one, labels });
  }
  return groups;
}
