// A summary job of a text too long for one model call (a contract, a report): map-reduce. The text is cut at
// natural boundaries into parts of at most `partChars`, each part is summarized, and the parts' summaries
// together are summarized again (in turn cut into parts while still too long). Every step is the ordinary
// summarize feature, so each goes through the cache, the rails and the spend reservation, and all share the
// job's one deadline: when it runs out, the remaining steps take the extractive floor at once. A part that
// degraded makes the whole a DegradedSummary with that part's reason: the client learns the floor had a share.
// A part refused by one of our own passing limits (the tenant's rate, load shedding) waits its retryAfter and
// is asked again while the job's deadline leaves room for it; past that, the whole run is that refusal, and the
// runner puts the job back (own-limit-refusal.ts): a summary never silently leaves a part out. A part refused
// for good (the spend cap, a rail) makes the whole a DegradedSummary with that reason.
// The whole's meta is the job's: every step's cost (each step is in the usage ledger), the whole time.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FeatureCall } from '../features/feature-call';
import type { ResultMeta, SummarizeOutcome } from '../features/feature-result';
import { LIMITS } from '../features/inputs';
import type { SummarizeInput } from '../features/inputs';
import { startClock } from '../features/meter-result';
import { nanosOfUsd, usdOfNanos } from '../gateway/pricing';
import { chunkText } from '../retrieval/chunking';
import { refusedByOurLimits } from './own-limit-refusal';

export interface LongSummaryDeps {
  summarize(call: FeatureCall, input: unknown): Promise<SummarizeOutcome>;
  /** Longest text summarized in one call; longer ones are summarized by parts. */
  partChars: number;
  /** Parts summarized at once. */
  parallel: number;
}

/** The text a summary job is about: the given text, or the document's title and body; null when absent. */
export async function summaryTextOf(call: FeatureCall, input: SummarizeInput): Promise<string | null> {
  if (input.text) return input.text;
  if (!input.documentId) return null;
  const document = await call.loadDocument(input.documentId);
  return document ? `${document.title}.\n\n${document.body}` : null;
}

/**
 * `work` on every item, `parallel` at once (lanes over a shared index), each given the phase's signal. One lane
 * failing ends the phase: the other lanes take no further item and their items in flight are aborted (their
 * provider requests with them), and the phase rejects with that first failure only once every lane has
 * stopped, so no model call outlives it (the job's run ends on it: released or FAILED, its slot freed). The
 * job's own signal (a cancel) aborts the phase the same way, and it rejects with that signal's abort.
 */
async function inParallel<T, R>(
  items: readonly T[],
  parallel: number,
  work: (item: T, signal: AbortSignal) => Promise<R>,
  signal: AbortSignal | undefined,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  const phase = new AbortController();
  const cancelled = () => phase.abort(signal?.reason);
  if (signal?.aborted) cancelled();
  else signal?.addEventListener('abort', cancelled, { once: true });
  /** What the lanes failed with, in order: the first is the phase's, the others the lanes it aborted. */
  const failures: unknown[] = [];
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      // A cancelled job, or a part failed in another lane: no further part starts.
      phase.signal.throwIfAborted();
      const index = next++;
      results[index] = await work(items[index] as T, phase.signal);
    }
  };
  const stopped = (error: unknown) => {
    failures.push(error);
    phase.abort(new DOMException('another part of the summary failed', 'AbortError'));
  };
  try {
    await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, () => lane().catch(stopped)));
  } finally {
    signal?.removeEventListener('abort', cancelled);
  }
  if (failures.length > 0) throw failures[0];
  return results;
}

/** Levels of summaries of summaries before the last one is summarized whole, however long. */
const MAX_LEVELS = 3;

/**
 * The summary of `text` by parts, whose meta is the whole job's: the cost of every step, the time from the
 * first step to the last, and cached only if no step called a model. The usage ledger has each step's cost,
 * so the job reports what the tenant paid for it, as a single call's result does.
 */
