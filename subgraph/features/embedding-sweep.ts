// The embedding sweep: in the background, embeds the documents stored without vectors in the current embedding
// model — ingested while embeddings were down, or embedded in a model the route no longer leads with — a
// bounded number per run, so a re-embed of a large corpus is spread over time instead of flooding the provider.
// The work list lives in the store (pendingEmbedding), so a restart resumes where it stopped.
//
// Each batch of a document's chunks (one provider request) has an embed deadline of its own, so a document's
// time grows with its size; the run as a whole has a budget (runBudgetMs) that bounds them all. A failure that
// is the provider's (open circuit, no provider, the provider's or this replica's rate, or a failure of two
// documents in a row with no answer in between) ends the run: the next run retries, by which time the circuit
// may have closed. A timeout or error of one document the provider otherwise answers is that document's own:
// the run goes on, and the document is recorded as tried (noteEmbeddingAttempt), which puts it behind every
// tenant's documents that have not failed and, after a few failed tries, leaves it to once a day until it is
// re-ingested (embedding-backlog.ts). A refusal of the tenant's own (its spend cap or rate limit) skips
// that tenant's documents for the rest of the run, so one tenant over its cap never holds up the others. A
// document whose vectors the store cannot keep (a zero or oversized vector) is logged by id and not tried, nor
// paid for, in that model again until it is re-ingested. What the provider billed is recorded whatever the
// outcome, a failed document's answered batches included.
import { PerBatchDeadline } from '../gateway/embedding-attempt';
import type { ModelGateway } from '../gateway/gateway';
import type { ModelFailure } from '../gateway/gateway-call';
import { Deadline } from '../gateway/resilience/deadline';
import { unreachable } from '../errors/unreachable';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { UnusableEmbeddingError } from '../retrieval/store/document-store';
import type { DocumentStore } from '../retrieval/store/document-store';
import type { PendingDocument } from '../retrieval/store/embedding-backlog';
import type { UsageLedger } from '../state/usage-ledger';
import type { TenantPolicies } from '../tenancy/tenant-policies';
import { embeddingSpaceOf } from './hybrid-retrieval';
import { recordCost } from './meter-result';
import { spendCapsOf } from '../gateway/spend-budget';

// Runs are scheduled by the job engine, one per EMBED_SWEEP_INTERVAL_MS across replicas (jobs/sweep-worker.ts).
export interface SweepSettings {
  /** The most documents one run embeds. */
  documentsPerRun: number;
}

/** Half the ten minutes after which the job engine frees a run's slot for another replica (job-queue.ts). */
const MAX_RUN_MS = 5 * 60_000;

/**
 * The most a run may take: what `documentsPerRun` documents of one embed deadline each took before a document's
 * batches had a deadline each, and never so long that the engine could give another replica a run beside it.
 */
function runBudgetMs(documentsPerRun: number, embedDeadlineMs: number): number {
  return Math.min(documentsPerRun * embedDeadlineMs, MAX_RUN_MS);
}

export interface SweepReport {
  embedded: number;
  /**
   * Documents skipped: re-ingested or deleted meanwhile, the tenant's policy leads to another model, the
   * tenant's own limit refused it (then the tenant's other documents too, for this run), the store cannot
   * keep the vectors the provider sent, or the provider failed it alone.
   */
  skipped: number;
  /** The provider failed: the run stopped early, or it failed every document the run asked it for. */
  failed: boolean;
}

export interface EmbeddingSweep {
  runOnce(): Promise<SweepReport>;
  /** Ends a run going after the document in hand, and starts no new one; resolves once the run has ended. */
  stop(): Promise<void>;
}

interface SweepDeps {
  documents: DocumentStore;
  gateway: ModelGateway;
  tenants: TenantPolicies;
  /** Where a re-embed's cost goes, under `embedding-sweep`: no request of the tenant's carries it. */
  usage: UsageLedger;
  metrics: Metrics;
  logger: Logger;
}

/**
 * Whose a failed embedding is. `provider`: every tenant's next document would fail alike (its circuit, no
 * provider, its rate or this replica's load): the run ends. `tenant`: the tenant's own (its spend cap, its rate
 * limit, its policy, the limits it alone is checked against): its documents are skipped for the rest of the
 * run. `unclear`: an error or a timeout, the provider's or the document's own (its size, its text): the
 * documents around it tell (see sweep()).
 */
