// The one walk down a route chain, shared by complete, stream and embed: skip a target whose circuit is open,
// stop when the deadline cannot fit a useful attempt, skip a target whose worst-case cost the tenant's spend
// cap cannot hold (the walk's budget, settled after each attempt), try the target (target-try.ts), and on
// failure note it, announce the fallback and move on. With hedging (hedged-attempt.ts), a target that has not
// answered by its delay races the next one. An attempt yields streamed text (a completion or an embedding
// yields none) and returns its reply (a completion, vectors); when the walk's consumer stops, the attempt in
// progress is closed, so its provider request is aborted rather than left to its idle timer.
import { ProviderError } from '../errors/provider-error';
import { unreachable } from '../errors/unreachable';
import { reasonFor } from './failure-reason';
import type { GatewayStreamEvent } from './gateway-call';
import { hedgedTry, hedgePartner } from './hedged-attempt';
import type { Hedging, RaceLedger } from './hedged-attempt';
import type { LatencyWindow } from './latency-window';
import type { Completion, ModelProvider } from './providers/model-provider';
import type { TargetGuard } from './resilience/target-guard';
import type { Deadline } from './resilience/deadline';
import type { Target } from './routing/route-config';
import { tryTarget } from './target-try';
import type { WalkContext } from './target-try';
import { fallbackEvent } from './walk-events';

export interface ChainStep {
  target: Target;
  provider: ModelProvider;
  guard: TargetGuard;
  /** The target's recent time to reply (or to first token): what a hedge waits for before racing it. */
  latency: LatencyWindow;
}

/**
 * One attempt at one target: the text as it streams, then its reply (or a thrown failure). `repair`, when
 * given, is a note appended to the request telling the model what was wrong with its previous reply. `drop`,
 * when given and aborted, means the walk no longer wants the attempt (a hedge that lost its race): its
 * provider request is aborted and it ends as a `cancelled` failure, which is no failure of the target.
 */
export type TargetAttempt<Reply = Completion> = (
  step: ChainStep,
  repair?: string,
  drop?: AbortSignal,
) => AsyncGenerator<string, Reply, undefined>;

/** What an output rail says of a reply: fine, or not, with the note that may fix it (null: no repair). */
export type ReplyVerdict = { ok: true } | { ok: false; problem: string; repair: string | null };

/**
 * A rail on a streamed reply as it arrives, for one attempt: each delta before it is released, given the
 * problem once the text so far fails it (then that delta is held back), else null.
 */
export type DeltaCheck = (delta: string) => string | null;

/**
 * The output rails a reply must pass before the walk accepts it. A reply that fails gets one repair attempt
 * at the same target when the verdict carries a note, then the walk moves on as after a failure.
 */
