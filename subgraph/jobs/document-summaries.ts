// Document summaries made in the background (ingestDocument with summarize: true), in `document_summaries`
// (migration 012), read and written inside the tenant's scope. The request is written with the job, the result
// in the transaction that completes the job, and a stored summary is served only while the document is still
// at the version it was asked for: a re-ingest makes it stale at once, without any clean-up. The job itself
// runs only while it is still asked for (isAsked): a document deleted or changed since has nothing to gain.
// And it ends so only while still asked for: the statement that stores its summary, in the transaction that
// completes it, ends it CANCELLED with no result instead when the document was deleted or changed during the
// run, so the deleted document's text is never readable from the job (completeStatement).
// A summary job of a stored document started directly (startSummaryJob { documentId }) keeps nothing here, but
// is held to the same rule: the document's version when it was started is pinned in its input (pin), its run
// checks it first (isCurrent) and the transaction completing it checks it again, so that a document deleted or
// ingested again with other content before the job ends leaves no summary of its old text readable from
// aiJob for JOB_RETENTION_DAYS (a job of a document that did not exist when started pins nothing: NOT_FOUND).
import type { SummarizeOutcome } from '../features/feature-result';
import type { SummarizeInput } from '../features/inputs';
import { queryInTenantScope } from '../retrieval/store/tenant-scope';
import type { SqlDatabase, SqlExecutor, SqlStatement } from '../retrieval/store/sql';
import type { FinishedJob } from './job-store-types';

export interface DocumentSummaries {
  /** Inside the job's own transaction: ties job `jobId` to the document's current version. */
  request(tx: SqlExecutor, tenantId: string, documentId: string, jobId: string): Promise<void>;
  /**
   * The statement storing a job's summary where the job was requested so, for the batch that completes the job
   * (JobStoreOptions.finishing), after the update that completed it; null when the end keeps nothing. For a
   * summary kept with its document (keptSummaryInput), it ends the job CANCELLED with no result instead when
   * the job is no longer asked for (isAsked), in that same transaction; for a direct summary pinned to its
   * document's version (pin), when the document is gone or at another version. The runner reads such a job
   * again to learn which end it got (endsWithDocument).
   */
  completeStatement(job: FinishedJob): SqlStatement | null;
  /**
   * The stored summaries of the documents at their current versions, in the order asked (null where there is
   * none yet): one query for a whole batch of entities.
   */
  findMany(tenantId: string, documentIds: readonly string[]): Promise<(SummarizeOutcome | null)[]>;
  /**
   * Whether job `jobId`'s summary is still wanted: its document's row still names it, at the document's current
   * version. Deleting the document deletes the row (so a document created again under its id is not the one
   * asked about); a re-ingest changes the version, and one with summarize names its own job.
   */
  isAsked(tenantId: string, jobId: string): Promise<boolean>;
  /**
   * The job whose summary of the document, at its current version, is stored or still to come (the job queued
   * or running); null when none is (never asked, asked of another version, or its job ended without one). An
   * ingest of the same document again (version unchanged) with summarize answers with it, queuing nothing.
   */
  keptJob(tenantId: string, documentId: string): Promise<string | null>;
  /**
   * Inside the transaction that started job `jobId` (a summary of a stored document asked for directly): pins
   * the document's current version in the job's input (pinnedDocument); nothing where there is no such document.
   */
  pin(tx: SqlExecutor, tenantId: string, jobId: string, documentId: string): Promise<void>;
  /** Whether the pinned document is still there at the version pinned. */
  isCurrent(tenantId: string, pinned: PinnedDocument): Promise<boolean>;
}

/** The document a direct summary job is of, at the version it had when the job was started. */
export interface PinnedDocument {
  documentId: string;
  version: number;
}

/**
 * The input of a job whose summary is kept with its document: marked, so its run checks isAsked first, and its
 * end again (completeStatement).
 */
export const keptSummaryInput = (input: SummarizeInput) => ({ ...input, keptWithDocument: true });

