// One guard per target (provider and model), whatever the task: created for every routed target as the gateway
// starts (or on first use) and kept as long as the gateway, so every request to a target shares its circuit,
// whose state is exported as ai_circuit_open from the start: 0 until it opens.
import type { LoopStallClock } from '../../observability/event-loop-lag';
import type { Metrics } from '../../observability/metrics';
import { targetId } from '../routing/route-config';
import type { Target } from '../routing/route-config';
import { createTargetGuard } from './target-guard';
import type { ResilienceSettings, TargetGuard } from './target-guard';

export function targetGuards(
  settings: ResilienceSettings,
  metrics: Metrics,
  loopStalls?: LoopStallClock,
): (target: Target) => TargetGuard {
  const guards = new Map<string, TargetGuard>();
  return (target) => {
    const id = targetId(target);
    let guard = guards.get(id);
    if (!guard) {
      const labels = { provider: target.provider, model: target.model };
      guard = createTargetGuard(
        settings,
        (open) => metrics.circuitOpen.set(labels, open ? 1 : 0),
        loopStalls,
      );
      // A closed circuit is a series too: the dashboard's circuit panel showed "No data" for healthy targets.
      metrics.circuitOpen.set(labels, 0);
      guards.set(id, guard);
    }
    return guard;
  };
}
