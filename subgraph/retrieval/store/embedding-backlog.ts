// The background sweep's work list: documents not embedded in a model (never embedded, or embedded in another
// model) and whose vectors in it the store did not refuse (migration 016), across tenants. Row level security
// lets the app role read one tenant's documents at a time, so the tenants come from tenant_embedding_models
// (migration 005: per tenant, how many documents each model holds, kept by a trigger in the same transaction
// as the document; ids and counts only, readable by every tenant) and each tenant's documents are then read
// in its own scope.
//
// Backoff (migration 018): a document the sweep tried and could store nothing for (its own failure, not the
// provider's: embedding-sweep.ts) comes behind every tenant's documents that have not failed, so a few that
// always fail neither take a run's turn from the others nor hold the head of the list; after
// TRIES_BEFORE_LONG_WAIT failed tries in a row it is tried once per LONG_WAIT_SECONDS at most, until a
// re-ingest (new text) starts its count again.
import type { SqlDatabase } from './sql';
import { inAppRole, queryInTenantScope } from './tenant-scope';

export interface PendingDocument {
  tenantId: string;
  documentId: string;
}

/** Failed tries in a row after which a document waits LONG_WAIT_SECONDS between tries. */
export const TRIES_BEFORE_LONG_WAIT = 3;
/** A day: what a document that failed TRIES_BEFORE_LONG_WAIT times waits between tries. */
export const LONG_WAIT_SECONDS = 24 * 60 * 60;

export async function pendingEmbedding(
  db: SqlDatabase,
  options: { schema: string; appRole: string },
  model: string,
  limit: number,
): Promise<PendingDocument[]> {
  const { schema, appRole } = options;
  if (limit <= 0) return [];
  // A random order of tenants, so a tenant with a long backlog does not starve the others across sweeps.
  const tenants = await inAppRole(db, appRole, (tx) =>
    tx.query<{ tenant_id: string }>(
      `SELECT tenant_id FROM ${schema}.tenant_embedding_models
         WHERE model <> $1 AND documents > 0 GROUP BY tenant_id ORDER BY random() LIMIT $2`,
      [model, limit],
    ),
  );
  /** Per tenant: its documents not failed, then those that failed (fewest failures, longest ago first). */
  const fresh: PendingDocument[][] = [];
  const failed: PendingDocument[][] = [];
  for (const { tenant_id: tenantId } of tenants.rows) {
    // Left out: documents whose vectors in this model the store could not keep (until a re-ingest), and those
    // waiting out their long wait.
    const documents = await queryInTenantScope<{ id: string; failures: number }>(db, appRole, tenantId, {
      text: `SELECT id, embedding_failures AS failures FROM ${schema}.documents
             WHERE tenant_id = $1 AND embedding_model IS DISTINCT FROM $2
               AND embedding_failed_model IS DISTINCT FROM $2
               AND (embedding_failures < $4 OR embedding_attempted_at <= now() - make_interval(secs => $5))
             ORDER BY embedding_failures, embedding_attempted_at NULLS FIRST, updated_at, id LIMIT $3`,
      params: [tenantId, model, limit, TRIES_BEFORE_LONG_WAIT, LONG_WAIT_SECONDS],
    });
    const of = (rows: readonly { id: string }[]) => rows.map((row) => ({ tenantId, documentId: row.id }));
    fresh.push(of(documents.rows.filter((row) => Number(row.failures) === 0)));
    failed.push(of(documents.rows.filter((row) => Number(row.failures) > 0)));
  }
  // A failed document's turn comes after every other tenant's documents that have not failed.
  return [...roundRobin(fresh), ...roundRobin(failed)].slice(0, limit);
}

/** One from each list in turn: every tenant with work gets some of a sweep's limit. */
function roundRobin<T>(lists: readonly T[][]): T[] {
  const merged: T[] = [];
  const longest = Math.max(0, ...lists.map((list) => list.length));
  for (let index = 0; index < longest; index += 1) {
    for (const list of lists) {
      const item = list[index];
      if (item !== undefined) merged.push(item);
    }
  }
  return merged;
}
