// The end of a completion walk, for complete and stream alike: an answer priced (with the replies paid for and
// not served: those the output rails refused, hedges that lost their race, and what attempts that failed after
// their provider answered were billed: streams cut mid-answer, replies refused as malformed and retried),
// counted, logged and restored from its PII placeholders, ready to be cached and returned; or the walk's
// failure, carrying what the unserved replies cost. A walk its caller left reports that cost alone
// (unservedNanos).
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { chainObserver } from './chain-observer';
import type { ChainObserver, UnservedReply, WalkResult } from './chain-walker';
import type { CompletionOutcome, GatewayCall } from './gateway-call';
import type { Completion } from './providers/model-provider';
import { failed } from './gateway-outcomes';
import { restoredText } from './pii-redaction';
import type { RedactedVariables } from './pii-redaction';
import { usdOfNanos } from './pricing';
import type { PriceTable } from './pricing';
import type { RenderedPrompt } from './prompts/prompt-library';
import { targetId } from './routing/route-config';

export interface SettleDeps {
  prices: PriceTable;
  metrics: Metrics;
  logger: Logger;
}

/** What replies paid for and served to nobody cost, in nano-dollars. */
export function unservedNanos(prices: PriceTable, unserved: readonly UnservedReply<Completion>[]): number {
  return unserved.reduce(
    (sum, { target, reply }) => sum + prices(target.provider, target.model, reply.usage),
    0,
  );
}

/**
 * The walk's result with what its failed attempts were billed outside any reply (`paid`: told by the attempts
 * as they failed, gateway.ts), carried like its unserved replies: part of its cost however it ended, so that
 * what settled against the cap reaches the ledger too.
 */
export function withPaid(
  ended: Exclude<WalkResult, { kind: 'abandoned' }>,
  paid: readonly UnservedReply<Completion>[],
): Exclude<WalkResult, { kind: 'abandoned' }> {
  return paid.length === 0 ? ended : { ...ended, unserved: [...ended.unserved, ...paid] };
}

export function settleWalk(
  deps: SettleDeps,
  call: GatewayCall,
  { prompt, redaction }: { prompt: RenderedPrompt; redaction: RedactedVariables | null },
  result: Exclude<WalkResult, { kind: 'abandoned' }>,
): CompletionOutcome {
  const paidNanos = unservedNanos(deps.prices, result.unserved);
  if (result.kind === 'failed') {
    const failure = failed(result.last);
    return paidNanos > 0 ? { ...failure, costNanos: paidNanos } : failure;
  }
  const { target, reply: completion } = result;
  const costNanos = deps.prices(target.provider, target.model, completion.usage) + paidNanos;
  deps.metrics.modelCalls.inc({ provider: target.provider, model: target.model, outcome: 'ok' });
  // At debug: the request's own line (`feature served`) carries its model, tokens and cost at info, one line
  // per request; this one adds the target and the outbound redaction counts per model call.
  deps.logger.debug(
    {
      requestId: call.requestId,
      task: call.task,
      target: targetId(target),
      promptVersion: prompt.version,
      usage: completion.usage,
      costUsd: usdOfNanos(costNanos),
      ...(redaction ? { redacted: redaction.counts } : {}),
    },
    'model answered',
  );
  return {
    kind: 'answered',
    text: restoredText(completion.text, redaction),
    provider: target.provider,
    model: target.model,
    promptVersion: prompt.version,
    cached: false,
    costNanos,
    usage: completion.usage,
  };
}

/**
 * The walk's observer: counted and logged, and, when the caller leaves before the walk's end, the replies it
 * paid for and nobody is served (refused by the output rails, hedges that lost, and `received`: what streams
 * that ended without their reply had received) told to `onAbandoned`.
 */
export function walkObserver(
  deps: SettleDeps,
  call: GatewayCall,
  received: readonly UnservedReply<Completion>[] = [],
): ChainObserver<Completion> {
  return {
    ...chainObserver(call, deps.metrics, deps.logger),
    left: (unserved) => {
      const paidNanos = unservedNanos(deps.prices, [...unserved, ...received]);
      if (paidNanos > 0) call.onAbandoned?.(paidNanos);
    },
  };
}
