// Hedged requests: a target that has not answered by its delay (its observed p95, or the route's fixed delay)
// races the next target of the chain, so a hung primary costs about its p95 rather than the attempt timeout.
// The hedge reserves spend like any attempt (refused: no hedge, never over a cap) and skips an open circuit.
// The race is decided by the first complete answer that passes the output rails (completions) or by the first
// text (streams: no delta of the loser ever reaches the caller). The loser is dropped: its provider request
// aborted and what it cost kept as an unserved reply. A primary that lost while silent past its delay counts
// one failure in its circuit (a slow failure): without it a hung primary's circuit never opens while hedges win,
// every call pays the delay and the dead target keeps receiving requests. A healthy primary is hedged only in
// its tail (past its p95) and loses a fraction of those, far below the breaker's rules; a hedge that loses is
// only younger than the primary, never slow, and counts nothing. A try that fails
// during the race leaves the other to go on alone; one that fails before the delay ends the race unstarted,
// and the walk falls back as it would without hedging.
import { ProviderError } from '../errors/provider-error';
import { unreachable } from '../errors/unreachable';
import type { AttemptSpend, ChainStep, UnservedReply } from './chain-walker';
import type { GatewayStreamEvent } from './gateway-call';
import type { TimeoutWatch } from './resilience/stalled-timeout';
import type { Target } from './routing/route-config';
import { tryTarget } from './target-try';
import type { Tried, WalkContext } from './target-try';
import { fallbackEvent } from './walk-events';
import { within } from './resilience/within';

export interface Hedging<Reply> {
  /** How long the step's attempt may go unanswered before the next target starts. */
  delayMs(step: ChainStep): number;
  /** From the attempt's start: whether our own loop's stall explains its wait (resilience/stalled-timeout.ts). */
  watch(): TimeoutWatch;
  /** What a dropped attempt cost: the prompt its provider received, and any text it had streamed. */
  lostReply(step: ChainStep, receivedText: string): Reply;
  observer: HedgeObserver;
}

export interface HedgeObserver {
  started(from: Target, to: Target): void;
  /** The wait was our own event loop's lag, not the target's: no hedge. */
  overloaded(from: Target, to: Target): void;
  /** The hedge's spend reservation was refused (or could not be checked): no hedge. */
  refused(from: Target, to: Target, why: ProviderError): void;
  /** The race is decided: `hedgeWon` when the hedge answered (or streamed text) first. */
  decided(winner: Target, loser: Target, hedgeWon: boolean): void;
}

/** What the walk keeps across its tries: replies paid for and not served, and steps tried to a failure. */
export interface RaceLedger<Reply> {
  unserved: UnservedReply<Reply>[];
  spent: Set<ChainStep>;
}

/** The next step a hedge from `index` would race: untried, with its circuit not open. */
export function hedgePartner(
  steps: readonly ChainStep[],
  index: number,
  spent: ReadonlySet<ChainStep>,
): ChainStep | undefined {
  return steps.slice(index + 1).find((step) => !spent.has(step) && !step.guard.isOpen());
}

type TryRun<Reply> = AsyncGenerator<GatewayStreamEvent, Tried<Reply>, undefined>;

interface Racer<Reply> {
  step: ChainStep;
  run: TryRun<Reply>;
  drop: AbortController;
  /** The racer's next step, asked for and not yet handled. */
  pending: Promise<Pulled<Reply>> | null;
  finished: boolean;
}

interface Pulled<Reply> {
  racer: Racer<Reply>;
  result: IteratorResult<GatewayStreamEvent, Tried<Reply>>;
}

export async function* hedgedTry<Reply>(
  walk: WalkContext<Reply>,
  hedging: Hedging<Reply>,
  step: ChainStep,
  partner: ChainStep,
  ledger: RaceLedger<Reply>,
): AsyncGenerator<GatewayStreamEvent, Tried<Reply>, undefined> {
  const start = (racing: ChainStep, reserved?: AttemptSpend<Reply> | null): Racer<Reply> => {
    const drop = new AbortController();
    const lostReply = (text: string) => hedging.lostReply(racing, text);
    const run = tryTarget(walk, racing, { signal: drop.signal, reserved, lostReply });
    return { step: racing, run, drop, pending: null, finished: false };
  };
  const primary = start(step);
  const racers: Racer<Reply>[] = [primary];
  try {
    const delayMs = hedging.delayMs(step);
    const watch = hedging.watch();
    const startedAt = Date.now();
    const beforeDelay = await within(pull(primary), delayMs);
    // A target slow only because this replica's loop is stalled is not slow: a hedge would add load (and cost)
    // to what made it late, as bench:latency saw at 200 in flight (hedges to a healthy secondary, all lost).
    if (beforeDelay === null && watch.stallExplains(delayMs))
      hedging.observer.overloaded(step.target, partner.target);
    else if (beforeDelay === null) {
      const hedge = await startHedge(walk, hedging, primary, partner, start);
      if (hedge) racers.push(hedge);
    }
    for (;;) {
      const live = racers.filter((racer) => !racer.finished);
      const { racer, result } = await Promise.race(live.map(pull));
      racer.pending = null;
      const other = live.find((candidate) => candidate !== racer);
      if (!result.done) {
        // The first text decides a stream's race: the other is dropped before the caller sees any of it.
        if (other) await dropLoser(hedging, racer, other, primary, ledger);
        if (other === primary) await countSlowPrimary(primary, watch, Date.now() - startedAt);
        yield result.value;
        // The winner's own from here: closing the walk closes it through the delegation.
        racer.finished = true;
        const rest = yield* racer.run;
        // A hedge that failed mid-stream is not tried again by the walk.
        if (racer !== primary && rest.kind === 'failed') ledger.spent.add(racer.step);
        return rest;
      }
      racer.finished = true;
      const tried = result.value;
      switch (tried.kind) {
        case 'answered':
          if (other) await dropLoser(hedging, racer, other, primary, ledger);
          if (other === primary) await countSlowPrimary(primary, watch, Date.now() - startedAt);
          return tried;
        case 'abandoned':
          if (other) await dropLoser(null, racer, other, primary, ledger);
          return tried;
        case 'lost':
        case 'failed':
          if (!other) {
            // The walk notes the last failure itself, but must not try the hedge's step a second time.
            if (racer !== primary && tried.kind === 'failed') ledger.spent.add(racer.step);
            return tried;
          }
          // The other goes on alone; the caller hears of the primary's failure as of any fallback.
          keep(ledger, racer.step, tried);
          if (racer === primary && tried.kind === 'failed') yield fallbackEvent(tried.error, false);
          break;
        default:
          return unreachable(tried);
      }
    }
  } finally {
    // Left early (the caller closed the walk): every racer still running is dropped and drained, so each
    // attempt's provider request is aborted and its spend settled.
    for (const racer of racers) {
      if (racer.finished) continue;
      if (racer.pending) {
        racer.drop.abort();
        await drain(racer, ledger);
      } else {
        // Suspended at its first text: closing it aborts its request as any walk left mid-stream.
        racer.finished = true;
        await racer.run.return(undefined as never);
      }
    }
  }
}

