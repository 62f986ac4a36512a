// The spend-cap rung of the chain walk: each attempt at a target first reserves its worst case against the
// tenant's caps (spend-gate.ts), and settles to what it really cost once it is over. Worst case: the input
// estimated at four characters a token priced at the target's input price, plus every output token the call
// may produce (the prompt's maxTokens; none for embeddings) at its output price. A target whose worst case
// does not fit is skipped for the next one, often cheaper; when none fits, the call ends in its floor with
// BUDGET_EXCEEDED, never over the cap. An attempt that failed before its provider answered settles to 0; a
// stream the caller left, and one that failed once its provider had answered (cut mid-answer, a 5xx after some
// text, stopped by our own idle clock or cap), settle what the provider billed it, as a hedge that lost its race
// does: its prompt and any text it streamed (receivedUsage, token-estimate.ts). A completion attempt whose
// provider answered with replies we refused (no text, a refusal, unparseable) settles what those were billed,
// whether a retry then answered or not. Unpriced targets (self-hosted) reserve nothing.
import { ProviderError } from '../errors/provider-error';
import { unreachable } from '../errors/unreachable';
import type { SpendGate } from '../limits/spend-gate';
import type { SpendCaps } from '../limits/spend-limiter';
import type { AttemptSpend, ChainStep, WalkBudget } from './chain-walker';
import type { GatewayCall } from './gateway-call';
import { NANOS_PER_USD, usdOfNanos } from './pricing';
import type { PriceTable } from './pricing';
import type { RenderedPrompt } from './prompts/prompt-library';
import type { Completion, TokenUsage } from './providers/model-provider';
import { limitSpan } from '../observability/tracing/limit-span';
import { AI_ATTRIBUTES } from '../observability/tracing/tracer';
import type { Target } from './routing/route-config';
import { withRepair } from './target-attempts';
import { promptTokens } from './token-estimate';

/** A tenant policy's caps in US dollars as the limiter's nano-dollars. */
export function spendCapsOf(limits: { monthlyCapUsd?: number; dailyCapUsd?: number }): SpendCaps {
  const { monthlyCapUsd, dailyCapUsd } = limits;
  return {
    ...(monthlyCapUsd !== undefined ? { monthlyNanos: Math.floor(monthlyCapUsd * NANOS_PER_USD) } : {}),
    ...(dailyCapUsd !== undefined ? { dailyNanos: Math.floor(dailyCapUsd * NANOS_PER_USD) } : {}),
  };
}

export const hasCaps = (caps: SpendCaps | undefined): caps is SpendCaps =>
  caps !== undefined && (caps.dailyNanos !== undefined || caps.monthlyNanos !== undefined);

export interface AttemptPricing<Reply> {
  /** The attempt's worst case in nano-dollars: 0 reserves nothing. */
  worstNanos(step: ChainStep, repair: string | undefined): number;
  /** What the attempt cost: its reply's usage priced, or what is known without one (0, or a stream's part). */
  realNanos(step: ChainStep, reply: Reply | null): number;
}

const FREE: AttemptSpend<never> = { settle: () => undefined };

/** The walk's budget for a tenant with caps; undefined (nothing reserved) for a call without any. */
export function spendBudget<Reply>(
  gate: SpendGate,
  tenantId: string,
  caps: SpendCaps | undefined,
  pricing: AttemptPricing<Reply>,
): WalkBudget<Reply> | undefined {
  if (!hasCaps(caps)) return undefined;
  return {
    async reserve(step, repair) {
      const worst = pricing.worstNanos(step, repair);
      if (worst <= 0) return FREE;
      const check = await limitSpan(
        'ai.spend.reserve',
        { [AI_ATTRIBUTES.spendWorstUsd]: usdOfNanos(worst) },
        () => gate.reserve(tenantId, caps, worst),
        (reserved) => reserved.kind,
      );
      switch (check.kind) {
        case 'reserved':
          return { settle: (reply) => check.settle(pricing.realNanos(step, reply)) };
        case 'over':
          return new ProviderError(
            'budget',
            `the tenant's ${check.cap} spend cap of $${usdOfNanos(check.capNanos)} leaves no room for this target's worst case`,
          );
        case 'unavailable':
          return new ProviderError('limits-unavailable', 'spend caps could not be checked');
        default:
          return unreachable(check);
      }
    },
  };
}

/**
 * A completion's spend on its walk: each attempt reserves the rendered prompt (with any repair note) at the
 * target's input price plus maxTokens at its output price; it settles to `received(target)` (what a stream that
 * ended without its reply, left or failed, was billed at that target) when there is one, else to its reply's
 * usage, else 0; plus `billedBeforeFailing(target)`, where given: what a completion attempt that failed at that
 * target was billed for the replies it refused and retried (target-attempts.ts), which no reply carries.
 */
export function completionBudget(
  gate: SpendGate,
  prices: PriceTable,
  call: Pick<GatewayCall, 'tenantId' | 'spendCaps'>,
  prompt: RenderedPrompt,
  received: (target: Target) => TokenUsage | null,
  billedBeforeFailing?: (target: Target) => TokenUsage | null,
): WalkBudget<Completion> | undefined {
  return spendBudget<Completion>(gate, call.tenantId, call.spendCaps, {
    worstNanos({ target }, repair) {
      const sent = withRepair(prompt, repair);
      return prices(target.provider, target.model, {
        inputTokens: promptTokens(sent),
        outputTokens: sent.maxTokens,
      });
    },
    realNanos({ target }, reply) {
      // A stream the caller left may still end with a reply (an SDK ending quietly on abort), without usage.
      // One that failed mid-answer has no reply: what it received is all that says what it cost.
      const usage = received(target) ?? reply?.usage;
      // Added, never instead: a hedge dropped after a refused try settles its lost request and that try both.
      const refused = billedBeforeFailing?.(target);
      return (
        (usage ? prices(target.provider, target.model, usage) : 0) +
        (refused ? prices(target.provider, target.model, refused) : 0)
      );
    },
  });
}
