// What a feature asks of the gateway, and what comes back: an answer, a typed failure the feature turns
// into its floor, or (streams only) the client's departure. The gateway knows no GraphQL and no features.
import type { DeltaCheck, ReplyVerdict } from './chain-walker';
import type { DegradationReason } from './degradation-reason';
import type { ProviderName, TokenUsage } from './providers/model-provider';
import type { Deadline } from './resilience/deadline';
import type { Task } from './routing/route-config';
import type { RateLimits } from '../limits/rate-limiter';
import type { SpendCaps } from '../limits/spend-limiter';

export type CompletionTask = Exclude<Task, 'embed'>;

export interface GatewayCall {
  task: CompletionTask;
  tenantId: string;
  requestId: string;
  promptName: string;
  variables: Record<string, string | number>;
  /** Fingerprint of the normalized input (and retrieved chunk ids and versions): part of the cache key. */
  cacheScope: string;
  inputChars: number;
  deadline: Deadline;
  /** The tenant policy's provider allowlist; undefined allows every configured provider. */
  allowedProviders?: readonly ProviderName[];
  /** Aborted when the caller stops listening (an unsubscribed stream): the provider call is abandoned. */
  signal?: AbortSignal;
  /**
   * Told, in nano-dollars, what a call its caller left (an unsubscribed stream, a cancelled job) had cost, since
   * no answer will carry it: what a stream's attempt had received (the provider's usage, else its output
   * estimated from the text so far), and what the walk had paid for before (replies the output rails refused,
   * hedges that lost their race). May be told more than once per call.
   */
  onAbandoned?: (receivedNanos: number) => void;
  /**
   * The feature's output rails on a reply's text (format, invented facts, echoed instructions): a reply
   * that fails gets one repair attempt at its target when the verdict carries a note, then the next target;
   * when every target fails them, the outcome fails with GUARDRAIL_REJECTED.
   */
  checkReply?: (text: string) => ReplyVerdict;
  /**
   * Those of the rails that must see a streamed reply before its text is released (an echo of the system
   * prompt: a restart notice cannot take back what the client has): a check for one attempt's stream, fed
   * each delta; a delta that fails it is never sent, and the attempt is refused as by checkReply.
   */
  watchReply?: () => DeltaCheck;
  /**
   * The tenant policy's redactBeforeProvider: every string variable is redacted (one placeholder per value
   * for the whole call) before the prompt reaches any provider, and the answer's placeholders restored.
   */
  redactPii?: boolean;
  /**
   * The tenant's rate limits, checked once the cache has missed (a cache hit counts for nothing); unset for
   * calls that are part of a request already counted (the guard model's verdict).
   */
  limits?: RateLimits;
  /**
   * The tenant's spend caps: each target attempt reserves its worst case first (spend-budget.ts). Unlike the
   * rate limits, set on every call that costs money, the guard model's verdict included.
   */
  spendCaps?: SpendCaps;
}

export interface ModelAnswer {
  kind: 'answered';
  text: string;
  provider: string;
  model: string;
  promptVersion: string;
  cached: boolean;
  costNanos: number;
  /** The answering reply's tokens as the provider reported them; null when no model ran for it (a cache hit). */
  usage: TokenUsage | null;
}

export interface ModelFailure {
  kind: 'failed';
  reason: DegradationReason;
  retryAfterSeconds: number | null;
  /**
   * Set when the gateway refused the call before any model saw it (the tenant's rate limit), or gave up on it
   * because this replica is overloaded (its own event loop ran the attempt out): the words naming the limit.
   * The feature answers AIUnavailable with them instead of serving its floor (which would add to the load).
   */
  refusal?: string;
  /** Which limit refused it: the tenant's rate limit, or this replica's load. */
  refusedBy?: 'rate' | 'overload';
  /** What replies cost that the output rails refused and nothing replaced: paid, though nobody is served them. */
  costNanos?: number;
}

/** The caller left before the end: nothing failed, and nobody is left to serve. */
export interface CallAbandoned {
  kind: 'abandoned';
}

export type CompletionOutcome = ModelAnswer | ModelFailure;
export type GatewayOutcome = CompletionOutcome | CallAbandoned;

export type { DeltaCheck, ReplyVerdict };

export type GatewayStreamEvent =
  | { type: 'delta'; text: string }
  | { type: 'fallback'; reason: DegradationReason; restart: boolean; message: string };