/** The racer's next step, asked for once and kept until handled. */
function pull<Reply>(racer: Racer<Reply>): Promise<Pulled<Reply>> {
  racer.pending ??= racer.run.next().then((result) => ({ racer, result }));
  return racer.pending;
}

/** The hedge at `partner`, once its spend is reserved; null when no hedge fits or the primary is done. */
async function startHedge<Reply>(
  walk: WalkContext<Reply>,
  hedging: Hedging<Reply>,
  primary: Racer<Reply>,
  partner: ChainStep,
  start: (step: ChainStep, reserved: AttemptSpend<Reply> | null) => Racer<Reply>,
): Promise<Racer<Reply> | null> {
  const { call, budget } = walk;
  if (call.signal?.aborted || partner.guard.isOpen()) return null;
  if (!call.deadline.leavesUsefulAttempt()) return null;
  let settled = false;
  const noteSettled = () => (settled = true);
  // Either way: a failure of the primary is handled by the race, not here.
  void primary.pending?.then(noteSettled, noteSettled);
  const spend = budget ? await budget.reserve(partner, undefined) : null;
  if (ProviderError.isInstance(spend)) {
    hedging.observer.refused(primary.step.target, partner.target, spend);
    return null;
  }
  // The primary ended while the reservation was on its way: no double start, the walk goes on as without.
  if (settled) {
    spend?.settle(null);
    return null;
  }
  hedging.observer.started(primary.step.target, partner.target);
  return start(partner, spend);
}

/** The race is won: the other racer is dropped (its request aborted) and drained, and what it cost kept. */
async function dropLoser<Reply>(
  hedging: Hedging<Reply> | null,
  winner: Racer<Reply>,
  loser: Racer<Reply>,
  primary: Racer<Reply>,
  ledger: RaceLedger<Reply>,
): Promise<void> {
  hedging?.observer.decided(winner.step.target, loser.step.target, winner !== primary);
  loser.drop.abort();
  await drain(loser, ledger);
}

/**
 * The primary lost the race to its hedge with nothing to show (no answer, no text): one failure in its circuit,
 * unless our own stalled loop explains the wait, which says nothing about the target.
 */
async function countSlowPrimary<Reply>(
  primary: Racer<Reply>,
  watch: TimeoutWatch,
  silentMs: number,
): Promise<void> {
  if (watch.stallExplains(silentMs)) return;
  await primary.step.guard.record(
    new ProviderError('timeout', `silent for ${silentMs} ms: a hedge answered first`),
  );
}

/** A dropped racer run to its end, its text discarded: it ends lost (or as it had already ended). */
async function drain<Reply>(racer: Racer<Reply>, ledger: RaceLedger<Reply>): Promise<void> {
  let result = racer.pending ? (await racer.pending).result : await racer.run.next();
  racer.pending = null;
  while (!result.done) result = await racer.run.next();
  racer.finished = true;
  keep(ledger, racer.step, result.value);
}

/** What a try that did not win leaves the walk: its cost when it had one, and its step spent when it failed. */
function keep<Reply>(ledger: RaceLedger<Reply>, step: ChainStep, tried: Tried<Reply>): void {
  switch (tried.kind) {
    case 'answered':
    case 'lost':
      ledger.unserved.push({ target: step.target, reply: tried.reply });
      return;
    case 'failed':
      ledger.spent.add(step);
      if (tried.rejected) ledger.unserved.push(tried.rejected);
      return;
    case 'abandoned':
      if (tried.rejected) ledger.unserved.push(tried.rejected);
      return;
    default:
      return unreachable(tried);
  }
}
