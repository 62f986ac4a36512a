// Reads the subgraph's /metrics over HTTP, as Prometheus scrapes it, and parses the text exposition format into
// samples, so a test asserts on a counter's value by name and labels instead of matching lines by hand.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Metrics {
  /** The exposition text as served. */
  text: string;
  samples: Sample[];
  /** Every sample of `name` whose labels include all of `labels`. */
  find(name: string, labels?: Record<string, string>): Sample[];
  /** The sum of the samples `find` returns: 0 when there are none (a counter not yet incremented). */
  value(name: string, labels?: Record<string, string>): number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/y;

function unescapeLabelValue(value: string): string {
  return value.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char));
}

function parseLabels(source: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < source.length) {
    const start = LABEL.lastIndex;
    const match = LABEL.exec(source);
    if (!match || match.index !== start) throw new Error(`unreadable labels in metrics line: ${line}`);
    labels[match[1] as string] = unescapeLabelValue(match[2] as string);
  }
  return labels;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

export function parseMetrics(text: string): Metrics {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) throw new Error(`unreadable metrics line: ${line}`);
    samples.push({
      name: match[1] as string,
      labels: match[2] ? parseLabels(match[2], line) : {},
      value: parseValue(match[3] as string),
    });
  }
  const find = (name: string, labels: Record<string, string> = {}) =>
    samples.filter(
      (sample) =>
        sample.name === name &&
        Object.entries(labels).every(([label, value]) => sample.labels[label] === value),
    );
  return {
    text,
    samples,
    find,
    value: (name, labels) => find(name, labels).reduce((sum, sample) => sum + sample.value, 0),
  };
}

/** GET /metrics of the subgraph at `url` (any URL of its server), expecting HTTP 200. */
export async function readMetrics(url: string): Promise<Metrics> {
  const response = await fetch(new URL('/metrics', url));
  if (response.status !== 200) throw new Error(`/metrics answered HTTP ${response.status}`);
  return parseMetrics(await response.text());
}
