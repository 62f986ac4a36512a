// A completion call's hedging (hedged-attempt.ts), from its route's `hedge` setting: the delay before racing
// the next target (the route's fixed `afterMs`, else the slow target's observed p95, floored at
// HEDGE_MIN_AFTER_MS, and HEDGE_DEFAULT_AFTER_MS while its window is too young), what a lost hedge is charged,
// and the counter and log lines of each race.
import { NO_STALLS } from '../observability/event-loop-lag';
import type { LoopStallClock } from '../observability/event-loop-lag';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { ChainStep } from './chain-walker';
import type { GatewayCall } from './gateway-call';
import type { Hedging } from './hedged-attempt';
import type { LatencyWindow } from './latency-window';
import type { RenderedPrompt } from './prompts/prompt-library';
import type { Completion } from './providers/model-provider';
import { watchTimeout } from './resilience/stalled-timeout';
import { targetId } from './routing/route-config';
import type { HedgeSetting } from './routing/route-config';
import { receivedUsage } from './token-estimate';

export interface HedgeSettings {
  /** The delay while a target's latency window holds too few samples for a p95. */
  defaultAfterMs: number;
  /** The shortest delay an observed p95 gives: a fast target's tiny p95 must not double every request. */
  minAfterMs: number;
}

/** How long an attempt at a target waits before a hedge, when its route sets no fixed delay. */
export function observedDelayMs(latency: LatencyWindow, settings: HedgeSettings): number {
  const p95 = latency.p95();
  return p95 === null ? settings.defaultAfterMs : Math.max(settings.minAfterMs, Math.ceil(p95));
}

export interface HedgeDeps {
  settings: HedgeSettings;
  metrics: Metrics;
  logger: Logger;
  /** The loop's stall clock: a wait it explains is ours, and no reason to hedge. */
  loopStalls?: LoopStallClock;
}

/** The call's hedging; undefined when its route has it off. */
export function hedgingFor(
  setting: HedgeSetting,
  deps: HedgeDeps,
  call: Pick<GatewayCall, 'task' | 'requestId'>,
  prompt: RenderedPrompt,
): Hedging<Completion> | undefined {
  if (setting === false) return undefined;
  const fixedMs = typeof setting === 'object' ? setting.afterMs : undefined;
  const { metrics, logger, settings } = deps;
  const count = (outcome: 'started' | 'won' | 'lost' | 'refused' | 'overloaded') =>
    metrics.hedges.inc({ task: call.task, outcome });
  const fields = { requestId: call.requestId, task: call.task };
  return {
    delayMs: ({ latency }: ChainStep) => fixedMs ?? observedDelayMs(latency, settings),
    watch: () => watchTimeout(deps.loopStalls ?? NO_STALLS),
    // A provider bills a request it has received, answered or not: the prompt's input, and any text streamed.
    lostReply: (_step, receivedText) => ({ text: '', usage: receivedUsage(prompt, receivedText) }),
    observer: {
      started(from, to) {
        count('started');
        logger.info(
          { ...fields, from: targetId(from), to: targetId(to) },
          'model target slow; hedge started',
        );
      },
      overloaded(from, to) {
        count('overloaded');
        logger.info(
          { ...fields, from: targetId(from), to: targetId(to) },
          "model target slow behind this replica's own event loop lag; no hedge",
        );
      },
      refused(from, to, why) {
        count('refused');
        logger.info(
          { ...fields, from: targetId(from), to: targetId(to), failure: why.kind },
          'model target slow; no room in the spend cap for a hedge',
        );
      },
      decided(winner, loser, hedgeWon) {
        count(hedgeWon ? 'won' : 'lost');
        // The loser's call in the per-target count: neither ok nor a failure of the target.
        metrics.modelCalls.inc({ provider: loser.provider, model: loser.model, outcome: 'cancelled' });
        logger.info(
          { ...fields, winner: targetId(winner), loser: targetId(loser), hedgeWon },
          'hedge race decided; the loser was aborted',
        );
      },
    },
  };
}
