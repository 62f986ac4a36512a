// The one walk down a route chain, shared by complete, stream and embed: skip a target whose circuit is open,
// stop when the deadline cannot fit a useful attempt, skip a target whose worst-case cost the tenant's spend
// cap cannot hold (the walk's budget, settled after each attempt), try the target, and on failure note it,
// announce the fallback and move on. An attempt yields streamed text (a completion or an embedding yields none) and returns
// its reply (a completion, vectors); when the walk's consumer stops, the attempt in progress is closed, so its
// provider request is aborted rather than left to its idle timer.
import { ProviderError } from '../errors/provider-error';
import { unreachable } from '../errors/unreachable';
import type { GatewayStreamEvent } from './gateway-call';
import { reasonFor } from './failure-reason';
import type { Completion, ModelProvider } from './providers/model-provider';
import { fromTransportError } from './providers/provider-error';
import { MIN_USEFUL_ATTEMPT_MS } from './resilience/target-guard';
import type { TargetGuard } from './resilience/target-guard';
import type { Deadline } from './resilience/deadline';
import type { Target } from './routing/route-config';

export interface ChainStep {
  target: Target;
  provider: ModelProvider;
  guard: TargetGuard;
}

/**
 * One attempt at one target: the text as it streams, then its reply (or a thrown failure). `repair`, when
 * given, is a note appended to the request telling the model what was wrong with its previous reply.
 */
export type TargetAttempt<Reply = Completion> = (
  step: ChainStep,
  repair?: string,
) => AsyncGenerator<string, Reply, undefined>;

/** What an output rail says of a reply: fine, or not, with the note that may fix it (null: no repair). */
export type ReplyVerdict = { ok: true } | { ok: false; problem: string; repair: string | null };

/**
 * The output rails a reply must pass before the walk accepts it. A reply that fails gets one repair attempt
 * at the same target when the verdict carries a note, then the walk moves on as after a failure.
 */
export interface ReplyCheck<Reply> {
  check(reply: Reply): ReplyVerdict;
  /** The repaired reply, carrying what the rejected one cost as well. */
  afterRepair(rejected: Reply, repaired: Reply): Reply;
}

/** What the walk needs of a call: its budget, and the caller's signal where leaving abandons the walk. */
export interface WalkedCall {
  deadline: Deadline;
  signal?: AbortSignal;
}

/** Spend held for one attempt, settled once the attempt is over: with its reply, or null when it gave none. */
export interface AttemptSpend<Reply> {
  settle(reply: Reply | null): void;
}

/**
 * The tenant's spend caps on the walk: before each attempt at a target (a repair is an attempt too) its worst
 * case is reserved; when it does not fit, the target is skipped with the returned failure (kind `budget` or
 * `limits-unavailable`), which neither retries nor counts against its circuit, and the walk tries the next.
 */
export interface WalkBudget<Reply> {
  reserve(step: ChainStep, repair: string | undefined): Promise<AttemptSpend<Reply> | ProviderError>;
}

export interface ChainObserver {
  failed(target: Target, error: ProviderError): void;
  /** A reply an output rail refused: `repairing` when the same target gets a second try. */
  rejected(target: Target, problem: string, repairing: boolean): void;
  abandoned(target: Target): void;
}

/** A reply an output rail refused and no repair fixed: paid for, though nobody is served it. */
export interface RejectedReply<Reply> {
  target: Target;
  reply: Reply;
}

export type WalkResult<Reply = Completion> =
  | { kind: 'answered'; target: Target; reply: Reply; rejected: RejectedReply<Reply>[] }
  | { kind: 'failed'; last: ProviderError | null; rejected: RejectedReply<Reply>[] }
  | { kind: 'abandoned' };

export async function* walkChain<Reply>(
  call: WalkedCall,
  steps: readonly ChainStep[],
  attempt: TargetAttempt<Reply>,
  observer: ChainObserver,
  replyCheck?: ReplyCheck<Reply>,
  budget?: WalkBudget<Reply>,
): AsyncGenerator<GatewayStreamEvent, WalkResult<Reply>, undefined> {
  let last: ProviderError | null = null;
  const rejected: RejectedReply<Reply>[] = [];
  for (const step of steps) {
    if (call.signal?.aborted) return { kind: 'abandoned' };
    if (call.deadline.expired()) break;
    if (step.guard.isOpen()) {
      last = new ProviderError('circuit-open', 'circuit open: target skipped');
      observer.failed(step.target, last);
      yield fallbackEvent(last, false);
      continue;
    }
    // An attempt shorter than this cannot reach a provider: do not charge a failure to its circuit.
    if (call.deadline.remainingMs() < MIN_USEFUL_ATTEMPT_MS) break;
    const tried = yield* tryTarget(call, step, attempt, observer, replyCheck, budget);
    switch (tried.kind) {
      case 'answered':
        return { ...tried, rejected };
      case 'abandoned':
        return tried;
      case 'failed':
        last = tried.error;
        if (tried.rejected !== undefined) rejected.push({ target: step.target, reply: tried.rejected });
        // Our own loop's lag ran the attempt out: the next target would wait behind the same lag, with less of
        // the deadline left, and add to it. The caller is told to come back (RATE_LIMITED, retryAfterSeconds).
        if (last.kind === 'overloaded') return { kind: 'failed', last, rejected };
        yield fallbackEvent(last, tried.streamed);
        break;
      default:
        return unreachable(tried);
    }
  }
  return { kind: 'failed', last, rejected };
}

