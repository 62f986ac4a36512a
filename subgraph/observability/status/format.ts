// How the page writes numbers: durations in ms or s, shares as percentages, dollars to their first significant
// digits, and times relative to now.

export function formatSeconds(seconds: number | null): string {
  if (seconds === null) return '–';
  if (seconds < 1) return `${trim(seconds * 1000)} ms`;
  return `${trim(seconds)} s`;
}

export function formatPercent(share: number | null): string {
  if (share === null) return '–';
  return `${trim(share * 100)}%`;
}

export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  if (usd >= 1) return `$${usd.toFixed(2)}`;
  return `$${usd.toPrecision(3).replace(/0+$/, '').replace(/\.$/, '')}`;
}

export function formatCount(count: number): string {
  return Number.isInteger(count) ? count.toLocaleString('en-US') : trim(count);
}

export function formatScore(score: number | null): string {
  return score === null ? '–' : score.toFixed(2);
}

/** A span of time as the page's axis labels write it: `45 s`, `12 min`, `1 h`. */
export function formatSpan(ms: number): string {
  if (ms < 60_000) return `${trim(ms / 1000)} s`;
  if (ms < 3_600_000) return `${trim(ms / 60_000)} min`;
  return `${trim(ms / 3_600_000)} h`;
}

/** Three significant digits at most, without trailing zeros. */
function trim(value: number): string {
  if (value === 0) return '0';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return String(Number(value.toFixed(digits)));
}
