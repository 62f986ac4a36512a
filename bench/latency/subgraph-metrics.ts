// What the latency scenarios read from the subgraph's own metrics (the registry its /metrics serves, read
// over the child's IPC channel). Circuit opens: the `ai_circuit_open` gauge polled while a scenario runs,
// each 0 → 1 of a target an open. A circuit stays open for CIRCUIT_COOLDOWN_MS (30 s by default), far longer
// than the polling interval, so no open is missed; a target already open when the watch starts counts as one.
import type { Child } from '../support/child-process';
import { delta } from '../support/metrics';
import type { MetricsSnapshot } from '../support/metrics';

export const CIRCUIT_METRIC = 'ai_circuit_open';

export interface CircuitWatch {
  /** Stops polling and returns the opens per target (`provider:model`), in the order they happened. */
  stop(): Promise<string[]>;
}

function openTargets(snapshot: MetricsSnapshot): Set<string> {
  const gauge = snapshot.find((metric) => metric.name === CIRCUIT_METRIC);
  const open = new Set<string>();
  for (const value of gauge?.values ?? []) {
    if (value.value >= 1) open.add(`${String(value.labels.provider)}:${String(value.labels.model)}`);
  }
  return open;
}

/** The opens seen across successive snapshots: a target open now that was not open in the one before. */
export class CircuitOpens {
  readonly opens: string[] = [];
  private open = new Set<string>();

  observe(snapshot: MetricsSnapshot): void {
    const now = openTargets(snapshot);
    for (const target of now) if (!this.open.has(target)) this.opens.push(target);
    this.open = now;
  }
}

export function watchCircuits(subgraph: Child, intervalMs = 250): CircuitWatch {
  const seen = new CircuitOpens();
  let stopped = false;
  const poll = async () => seen.observe(await subgraph.call<MetricsSnapshot>('metrics'));
  const loop = (async () => {
    while (!stopped) {
      await poll().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    await poll().catch(() => undefined);
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return seen.opens;
    },
  };
}

/** ai_model_calls_total between two snapshots, keyed `provider:model outcome`. */
export function callsByOutcome(before: MetricsSnapshot, after: MetricsSnapshot): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of delta(before, after, 'ai_model_calls_total{')) {
    const labels = labelsOf(key);
    out.set(`${labels.provider}:${labels.model} ${labels.outcome}`, value);
  }
  return out;
}

/** ai_feature_requests_total of `feature` between two snapshots, keyed `outcome/reason` (e.g. `full/none`). */
export function featureOutcomes(
  before: MetricsSnapshot,
  after: MetricsSnapshot,
  feature: string,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of delta(before, after, 'ai_feature_requests_total{')) {
    const labels = labelsOf(key);
    if (labels.feature !== feature) continue;
    const name = `${labels.outcome}/${labels.reason}`;
    out.set(name, (out.get(name) ?? 0) + value);
  }
  return out;
}

/** The requests of a feature-outcome map whose key matches `pattern`. */
export const outcomeCount = (outcomes: Map<string, number>, pattern: RegExp): number =>
  [...outcomes.entries()].filter(([key]) => pattern.test(key)).reduce((sum, [, value]) => sum + value, 0);

/** `a=1,b=2` of a series key `name{a=1,b=2}` as an object. */
function labelsOf(key: string): Record<string, string> {
  return Object.fromEntries(
    key
      .slice(key.indexOf('{') + 1, -1)
      .split(',')
      .map((pair) => pair.split('=') as [string, string]),
  );
}