export const isKeptSummary = (input: unknown): boolean =>
  typeof input === 'object' &&
  input !== null &&
  (input as { keptWithDocument?: unknown }).keptWithDocument === true;

/** The document and version pinned in a direct summary job's input (pin); null for any other job. */
export function pinnedDocument(input: unknown): PinnedDocument | null {
  if (typeof input !== 'object' || input === null || isKeptSummary(input)) return null;
  const { documentId, documentVersion } = input as { documentId?: unknown; documentVersion?: unknown };
  return typeof documentId === 'string' && typeof documentVersion === 'number'
    ? { documentId, version: documentVersion }
    : null;
}

/**
 * Whether the job's end depends on its document (kept with it, or pinned to a version): the transaction that
 * completes it may end it CANCELLED instead, so the runner reads it again to learn which end it got.
 */
export const endsWithDocument = (input: unknown): boolean =>
  isKeptSummary(input) || pinnedDocument(input) !== null;

/** A document's summary was asked for (startDocumentSummary's input), not one of a text given with the job. */
const isDocumentRequest = (input: unknown): boolean =>
  typeof input === 'object' &&
  input !== null &&
  typeof (input as { documentId?: unknown }).documentId === 'string';

export function createDocumentSummaries(
  db: SqlDatabase,
  options: { schema: string; appRole: string },
): DocumentSummaries {
  const table = `${options.schema}.document_summaries`;
  const documents = `${options.schema}.documents`;
  const jobs = `${options.schema}.jobs`;
  return {
    async request(tx, tenantId, documentId, jobId) {
      await tx.query(
        `INSERT INTO ${table} (tenant_id, document_id, document_version, job_id)
         SELECT tenant_id, id, version, $3 FROM ${documents} WHERE tenant_id = $1 AND id = $2
         ON CONFLICT (tenant_id, document_id) DO UPDATE
         SET document_version = EXCLUDED.document_version, job_id = EXCLUDED.job_id,
             summary = NULL, completed_at = NULL`,
        [tenantId, documentId, jobId],
      );
    },
    completeStatement(job) {
      if (job.status !== 'completed') return null;
      // Only a full summary is kept: a degraded one (the extractive floor) is no better than what the read
      // path computes, and would hide a model summary the next read could get.
      const result = job.result as { kind?: unknown } | null;
      const summary = result?.kind === 'full' ? JSON.stringify(job.result) : null;
      // Stored only where the statement before it in the batch completed a summary job (completed_at is that
      // transaction's now()): a run whose claim no longer held stores nothing.
      const completedHere = `EXISTS (SELECT 1 FROM ${jobs} j WHERE j.tenant_id = $1 AND j.id = $2
                               AND j.kind = 'summary' AND j.status = 'completed' AND j.completed_at = now())`;
      const pinned = pinnedDocument(job.input);
      if (pinned) {
        // The pinned document still there at its version, its row locked until the commit (as for a kept
        // summary): else the job this batch completed ends CANCELLED with no result. Nothing is stored here.
        return {
          text: `WITH current AS (
                   SELECT 1 FROM ${documents} d
                   WHERE d.tenant_id = $1 AND d.id = $3 AND d.version = $4
                   FOR SHARE OF d
                 )
                 UPDATE ${jobs} SET status = 'cancelled', result = NULL
                 WHERE tenant_id = $1 AND id = $2 AND kind = 'summary' AND status = 'completed'
                   AND completed_at = now() AND NOT EXISTS (SELECT 1 FROM current)`,
          params: [job.tenantId, job.id, pinned.documentId, pinned.version],
        };
      }
      if (!isKeptSummary(job.input)) {
        if (summary === null || !isDocumentRequest(job.input)) return null;
        return {
          text: `UPDATE ${table} SET summary = $3::jsonb, completed_at = now()
                 WHERE tenant_id = $1 AND job_id = $2 AND ${completedHere}`,
          params: [job.tenantId, job.id, summary],
        };
      }
      // Still asked for (isAsked's query), its document's row locked until the commit: a delete or a re-ingest
      // running now waits for this transaction, or (committed first) leaves no row here. Asked: the summary is
      // stored. Not asked: the job this batch completed ends CANCELLED with no result, nothing stored.
      return {
        text: `WITH asked AS (
                 SELECT s.document_id FROM ${table} s
                 JOIN ${documents} d ON d.tenant_id = s.tenant_id AND d.id = s.document_id
                 WHERE s.tenant_id = $1 AND s.job_id = $2 AND s.document_version = d.version
                 FOR SHARE OF d
               ),
               unwanted AS (
                 UPDATE ${jobs} SET status = 'cancelled', result = NULL
                 WHERE tenant_id = $1 AND id = $2 AND kind = 'summary' AND status = 'completed'
                   AND completed_at = now() AND NOT EXISTS (SELECT 1 FROM asked)
                 RETURNING id
               )
               UPDATE ${table} SET summary = $3::jsonb, completed_at = now()
               WHERE tenant_id = $1 AND job_id = $2 AND $3::jsonb IS NOT NULL
                 AND document_id IN (SELECT document_id FROM asked) AND ${completedHere}`,
        params: [job.tenantId, job.id, summary],
      };
    },
    async findMany(tenantId, documentIds) {
      const result = await queryInTenantScope<{ document_id: string; summary: SummarizeOutcome }>(
        db,
        options.appRole,
        tenantId,
        {
          text: `SELECT s.document_id, s.summary FROM ${table} s
                 JOIN ${documents} d ON d.tenant_id = s.tenant_id AND d.id = s.document_id
                 WHERE s.tenant_id = $1 AND s.document_id = ANY($2::text[]) AND s.summary IS NOT NULL
                   AND s.document_version = d.version`,
          params: [tenantId, [...documentIds]],
        },
      );
      const found = new Map(result.rows.map((row) => [row.document_id, row.summary]));
      return documentIds.map((id) => found.get(id) ?? null);
    },
    async isAsked(tenantId, jobId) {
      const result = await queryInTenantScope(db, options.appRole, tenantId, {
        text: `SELECT 1 FROM ${table} s
               JOIN ${documents} d ON d.tenant_id = s.tenant_id AND d.id = s.document_id
               WHERE s.tenant_id = $1 AND s.job_id = $2 AND s.document_version = d.version`,
        params: [tenantId, jobId],
      });
      return result.rows.length > 0;
    },
    async keptJob(tenantId, documentId) {
      const result = await queryInTenantScope<{ job_id: string }>(db, options.appRole, tenantId, {
        text: `SELECT s.job_id FROM ${table} s
               JOIN ${documents} d ON d.tenant_id = s.tenant_id AND d.id = s.document_id
               LEFT JOIN ${jobs} j ON j.tenant_id = s.tenant_id AND j.id = s.job_id
               WHERE s.tenant_id = $1 AND s.document_id = $2 AND s.document_version = d.version
                 AND (s.summary IS NOT NULL OR j.status IN ('queued', 'running'))`,
        params: [tenantId, documentId],
      });
      return result.rows[0]?.job_id ?? null;
    },
    async pin(tx, tenantId, jobId, documentId) {
      await tx.query(
        `UPDATE ${jobs} j SET input = j.input || jsonb_build_object('documentVersion', d.version)
         FROM ${documents} d
         WHERE j.tenant_id = $1 AND j.id = $2 AND d.tenant_id = $1 AND d.id = $3`,
        [tenantId, jobId, documentId],
      );
    },
    async isCurrent(tenantId, pinned) {
      const result = await queryInTenantScope(db, options.appRole, tenantId, {
        text: `SELECT 1 FROM ${documents} WHERE tenant_id = $1 AND id = $2 AND version = $3`,
        params: [tenantId, pinned.documentId, pinned.version],
      });
      return result.rows.length > 0;
    },
  };
}