type Tried<Reply> =
  | { kind: 'answered'; target: Target; reply: Reply }
  | { kind: 'abandoned' }
  | { kind: 'failed'; error: ProviderError; streamed: boolean; rejected?: Reply };

/** One target: its attempt, the output rails on its reply, and at most one repair attempt. */
async function* tryTarget<Reply>(
  call: WalkedCall,
  step: ChainStep,
  attempt: TargetAttempt<Reply>,
  observer: ChainObserver,
  replyCheck: ReplyCheck<Reply> | undefined,
  budget: WalkBudget<Reply> | undefined,
): AsyncGenerator<GatewayStreamEvent, Tried<Reply>, undefined> {
  let repair: string | undefined;
  let rejected: Reply | undefined;
  let streamed = false;
  for (;;) {
    const spend = budget ? await budget.reserve(step, repair) : null;
    if (ProviderError.isInstance(spend)) {
      observer.failed(step.target, spend);
      return { kind: 'failed', error: spend, streamed };
    }
    const run = attempt(step, repair);
    let reply: Reply;
    // What the attempt cost is settled whatever happens next: its reply, or null (nothing reported).
    let replied: Reply | null = null;
    try {
      for (;;) {
        const next = await run.next();
        if (next.done) {
          reply = next.value;
          replied = reply;
          break;
        }
        streamed = true;
        yield { type: 'delta', text: next.value };
      }
    } catch (error) {
      // The client went away: nothing failed, and nobody is left to hear about a fallback.
      if (call.signal?.aborted) {
        observer.abandoned(step.target);
        return { kind: 'abandoned' };
      }
      const failure = ProviderError.isInstance(error)
        ? error
        : fromTransportError(error, call.deadline.signal);
      observer.failed(step.target, failure);
      return { kind: 'failed', error: failure, streamed };
    } finally {
      // A no-op for a finished attempt; for one left mid-stream it closes the provider's stream.
      await run.return(undefined as never);
      spend?.settle(replied);
    }
    if (rejected !== undefined && replyCheck) reply = replyCheck.afterRepair(rejected, reply);
    const verdict = replyCheck?.check(reply) ?? { ok: true };
    if (verdict.ok) return { kind: 'answered', target: step.target, reply };
    const canRepair =
      verdict.repair !== null && repair === undefined && call.deadline.remainingMs() >= MIN_USEFUL_ATTEMPT_MS;
    observer.rejected(step.target, verdict.problem, canRepair);
    if (!canRepair || verdict.repair === null) {
      const failure = new ProviderError('rejected', `output rail: ${verdict.problem}`);
      observer.failed(step.target, failure);
      return { kind: 'failed', error: failure, streamed, rejected: reply };
    }
    repair = verdict.repair;
    rejected = reply;
    if (streamed) yield repairEvent();
  }
}
/** The walk run to its end for a caller that reads no events (a completion, an embedding). */
export async function walkToEnd<Reply>(
  walk: AsyncGenerator<GatewayStreamEvent, WalkResult<Reply>, undefined>,
): Promise<WalkResult<Reply>> {
  let next = await walk.next();
  while (!next.done) next = await walk.next();
  return next.value;
}

function repairEvent(): GatewayStreamEvent {
  return {
    type: 'fallback',
    reason: 'GUARDRAIL_REJECTED',
    restart: true,
    message: 'The answer did not pass the output checks; the model is correcting it',
  };
}

function fallbackEvent(error: ProviderError, restart: boolean): GatewayStreamEvent {
  return {
    type: 'fallback',
    reason: reasonFor(error.kind),
    restart,
    message:
      error.kind === 'rejected'
        ? 'The answer did not pass the output checks; trying a fallback'
        : error.kind === 'budget'
          ? "This model's worst-case cost does not fit the spend cap; trying the next one"
          : restart
            ? 'The model failed mid-answer; restarting on a fallback'
            : 'The model was unavailable; trying a fallback',
  };
}
