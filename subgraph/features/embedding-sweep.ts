// The embedding sweep: in the background, embeds the documents stored without vectors in the current embedding
// model — ingested while embeddings were down, or embedded in a model the route no longer leads with — a
// bounded number per run, so a re-embed of a large corpus is spread over time instead of flooding the provider.
// The work list lives in the store (pendingEmbedding), so a restart resumes where it stopped. A provider failure
// ends the run: the next run retries, by which time the circuit may have closed.
import type { ModelGateway } from '../gateway/gateway';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
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
  /** Documents skipped: re-ingested or deleted meanwhile, or the tenant's policy leads to another model. */
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
    for (const pending of await documents.pendingEmbedding(space, settings.documentsPerRun)) {
      // A replica shutting down has a few seconds of grace; the documents left are the next run's.
      if (stopping) break;
      const policy = tenants.forTenant(pending.tenantId);
      const allowed = policy.allowedProviders;
      const tenantTarget = gateway.embeddingModelFor(allowed);
      // A tenant whose policy leads elsewhere would be re-embedded every run without ever leaving the list.
      if (!tenantTarget || embeddingSpaceOf(tenantTarget) !== space) {
        report.skipped += 1;
        continue;
      }
      const stored = await documents.chunksOf(pending.tenantId, pending.documentId);
      if (!stored || stored.chunks.length === 0) {
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
      if (outcome.kind === 'embedded')
        await recordCost(
          deps,
          { tenantId: pending.tenantId, requestId: 'embedding-sweep' },
          'embedding-sweep',
          outcome.costNanos,
        );
      if (outcome.kind === 'failed') {
        logger.warn({ reason: outcome.reason, pending: report }, 'embedding sweep stopped: provider failed');
        report.failed = true;
        break;
      }
      // A fallback target answered in another space: storing it would mix spaces; the next run tries again.
      if (embeddingSpaceOf(outcome) !== space) {
        report.skipped += 1;
        continue;
      }
      const written = await documents.putEmbeddings(
        pending.tenantId,
        pending.documentId,
        stored.version,
        space,
        outcome.vectors,
      );
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