export interface ReplyCheck<Reply> {
  check(reply: Reply): ReplyVerdict;
  /**
   * The rails that must act before streamed text is released (no echo of the system prompt): a fresh check
   * for one attempt's stream. A reply it stops is refused unrepaired (no whole reply to repair).
   */
  watch?(): DeltaCheck;
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

export interface ChainObserver<Reply = unknown> {
  failed(target: Target, error: ProviderError): void;
  /** A reply an output rail refused: `repairing` when the same target gets a second try. */
  rejected(target: Target, problem: string, repairing: boolean): void;
  abandoned(target: Target): void;
  /**
   * The walk ended with no outcome to carry what it paid for (its caller left, or its consumer closed it
   * mid-walk): the replies paid for and served to nobody, told once, so that their cost still reaches the
   * tenant's ledger. An answered or failed walk carries them in its result instead.
   */
  left?(unserved: readonly UnservedReply<Reply>[]): void;
}

/**
 * A reply paid for though nobody is served it: one an output rail refused and no repair fixed, or what a hedge
 * that lost its race had cost.
 */
export interface UnservedReply<Reply> {
  target: Target;
  reply: Reply;
}

export type WalkResult<Reply = Completion> =
  | { kind: 'answered'; target: Target; reply: Reply; unserved: UnservedReply<Reply>[] }
  | { kind: 'failed'; last: ProviderError | null; unserved: UnservedReply<Reply>[] }
  | { kind: 'abandoned' };

export async function* walkChain<Reply>(
  call: WalkedCall,
  steps: readonly ChainStep[],
  attempt: TargetAttempt<Reply>,
  observer: ChainObserver<NoInfer<Reply>>,
  replyCheck?: ReplyCheck<Reply>,
  budget?: WalkBudget<Reply>,
  hedging?: Hedging<Reply>,
): AsyncGenerator<GatewayStreamEvent, WalkResult<Reply>, undefined> {
  const walk: WalkContext<Reply> = { call, attempt, observer, replyCheck, budget };
  const ledger: RaceLedger<Reply> = { unserved: [], spent: new Set() };
  let last: ProviderError | null = null;
  // Set when the walk ends with a result that carries its unserved replies; otherwise `left` is told of them.
  let carried = false;
  const carrying = (result: Exclude<WalkResult<Reply>, { kind: 'abandoned' }>) => {
    carried = true;
    return result;
  };
  try {
    for (const [index, step] of steps.entries()) {
      // Already tried to its end as a hedge, and failed there.
      if (ledger.spent.has(step)) continue;
      if (call.signal?.aborted) return { kind: 'abandoned' };
      if (call.deadline.expired()) break;
      if (step.guard.isOpen()) {
        last = new ProviderError('circuit-open', 'circuit open: target skipped');
        observer.failed(step.target, last);
        yield fallbackEvent(last, false);
        continue;
      }
      // An attempt shorter than this cannot reach a provider: do not charge a failure to its circuit.
      if (!call.deadline.leavesUsefulAttempt()) break;
      const partner = hedging ? hedgePartner(steps, index, ledger.spent) : undefined;
      const tried =
        hedging && partner
          ? yield* hedgedTry(walk, hedging, step, partner, ledger)
          : yield* tryTarget(walk, step);
      switch (tried.kind) {
        case 'answered':
          return carrying({ ...tried, unserved: ledger.unserved });
        case 'abandoned':
          // A reply refused before the caller left is told to `left` with the rest (the finally below).
          if (tried.rejected !== undefined) ledger.unserved.push(tried.rejected);
          return { kind: 'abandoned' };
        case 'lost':
          // Only a try the walk dropped ends so, and the walk drops none of its own: kept for what it cost.
          ledger.unserved.push({ target: step.target, reply: tried.reply });
          break;
        case 'failed':
          last = tried.error;
          if (tried.rejected !== undefined) ledger.unserved.push(tried.rejected);
          // Our own loop's lag ran the attempt out: the next target would wait behind the same lag, with less
          // of the deadline left, and add to it. The caller is told to come back (RATE_LIMITED, retryAfterSeconds).
          // No target takes over, but text the attempt streamed is withdrawn all the same: whatever serves (the
          // refusal, a stale entry) is not that text, and a client told nothing would keep it as the answer.
          if (last.kind === 'overloaded') {
            if (tried.streamed) yield overloadedNotice(last);
            return carrying({ kind: 'failed', last, unserved: ledger.unserved });
          }
          yield fallbackEvent(last, tried.streamed);
          break;
        default:
          return unreachable(tried);
      }
    }
    return carrying({ kind: 'failed', last, unserved: ledger.unserved });
  } finally {
    // Abandoned, or closed mid-walk (every try in flight has been closed and kept by now): no result carries
    // what the refused replies and lost hedges cost.
    if (!carried) observer.left?.(ledger.unserved);
  }
}

/** The notice that withdraws the text of an attempt our own overload ended: no target takes over. */
function overloadedNotice(error: ProviderError): GatewayStreamEvent {
  return {
    type: 'fallback',
    reason: reasonFor(error.kind),
    restart: true,
    message: 'This service is overloaded right now; the text streamed so far is withdrawn',
  };
}

/** The walk run to its end for a caller that reads no events (a completion, an embedding). */
export async function walkToEnd<Reply>(
  walk: AsyncGenerator<GatewayStreamEvent, WalkResult<Reply>, undefined>,
): Promise<WalkResult<Reply>> {
  let next = await walk.next();
  while (!next.done) next = await walk.next();
  return next.value;
}
