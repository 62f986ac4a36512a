// A chain's targets as the walk takes them: each with its provider's adapter, its guard (one circuit per
// target, whatever the task) and its latency window (what a hedge waits for), kept for the process's life.
import type { ChainStep } from './chain-walker';
import { LatencyWindow } from './latency-window';
import type { ModelProvider, ProviderName } from './providers/model-provider';
import type { TargetGuard } from './resilience/target-guard';
import { targetId } from './routing/route-config';
import type { Target } from './routing/route-config';

export class ChainSteps {
  private readonly latencies = new Map<string, LatencyWindow>();

  constructor(
    private readonly providers: ReadonlyMap<ProviderName, ModelProvider>,
    /** One guard per target, shared by every task (resilience/target-guards.ts). */
    private readonly guardFor: (target: Target) => TargetGuard,
  ) {}

  stepsFor(chain: readonly Target[]): ChainStep[] {
    return chain.map((target) => ({
      target,
      provider: this.providerOf(target),
      guard: this.guardFor(target),
      latency: this.latencyOf(target),
    }));
  }

  private latencyOf(target: Target): LatencyWindow {
    const id = targetId(target);
    let window = this.latencies.get(id);
    if (!window) this.latencies.set(id, (window = new LatencyWindow()));
    return window;
  }

  private providerOf(target: Target): ModelProvider {
    const provider = this.providers.get(target.provider);
    if (!provider) throw new Error(`route names ${target.provider}, which is not configured`);
    return provider;
  }
}
