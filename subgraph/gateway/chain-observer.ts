// What the chain walker reports of each target it leaves behind: a failure (counted by kind, a fallback by
// reason, logged with the request) or an attempt the caller abandoned (counted, never a failure).
import type { ProviderError } from '../errors/provider-error';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { ChainObserver } from './chain-walker';
import { reasonFor } from './failure-reason';
import { targetId } from './routing/route-config';
import type { Target, Task } from './routing/route-config';

/** What the observer tells of the call whose walk it watches. */
export interface ObservedCall {
  task: Task;
  requestId: string;
}

export function chainObserver(call: ObservedCall, metrics: Metrics, logger: Logger): ChainObserver {
  return {
    failed(target: Target, error: ProviderError) {
      const reason = reasonFor(error.kind);
      metrics.modelCalls.inc({ provider: target.provider, model: target.model, outcome: error.kind });
      metrics.fallbacks.inc({ task: call.task, reason });
      logger.warn(
        {
          requestId: call.requestId,
          task: call.task,
          target: targetId(target),
          failure: error.kind,
          status: error.status,
          reason,
        },
        error.kind === 'overloaded'
          ? "attempt ran out while this replica's event loop was stalled; the target is not blamed"
          : 'model target failed; moving down the chain',
      );
    },
    rejected(target: Target, problem: string, repairing: boolean) {
      logger.warn(
        { requestId: call.requestId, task: call.task, target: targetId(target), problem, repairing },
        repairing
          ? 'model reply failed an output rail; asking for a repair'
          : 'model reply failed an output rail',
      );
    },
    abandoned(target: Target) {
      metrics.modelCalls.inc({ provider: target.provider, model: target.model, outcome: 'abandoned' });
      logger.info(
        { requestId: call.requestId, task: call.task, target: targetId(target) },
        'caller left; model call abandoned',
      );
    },
  };
}
