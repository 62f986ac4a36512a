// One target as the chain walk tries it: reserve its spend, run its attempt (streaming any text), put its reply
// through the output rails, and give it at most one repair attempt. A try the hedge started can be dropped (its
// race lost): its provider request is aborted, it ends as `lost`, and it is charged what it cost without
// counting as a failure of the target.
import { ProviderError } from '../errors/provider-error';
import type {
  AttemptSpend,
  ChainObserver,
  ChainStep,
  DeltaCheck,
  ReplyCheck,
  TargetAttempt,
  UnservedReply,
  WalkBudget,
  WalkedCall,
} from './chain-walker';
import type { GatewayStreamEvent } from './gateway-call';
import { fromTransportError } from './providers/provider-error';
import type { Target } from './routing/route-config';
import { repairEvent } from './walk-events';

/** What every try of one walk shares. */
export interface WalkContext<Reply> {
  call: WalkedCall;
  attempt: TargetAttempt<Reply>;
  observer: ChainObserver;
  replyCheck?: ReplyCheck<Reply>;
  budget?: WalkBudget<Reply>;
}

/** A try the walk may drop (a hedge's race): the signal that drops it and what a dropped attempt cost. */
export interface Droppable<Reply> {
  signal: AbortSignal;
  /** The spend of its first attempt, already reserved by whoever started it; null when nothing was reserved. */
  reserved?: AttemptSpend<Reply> | null;
  /** What a dropped attempt is charged, from the text it had streamed. */
  lostReply(receivedText: string): Reply;
}

export type Tried<Reply> =
  | { kind: 'answered'; target: Target; reply: Reply }
  | { kind: 'abandoned'; rejected?: UnservedReply<Reply> }
  | { kind: 'failed'; error: ProviderError; streamed: boolean; rejected?: UnservedReply<Reply> }
  /** Dropped by the walk before it answered: what it cost, paid though nobody is served it. */
  | { kind: 'lost'; reply: Reply };

export async function* tryTarget<Reply>(
  walk: WalkContext<Reply>,
  step: ChainStep,
  drop?: Droppable<Reply>,
): AsyncGenerator<GatewayStreamEvent, Tried<Reply>, undefined> {
  const { call, attempt, observer, replyCheck, budget } = walk;
  let repair: string | undefined;
  let rejected: Reply | undefined;
  let streamed = false;
  let reserved = drop?.reserved;
  const dropped = () => drop?.signal.aborted === true && !call.signal?.aborted;
  /**
   * What the walk is told a dropped try cost: the dropped attempt, with the rejected reply it was repairing,
   * which was paid for too. That reply's own reservation has settled it already: the dropped attempt's
   * reservation settles only the attempt itself.
   */
  const withRejected = (reply: Reply): Reply =>
    rejected !== undefined && replyCheck ? replyCheck.afterRepair(rejected, reply) : reply;
  /**
   * A try that ends while repairing (its repair failed, was refused its reservation, or its caller left) hands
   * the walk the rejected reply it was repairing: paid for, and served to nobody.
   */
  const unservedRejected = (): { rejected?: UnservedReply<Reply> } =>
    rejected !== undefined ? { rejected: { target: step.target, reply: rejected } } : {};
  /** The try ends as the rails' refusal: a failure of kind `rejected`, which the walk falls back from. */
  const refusedBy = (problem: string, unserved: { rejected?: UnservedReply<Reply> }): Tried<Reply> => {
    const failure = new ProviderError('rejected', `output rail: ${problem}`);
    observer.failed(step.target, failure);
    return { kind: 'failed', error: failure, streamed, ...unserved };
  };
  for (;;) {
    const spend = reserved !== undefined ? reserved : budget ? await budget.reserve(step, repair) : null;
    reserved = undefined;
    if (ProviderError.isInstance(spend)) {
      observer.failed(step.target, spend);
      return { kind: 'failed', error: spend, streamed, ...unservedRejected() };
    }
    const run = attempt(step, repair, drop?.signal);
    // How the stream ended: with the attempt's reply, or refused by a rail before it was whole.
    let ended: { reply: Reply } | { refused: string };
    // What the attempt cost is settled whatever happens next: its reply, what a drop cost, or null (nothing).
    // An attempt closed mid-stream settles what its provider had billed (stream-attempt.ts reports it).
    let replied: Reply | null = null;
    let receivedText = '';
    // The rails that see each delta before it is released: made at the first delta (a completion has none).
    let watch: DeltaCheck | undefined;
    try {
      for (;;) {
        const next = await run.next();
        if (next.done) {
          ended = { reply: next.value };
          replied = next.value;
          break;
        }
        streamed = true;
        receivedText += next.value;
        watch ??= replyCheck?.watch?.();
        // A dropped try's text reaches nobody (the race discards it): it ends lost, charged as such.
        const refused = watch && !dropped() ? watch(next.value) : null;
        // The delta that failed it is never released: a restart notice cannot take back what the client has.
        if (refused !== null) {
          ended = { refused };
          break;
        }
        yield { type: 'delta', text: next.value };
      }
    } catch (error) {
      // The client went away (or stopped reading until the stream's cap: a `cancelled` attempt the walk did not
      // drop, stream-attempt.ts): nothing failed, and nobody is left to hear about a fallback.
      const cancelled = ProviderError.isInstance(error) && error.kind === 'cancelled' && !dropped();
      if (call.signal?.aborted || cancelled) {
        observer.abandoned(step.target);
        return { kind: 'abandoned', ...unservedRejected() };
      }
      // Dropped by the walk: aborted by us, so neither a failure of the target nor a fallback.
      if (dropped()) {
        replied = (drop as Droppable<Reply>).lostReply(receivedText);
        return { kind: 'lost', reply: withRejected(replied) };
      }
      const failure = ProviderError.isInstance(error)
        ? error
        : fromTransportError(error, call.deadline.signal);
      observer.failed(step.target, failure);
      return { kind: 'failed', error: failure, streamed, ...unservedRejected() };
    } finally {
      // A no-op for a finished attempt; for one left mid-stream it closes the provider's stream.
      await run.return(undefined as never);
      spend?.settle(replied);
    }
    // Stopped mid-reply, its provider stream closed above: no whole reply to repair, so the next target. What
    // it cost was reported as it closed; only a reply it was repairing is handed on, as on any failure.
    if ('refused' in ended) {
      observer.rejected(step.target, ended.refused, false);
      return refusedBy(ended.refused, unservedRejected());
    }
    const reply = withRejected(ended.reply);
    const verdict = replyCheck?.check(reply) ?? { ok: true };
    if (verdict.ok) return { kind: 'answered', target: step.target, reply };
    const canRepair =
      verdict.repair !== null && repair === undefined && !dropped() && call.deadline.leavesUsefulAttempt();
    observer.rejected(step.target, verdict.problem, canRepair);
    if (!canRepair || verdict.repair === null) {
      return refusedBy(verdict.problem, { rejected: { target: step.target, reply } });
    }
    repair = verdict.repair;
    rejected = reply;
    if (streamed) yield repairEvent();
  }
}
