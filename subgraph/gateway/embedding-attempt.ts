// One embed call's attempt at one target: every text embedded by that target's model, or a thrown failure
// that moves the whole call to the next target. Texts go in batches of at most `batchSize`, one provider
// request each, all to this target (a call never mixes two models' spaces); each request runs inside the
// target's guard (timeout within the deadline, retries, circuit). A reply that is not one finite vector of
// one dimension per text is malformed, like unparseable JSON: retried, counted against the circuit, then
// the next target. The query cache answers for a target only when it holds every text for that target.
// Every reply the provider sent is billed, whatever its shape: an attempt that fails after some of its requests
// were answered (a later batch failing after its retries, or malformed) hands what the provider reported for
// them to `billedBeforeFailing`, so its reservation settles to that and the call's cost carries it.
// A call's deadline covers all its batches, unless it is a PerBatchDeadline: then each batch has a budget of
// its own (a document's many batches, which one request's budget cannot fit), all within the call's.
import { ProviderError } from '../errors/provider-error';
import type { TargetAttempt } from './chain-walker';
import type { Embeddings, ModelProvider, TokenUsage } from './providers/model-provider';
import { Deadline } from './resilience/deadline';
import type { Target } from './routing/route-config';

export interface TargetEmbeddings {
  vectors: number[][];
  usage: TokenUsage;
  /** Provider requests made: 0 when the cache answered. */
  requests: number;
  cached: boolean;
}

/**
 * The deadline of an embed call whose every batch (one provider request, with its retries) gets `perBatchMs`
 * of its own from when it starts, or what is left of the call's budget (`budgetMs`) when that is less: the
 * time a call of many texts may take grows with its batches, still bounded by the call's budget.
 */
export class PerBatchDeadline extends Deadline {
  constructor(
    budgetMs: number,
    readonly perBatchMs: number,
  ) {
    super(budgetMs);
  }

  /** The deadline of the batch starting now. */
  forBatch(): Deadline {
    return Deadline.first(new Deadline(this.perBatchMs), this);
  }
}

/** The deadline a batch starting now runs under: its own with a PerBatchDeadline, else the call's. */
const batchDeadline = (deadline: Deadline): Deadline =>
  deadline instanceof PerBatchDeadline ? deadline.forBatch() : deadline;

export interface EmbeddingAttemptPlan {
  texts: readonly string[];
  batchSize: number;
  /** The call's: covers every batch, or each batch has its own within it (PerBatchDeadline). */
  deadline: Deadline;
  /** The caller's signal: its abort ends the request in flight without blaming the target. */
  callerSignal: AbortSignal | undefined;
  /** Every text's cached vector for this target, or null unless the cache holds them all. */
  cachedFor(target: Target): number[][] | null;
  /**
   * Told, before the attempt at `target` throws, the usage the provider reported for the replies it sent
   * (answered batches, malformed replies): billed though the attempt failed. Not called when it reported none.
   */
  billedBeforeFailing?(target: Target, usage: TokenUsage): void;
}

export function embeddingAttempt(plan: EmbeddingAttemptPlan): TargetAttempt<TargetEmbeddings> {
  // eslint-disable-next-line require-yield -- embeddings stream nothing; the attempt only returns
  return async function* ({ target, provider, guard }) {
    const cached = plan.cachedFor(target);
    if (cached)
      return { vectors: cached, usage: { inputTokens: 0, outputTokens: 0 }, requests: 0, cached: true };
    const vectors: number[][] = [];
    /** What the provider reported for every reply it sent this attempt, retries and malformed ones included. */
    const usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
    let dimensions: number | null = null;
    let requests = 0;
    try {
      for (let start = 0; start < plan.texts.length; start += plan.batchSize) {
        const batch = plan.texts.slice(start, start + plan.batchSize);
        requests += 1;
        const reply = await guard.run(
          batchDeadline(plan.deadline),
          target.timeoutMs,
          async (signal) => {
            const embeddings = await embedBatch(provider, target.model, batch, signal, plan.callerSignal);
            // Counted before its shape is checked: a reply the check refuses was billed all the same.
            addUsage(usage, embeddings.usage);
            // Checked inside the guard so that a malformed reply is retried and counted like any other failure.
            checkShape(embeddings, batch.length, dimensions ?? embeddings.vectors[0]?.length ?? 0);
            return embeddings;
          },
          [plan.callerSignal],
        );
        dimensions ??= reply.vectors[0]?.length ?? null;
        for (const vector of reply.vectors) vectors.push(vector.map(Math.fround));
        usage.responseModel ??= reply.usage.responseModel;
      }
    } catch (error) {
      if (usage.inputTokens > 0 || usage.outputTokens > 0) plan.billedBeforeFailing?.(target, { ...usage });
      throw error;
    }
    return { vectors, usage, requests, cached: false };
  };
}

function addUsage(total: TokenUsage, reported: TokenUsage): void {
  total.inputTokens += reported.inputTokens;
  total.outputTokens += reported.outputTokens;
}

async function embedBatch(
  provider: ModelProvider,
  model: string,
  input: string[],
  attemptSignal: AbortSignal,
  callerSignal: AbortSignal | undefined,
): Promise<Embeddings> {
  if (!provider.embed) {
    // A route table may name a provider without an embeddings endpoint; that says nothing of its health.
    throw new ProviderError('client', `${provider.name} has no embeddings endpoint`);
  }
  // The guard's signal ends with the caller's too (guard.run's `leave`).
  try {
    return await provider.embed({ model, input, signal: attemptSignal });
  } catch (error) {
    // The caller left: not a timeout of the target, so neither retried nor counted against its circuit.
    if (callerSignal?.aborted)
      throw new ProviderError('client', 'caller left before the embeddings came back');
    throw error;
  }
}

/** One vector per text, all of one positive dimension (the call's first batch sets it), all numbers finite. */
function checkShape(embeddings: Embeddings, texts: number, dimensions: number): void {
  const { vectors } = embeddings;
  if (vectors.length !== texts) {
    throw new ProviderError('malformed', `provider sent ${vectors.length} vectors for ${texts} texts`);
  }
  const wellFormed = vectors.every(
    (vector) => dimensions > 0 && vector.length === dimensions && vector.every(Number.isFinite),
  );
  if (!wellFormed) throw new ProviderError('malformed', 'provider sent vectors of mixed or no dimensions');
}
