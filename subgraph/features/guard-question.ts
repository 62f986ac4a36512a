// The optional guard model on a question: a classifier (Llama Guard, Prompt Guard behind the OpenAI-compatible
// endpoint) routed as the `guard` task. It runs only where a route names one, beside retrieval so it adds
// no latency of its own, and only when the tenant's injection policy screens at all. A guard that fails or
// answers something unreadable lets the question through: the rules have already screened it.
import { guardVerdictOf } from '../guardrails/input/guard-verdict';
import type { RailOutcome } from '../guardrails/rail-outcome';
import { railSpanAsync } from '../guardrails/rail-span';
import { unreachable } from '../errors/unreachable';
import { fingerprint, normalizeForFingerprint } from '../text/fingerprint';
import type { FeatureCall } from './feature-call';
import type { FeatureDeps } from './feature-deps';
import { modelCallFor } from './model-pipeline';

export interface GuardResult {
  /** Set only when the guard ran: its verdict as a rail outcome. */
  outcome: RailOutcome | null;
  /** The question refused under `block`. */
  blocked: boolean;
  costNanos: number;
}

const NOT_RUN: GuardResult = { outcome: null, blocked: false, costNanos: 0 };

export async function guardQuestion(
  deps: FeatureDeps,
  call: FeatureCall,
  question: string,
): Promise<GuardResult> {
  const policy = call.tenant.policy.guardrails.injection;
  if (policy === 'off' || !deps.gateway.routes('guard', call.tenant.policy.allowedProviders)) return NOT_RUN;
  return railSpanAsync(
    'guard',
    () => askGuard(deps, call, question, policy),
    (result) => (result.outcome ? [result.outcome] : []),
  );
}

async function askGuard(
  deps: FeatureDeps,
  call: FeatureCall,
  question: string,
  policy: 'block' | 'flag',
): Promise<GuardResult> {
  const outcome = await deps.gateway.complete({
    ...modelCallFor(deps, call, 'guard'),
    variables: { question },
    cacheScope: fingerprint(normalizeForFingerprint(question)),
    inputChars: question.length,
  });
  switch (outcome.kind) {
    case 'failed':
      return outcome.reason === 'NO_PROVIDER_CONFIGURED'
        ? NOT_RUN
        : {
            ...NOT_RUN,
            outcome: { rail: 'guard', outcome: 'unavailable', detail: `guard failed (${outcome.reason})` },
          };
    case 'answered': {
      const verdict = guardVerdictOf(outcome.text);
      const costNanos = outcome.costNanos;
      if (verdict !== 'unsafe') {
        const outcome: RailOutcome =
          verdict === 'unknown'
            ? { rail: 'guard', outcome: 'unavailable', detail: 'unreadable guard reply' }
            : { rail: 'guard', outcome: 'pass' };
        return { outcome, blocked: false, costNanos };
      }
      const blocked = policy === 'block';
      return { outcome: { rail: 'guard', outcome: blocked ? 'rejected' : 'flagged' }, blocked, costNanos };
    }
    default:
      return unreachable(outcome);
  }
}
