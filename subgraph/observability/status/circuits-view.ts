// The circuit of each model target: open now or not, and at each kept snapshot. The targets are the route table's
// (so a target whose circuit never changed shows, closed) and any the gauge names besides.
import { gaugeSeries } from './family';
import type { Snapshot } from './snapshot';
import type { CircuitRow } from './view-types';

export interface CircuitTarget {
  provider: string;
  model: string;
}

const CIRCUIT = 'ai_circuit_open';
const idOf = (target: { provider?: string; model?: string }) =>
  `${target.provider ?? ''}:${target.model ?? ''}`;

export function circuitsView(history: readonly Snapshot[], routed: readonly CircuitTarget[]): CircuitRow[] {
  const targets = new Set(routed.map(idOf));
  for (const snapshot of history) {
    for (const series of gaugeSeries(snapshot, CIRCUIT)) targets.add(idOf(series.labels));
  }
  const openAt = (snapshot: Snapshot, target: string) =>
    gaugeSeries(snapshot, CIRCUIT).some((series) => idOf(series.labels) === target && series.value > 0);
  return [...targets].sort().map((target) => {
    const states = history.map((snapshot) => openAt(snapshot, target));
    return { target, open: states.at(-1) ?? false, history: states };
  });
}
