// The status page's figures from the recorder's history (the kept snapshots and one taken now): each section's
// view over the intervals between snapshots and the window they add up to, and the gauges' current values.
import { circuitsView } from './circuits-view';
import type { CircuitTarget } from './circuits-view';
import { costView } from './cost-view';
import { gaugeSeries } from './family';
import { qualityView } from './quality-view';
import { requestsView } from './requests-view';
import { intervalsOf, totalOf } from './snapshot-deltas';
import type { Snapshot } from './snapshot';
import { stagesView } from './stages-view';
import type { StatusView } from './view-types';

export interface StatusViewOptions {
  intervalMs: number;
  capacity: number;
  /** The route table's targets, so that every circuit shows. */
  targets: readonly CircuitTarget[];
}

/** `history`: oldest first, the last one taken now; at least one. */
export function statusView(history: readonly Snapshot[], options: StatusViewOptions): StatusView {
  const latest = history.at(-1);
  if (!latest) throw new RangeError('the status view needs at least one snapshot');
  const intervals = intervalsOf(history);
  const window = totalOf(intervals);
  return {
    now: latest.at,
    from: history[0]?.at ?? latest.at,
    intervalMs: options.intervalMs,
    capacity: options.capacity,
    kept: history.length - 1,
    requests: requestsView(intervals, window, latest),
    stages: stagesView(intervals, window),
    cost: costView(intervals, window, latest),
    quality: qualityView(intervals, window),
    circuits: circuitsView(history, options.targets),
    openStreams: gaugeSeries(latest, 'ai_open_subscriptions')
      .map((series) => ({ field: series.labels.field ?? '', count: series.value }))
      .sort((a, b) => a.field.localeCompare(b.field)),
  };
}