function failureOf(failure: ModelFailure): 'provider' | 'tenant' | 'unclear' {
  switch (failure.reason) {
    case 'PROVIDER_ERROR':
    case 'PROVIDER_TIMEOUT':
      return 'unclear';
    case 'CIRCUIT_OPEN':
    case 'NO_PROVIDER_CONFIGURED':
      return 'provider';
    // The tenant's own rate limit refuses it alone; a provider's 429 or this replica's overload are everyone's.
    case 'RATE_LIMITED':
      return failure.refusedBy === 'rate' ? 'tenant' : 'provider';
    case 'BUDGET_EXCEEDED':
    case 'LIMITS_UNAVAILABLE':
    case 'PROVIDER_NOT_ALLOWED':
    case 'GUARDRAIL_REJECTED':
    case 'SEMANTIC_UNAVAILABLE':
    case 'INSUFFICIENT_CONTEXT':
    case 'NOT_FOUND':
      return 'tenant';
    default:
      return unreachable(failure.reason);
  }
}

interface FailedDocument extends PendingDocument {
  reason: string;
  /** Records the failed try (noteEmbeddingAttempt): behind the others next run, and counted (the backoff). */
  note(): Promise<unknown>;
}

/**
 * Tells a document's own failure from the provider's over one run. A failure that is everyone's ends the run.
 * An unclear one (an error, a timeout) is held until the next document: if the provider answers that, the
 * failed document is one it fails alone, recorded as tried; if it fails that too, the provider is failing and
 * the run ends, neither document held against (the next run tries them first again). A failure left unclear at
 * the run's end is the document's if the provider answered anything this run; else the run saw only failures.
 */
function failureVerdicts(logger: Logger) {
  let unclear: FailedDocument | null = null;
  let answered = false;
  const failedAlone = async (document: FailedDocument) => {
    await document.note();
    logger.warn(
      { tenant: document.tenantId, documentId: document.documentId, reason: document.reason },
      'embedding sweep could not embed a document; it is tried again behind the others',
    );
  };
  return {
    /** The provider answered for a document. */
    async answered(): Promise<void> {
      answered = true;
      const before = unclear;
      unclear = null;
      if (before) await failedAlone(before);
    },
    /** `document`: the provider answered part of it, so the failure is the document's own. */
    async failed(
      document: FailedDocument,
      whose: 'document' | 'provider' | 'unclear',
    ): Promise<'stop' | 'go on'> {
      if (whose === 'document') {
        await this.answered();
        await failedAlone(document);
        return 'go on';
      }
      if (whose === 'provider' || unclear) {
        unclear = null;
        logger.warn({ reason: document.reason }, 'embedding sweep stopped: provider failed');
        return 'stop';
      }
      unclear = document;
      return 'go on';
    },
    /** At the run's end: true when the run saw the provider fail and never answer. */
    async end(): Promise<boolean> {
      const last = unclear;
      unclear = null;
      if (!last) return false;
      if (answered) await failedAlone(last);
      return !answered;
    },
  };
}

