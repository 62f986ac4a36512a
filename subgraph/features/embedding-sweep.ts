// The embedding sweep: in the background, embeds the documents stored without vectors in the current embedding
// model — ingested while embeddings were down, or embedded in a model the route no longer leads with — a
// bounded number per run, so a re-embed of a large corpus is spread over time instead of flooding the provider.
// The work list lives in the store (pendingEmbedding), so a restart resumes where it stopped. A provider failure
// (error, timeout, open circuit, the provider's or this replica's rate) ends the run: the next run retries, by
// which time the circuit may have closed. A refusal of the tenant's own (its spend cap or rate limit) skips
// that tenant's documents for the rest of the run, so one tenant over its cap never holds up the others. A
// document tried and not stored goes behind its tenant's others in the next runs (noteEmbeddingAttempt), so a
// few that always fail cannot take every run's turn; one whose vectors the store cannot keep (a zero or
// oversized vector) is logged by id and not tried, nor paid for, in that model again until it is re-ingested.
import type { ModelGateway } from '../gateway/gateway';
import type { ModelFailure } from '../gateway/gateway-call';
import { unreachable } from '../errors/unreachable';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { UnusableEmbeddingError } from '../retrieval/store/document-store';
import type { DocumentStore } from '../retrieval/store/document-store';
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

export interface SweepReport {
  embedded: number;
  /**
   * Documents skipped: re-ingested or deleted meanwhile, the tenant's policy leads to another model, the
   * tenant's own limit refused it (then the tenant's other documents too, for this run), or the store cannot
   * keep the vectors the provider sent.
   */
  skipped: number;
  /** The run stopped early because the provider failed. */
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
 * Whether a failed embedding ends the run (the provider, its circuit, the deadline, this replica's load: every
 * tenant's next document would fail alike) or only concerns the tenant (its spend cap, its rate limit, its
 * policy, the limits it alone is checked against), whose documents are then skipped for the rest of the run.
 */
function endsTheRun(failure: ModelFailure): boolean {
  switch (failure.reason) {
    case 'PROVIDER_ERROR':
    case 'PROVIDER_TIMEOUT':
    case 'CIRCUIT_OPEN':
    case 'NO_PROVIDER_CONFIGURED':
      return true;
    // The tenant's own rate limit refuses it alone; a provider's 429 or this replica's overload are everyone's.
    case 'RATE_LIMITED':
      return failure.refusedBy !== 'rate';
    case 'BUDGET_EXCEEDED':
    case 'LIMITS_UNAVAILABLE':
    case 'PROVIDER_NOT_ALLOWED':
    case 'GUARDRAIL_REJECTED':
    case 'SEMANTIC_UNAVAILABLE':
    case 'INSUFFICIENT_CONTEXT':
    case 'NOT_FOUND':
      return false;
    default:
      return unreachable(failure.reason);
  }
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
    /** Tenants refused for a reason of their own this run: their other documents wait for the next run. */
    const refusedTenants = new Set<string>();
    for (const pending of await documents.pendingEmbedding(space, settings.documentsPerRun)) {
      // A replica shutting down has a few seconds of grace; the documents left are the next run's.
      if (stopping) break;
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
        deadline: gateway.deadlineFor('embed'),
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
        // Behind the tenant's others next run: a document the provider always refuses must not end every run.
        await noteAttempt();
        if (!endsTheRun(outcome)) {
          refusedTenants.add(pending.tenantId);
          report.skipped += 1;
          logger.debug(
            { tenant: pending.tenantId, reason: outcome.reason },
            'embedding sweep skips a tenant for this run: its own limit refused it',
          );
          continue;
        }
        logger.warn({ reason: outcome.reason, pending: report }, 'embedding sweep stopped: provider failed');
        report.failed = true;
        break;
      }
      // A fallback target answered in another space: storing it would mix spaces; a later run tries again.
      if (embeddingSpaceOf(outcome) !== space) {
        await noteAttempt();
        report.skipped += 1;
        continue;
      }
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
