// What the attempts of one walk were billed without a reply to carry it: a completion's replies refused and
// retried (no text, a refusal, a body that would not parse), a stream's tokens received before its caller left
// or its provider failed mid-answer. Kept per target for the spend cap (settled with the attempt in place of a
// reply), and as unserved replies for the walk's cost, or for onAbandoned when the walk is left (walkObserver,
// settle-walk.ts).
import type { UnservedReply } from './chain-walker';
import type { Completion, TokenUsage } from './providers/model-provider';
import type { Target } from './routing/route-config';

export interface PaidWithoutReply {
  /** Paid for and served to nobody, in the order the attempts failed. */
  readonly unserved: UnservedReply<Completion>[];
  /** The attempt's report (completionAttempt's `billedBeforeFailing`, streamingAttempt's): `target` billed `usage`. */
  readonly record: (target: Target, usage: TokenUsage) => void;
  /** completionBudget's: what the attempt at `target` was billed without a reply, once (null when nothing). */
  readonly take: (target: Target) => TokenUsage | null;
}

export function paidWithoutReply(): PaidWithoutReply {
  const byTarget = new Map<Target, TokenUsage>();
  const unserved: UnservedReply<Completion>[] = [];
  return {
    unserved,
    record: (target, usage) => {
      byTarget.set(target, usage);
      unserved.push({ target, reply: { text: '', usage } });
    },
    take: (target) => {
      const billed = byTarget.get(target) ?? null;
      byTarget.delete(target);
      return billed;
    },
  };
}
