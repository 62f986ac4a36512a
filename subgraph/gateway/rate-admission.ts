// The rate limit rung of the ladder: a request that missed the cache asks its tenant's limits before any
// target is tried. Over a limit, the call ends in a refusal naming the limit (the feature answers
// AIUnavailable RATE_LIMITED with it); with the limits unchecked under the `closed` policy, in the floor with
// LIMITS_UNAVAILABLE. An admitted call counts its estimate (the rendered prompt's characters / 4, the usual
// English ratio, plus the prompt's max output tokens: the worst case) until the walk ends and the estimate is
// settled to the provider's reported usage: none when every target failed, the estimate kept when the caller
// left mid-stream (what the provider produced by then is not reported).
import type { RateGate } from '../limits/rate-gate';
import { unreachable } from '../errors/unreachable';
import type { WalkResult } from './chain-walker';
import type { GatewayCall, ModelFailure } from './gateway-call';
import type { RenderedPrompt } from './prompts/prompt-library';
import { limitSpan } from '../observability/tracing/limit-span';
import { promptTokens } from './token-estimate';

export type Admission =
  { kind: 'admitted'; settle(result: WalkResult): void } | { kind: 'refused'; outcome: ModelFailure };

const UNLIMITED: Admission = { kind: 'admitted', settle: () => undefined };

export function estimatedTokens(prompt: RenderedPrompt): number {
  return promptTokens(prompt) + prompt.maxTokens;
}

export async function admitCall(
  gate: RateGate,
  call: GatewayCall,
  prompt: RenderedPrompt,
): Promise<Admission> {
  if (!call.limits) return UNLIMITED;
  // A caller already gone, or a deadline with no useful attempt left: the walk will make no model call, so
  // none of the tenant's rate is taken (a long summary past its deadline would spend one per remaining part).
  if (call.signal?.aborted || !call.deadline.leavesUsefulAttempt()) return UNLIMITED;
  const { limits } = call;
  const check = await limitSpan(
    'ai.rate_limit.check',
    {},
    () => gate.check(call.tenantId, limits, estimatedTokens(prompt)),
    (checked) => checked.kind,
  );
  switch (check.kind) {
    case 'admitted':
      return {
        kind: 'admitted',
        settle(result) {
          if (result.kind === 'abandoned') return;
          const usage = result.kind === 'answered' ? result.reply.usage : null;
          check.settle(usage ? usage.inputTokens + usage.outputTokens : 0);
        },
      };
    case 'refused': {
      const what = check.limit === 'requests' ? 'requests' : 'model tokens';
      return {
        kind: 'refused',
        outcome: {
          kind: 'failed',
          reason: 'RATE_LIMITED',
          retryAfterSeconds: check.retryAfterSeconds,
          refusedBy: 'rate',
          refusal: `The tenant's limit of ${check.perMinute} ${what} per minute is reached; retry in ${check.retryAfterSeconds} s.`,
        },
      };
    }
    case 'unavailable':
      return {
        kind: 'refused',
        outcome: { kind: 'failed', reason: 'LIMITS_UNAVAILABLE', retryAfterSeconds: null },
      };
    default:
      return unreachable(check);
  }
}