export function createEmbeddingSweep(deps: SweepDeps, settings: SweepSettings): EmbeddingSweep {
  const { documents, gateway, tenants, logger } = deps;
  let running: Promise<SweepReport> | null = null;
  /** Set by stop(): a run going ends after the document in hand, and no new one starts. */
  let stopping = false;

  async function sweep(): Promise<SweepReport> {
    const report: SweepReport = { embedded: 0, skipped: 0, failed: false };
    const target = gateway.embeddingModelFor();
    if (stopping || !target || !documents.semantic.available) return report;
    const space = embeddingSpaceOf(target);
    const batchMs = gateway.deadlineFor('embed').budgetMs;
    const run = new Deadline(runBudgetMs(settings.documentsPerRun, batchMs));
    /** Tenants refused for a reason of their own this run: their other documents wait for the next run. */
    const refusedTenants = new Set<string>();
    const verdicts = failureVerdicts(logger);
    for (const pending of await documents.pendingEmbedding(space, settings.documentsPerRun)) {
      // A replica shutting down has a few seconds of grace; the documents left are the next run's, as are
      // those the run's budget has no time left for.
      if (stopping || !run.leavesUsefulAttempt()) break;
      if (refusedTenants.has(pending.tenantId)) {
        report.skipped += 1;
        continue;
      }
      const policy = tenants.forTenant(pending.tenantId);
      const allowed = policy.allowedProviders;
      const tenantTarget = gateway.embeddingModelFor(allowed);
      // A tenant whose policy leads elsewhere would be re-embedded every run without ever leaving the list.
      if (!tenantTarget || embeddingSpaceOf(tenantTarget) !== space) {
        report.skipped += 1;
        continue;
      }
      const stored = await documents.chunksOf(pending.tenantId, pending.documentId);
      if (!stored) {
        report.skipped += 1;
        continue;
      }
      /** The document was tried and nothing stored; `unusableIn`: the model whose vectors the store refused. */
      const noteAttempt = (unusableIn?: string) =>
        documents.noteEmbeddingAttempt(
          pending.tenantId,
          pending.documentId,
          stored.version,
          stored.chunks,
          unusableIn,
        );
      // Nothing to embed (an empty body): behind the others, so it cannot hold the head of the list.
      if (stored.chunks.length === 0) {
        await noteAttempt();
        report.skipped += 1;
        continue;
      }
      const outcome = await gateway.embed({
        tenantId: pending.tenantId,
        requestId: 'embedding-sweep',
        purpose: 'document',
        texts: stored.chunks.map((chunk) => chunk.content),
        // Each batch an embed deadline of its own: a large document's many batches fit, within the run's budget.
        deadline: new PerBatchDeadline(run.remainingMs(), batchMs),
        allowedProviders: allowed,
        redactPii: policy.guardrails.redactBeforeProvider,
        spendCaps: spendCapsOf(policy.limits),
      });
      // What the provider billed, a failure's partial batches included.
      await recordCost(
        deps,
        { tenantId: pending.tenantId, requestId: 'embedding-sweep' },
        'embedding-sweep',
        outcome.costNanos ?? 0,
      );
      if (outcome.kind === 'failed') {
        const whose = failureOf(outcome);
        if (whose === 'tenant') {
          refusedTenants.add(pending.tenantId);
          report.skipped += 1;
          logger.debug(
            { tenant: pending.tenantId, reason: outcome.reason },
            'embedding sweep skips a tenant for this run: its own limit refused it',
          );
          continue;
        }
        const failure = { ...pending, reason: outcome.reason, note: () => noteAttempt() };
        // Answered for some of the document's batches: the provider works, and failed this document alone.
        const answeredSome = whose === 'unclear' && (outcome.costNanos ?? 0) > 0;
        if ((await verdicts.failed(failure, answeredSome ? 'document' : whose)) === 'stop') {
          report.failed = true;
          break;
        }
        report.skipped += 1;
        continue;
      }
      // A fallback target answered in another space: storing it would mix spaces. The lead target failed the
      // document, which is held against it only if the lead answers others.
      if (embeddingSpaceOf(outcome) !== space) {
        const failure = { ...pending, reason: 'FALLBACK_ANSWERED', note: () => noteAttempt() };
        if ((await verdicts.failed(failure, 'unclear')) === 'stop') {
          report.failed = true;
          break;
        }
        report.skipped += 1;
        continue;
      }
      await verdicts.answered();
      let written: boolean;
      try {
        written = await documents.putEmbeddings(
          pending.tenantId,
          pending.documentId,
          stored.version,
          space,
          outcome.vectors,
          stored.chunks,
        );
      } catch (error) {
        if (!(error instanceof UnusableEmbeddingError)) throw error;
        // Paid for (recorded above), but not storable: the document stays lexical only, and is not tried in
        // this model again until a re-ingest brings new text (the same text would get the same vectors).
        await noteAttempt(space);
        logger.warn(
          { tenant: pending.tenantId, documentId: pending.documentId, model: space, problem: error.message },
          'embedding sweep skipped a document: the provider sent vectors the store cannot keep',
        );
        written = false;
      }
      if (written) report.embedded += 1;
      else report.skipped += 1;
    }
    if (await verdicts.end()) report.failed = true;
    if (report.embedded > 0 || report.failed) logger.info({ ...report, model: space }, 'embedding sweep ran');
    return report;
  }

  const runOnce = (): Promise<SweepReport> => {
    running ??= sweep().finally(() => {
      running = null;
    });
    return running;
  };

  return {
    runOnce,
    async stop() {
      stopping = true;
      await running?.catch(() => undefined);
    },
  };
}