export async function summarizeByParts(
  deps: LongSummaryDeps,
  call: FeatureCall,
  text: string,
  maxWords: number | undefined,
): Promise<SummarizeOutcome> {
  const elapsedMs = startClock();
  const steps: SummarizeOutcome[] = [];
  const summarize: LongSummaryDeps['summarize'] = async (stepCall, input) => {
    const step = await deps.summarize(stepCall, input);
    steps.push(step);
    return step;
  };
  const whole = await byLevels({ ...deps, summarize }, call, text, maxWords, 1);
  if (whole.kind === 'unavailable') return whole;
  return { ...whole, meta: { ...whole.meta, ...jobMetaOf(steps, elapsedMs()) } };
}

function jobMetaOf(
  steps: readonly SummarizeOutcome[],
  latencyMs: number,
): Pick<ResultMeta, 'costUsd' | 'latencyMs' | 'cached'> {
  let costNanos = 0;
  let cached = true;
  for (const step of steps) {
    // A refused step (a rate limit, the budget) cost nothing, but was no cache hit either.
    if (step.kind === 'unavailable') {
      cached = false;
      continue;
    }
    // Back to the step's integer nano-dollars (exact: its costUsd is one division of them), summed as integers
    // and converted once, so the job's cost is the ledger's sum of its steps to the nano-dollar.
    costNanos += nanosOfUsd(step.meta.costUsd);
    cached &&= step.meta.cached;
  }
  return { costUsd: usdOfNanos(costNanos), latencyMs, cached };
}

/** `text` summarized whole, or by parts whose summaries are summarized in turn, `level` levels down. */
async function byLevels(
  deps: LongSummaryDeps,
  call: FeatureCall,
  text: string,
  maxWords: number | undefined,
  level: number,
): Promise<SummarizeOutcome> {
  if (text.length <= deps.partChars || level > MAX_LEVELS) {
    return deps.summarize(call, { text: text.slice(0, LIMITS.textChars), maxWords });
  }
  const parts = chunkText(text, { maxChars: deps.partChars, overlapChars: 0 });
  const summaries = await inParallel(
    parts,
    deps.parallel,
    // Each part's call carries the phase's signal: a part failing aborts the others' model calls.
    (part, signal) => summarizePart(deps, { ...call, signal }, { text: part.text, maxWords }),
    call.signal,
  );
  const usable = summaries.filter((summary) => summary.kind !== 'unavailable');
  const refusals = summaries.filter((summary) => summary.kind === 'unavailable');
  // A part our passing limits still refuse: the whole run is refused, to be put back and run again (the parts
  // done are in the summary cache). Nothing came back at all: the first refusal says why.
  const passing = refusals.find((refusal) => refusedByOurLimits(refusal) !== null);
  if (passing) return passing;
  if (usable.length === 0) return summaries[0] as SummarizeOutcome;
  const joined = usable.map((summary) => summary.value.text).join('\n\n');
  // Summaries no shorter than their parts (a maxWords near the part size) would never converge: the last level.
  const whole = await byLevels(
    deps,
    call,
    joined,
    maxWords,
    joined.length < text.length ? level + 1 : MAX_LEVELS + 1,
  );
  // A part left out (refused for good) or on the floor: the whole says so with that part's reason.
  const short = refusals[0] ?? usable.find((summary) => summary.kind === 'degraded');
  if (whole.kind !== 'full' || !short) return whole;
  return { kind: 'degraded', value: whole.value, reason: short.reason, meta: whole.meta };
}

/** Most of the job's time left that one part waits for our limits before the run gives up and is put back. */
const PART_WAIT_SHARE = 0.5;

/**
 * One part's summary. Refused by one of our own passing limits, it waits the refusal's retryAfter and asks again
 * while the wait takes at most PART_WAIT_SHARE of the job's time left (a cancel ends the wait); else the refusal.
 */
async function summarizePart(
  deps: LongSummaryDeps,
  call: FeatureCall,
  input: { text: string; maxWords: number | undefined },
): Promise<SummarizeOutcome> {
  for (;;) {
    const step = await deps.summarize(call, input);
    const retryAfterSeconds = refusedByOurLimits(step);
    const leftMs = call.deadline?.remainingMs() ?? 0;
    if (retryAfterSeconds === null || retryAfterSeconds * 1000 > leftMs * PART_WAIT_SHARE) return step;
    try {
      await sleep(retryAfterSeconds * 1000, undefined, { signal: call.signal });
    } catch {
      // Cancelled while waiting: rejects with the cancel's reason, as a model call of the part would.
      call.signal?.throwIfAborted();
    }
  }
}
