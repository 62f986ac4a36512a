// The background sweep's work list: documents not embedded in a model (never embedded, or embedded in another
// model) and whose vectors in it the store did not refuse (migration 016), across tenants. Row level security
// lets the app role read one tenant's documents at a time, so the tenants come from tenant_embedding_models
// (migration 005: per tenant, how many documents each model holds, kept by a trigger in the same transaction
// as the document; ids and counts only, readable by every tenant) and each tenant's documents are then read
// in its own scope.
import type { SqlDatabase } from './sql';
import { inAppRole, queryInTenantScope } from './tenant-scope';

export interface PendingDocument {
  tenantId: string;
  documentId: string;
}

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
  const perTenant: PendingDocument[][] = [];
  for (const { tenant_id: tenantId } of tenants.rows) {
    // Left out: documents whose vectors in this model the store could not keep (until a re-ingest). Behind
    // the others: those the sweep tried and stored nothing for, so the same few cannot take every run's turn.
    const documents = await queryInTenantScope<{ id: string }>(db, appRole, tenantId, {
      text: `SELECT id FROM ${schema}.documents
             WHERE tenant_id = $1 AND embedding_model IS DISTINCT FROM $2
               AND embedding_failed_model IS DISTINCT FROM $2
             ORDER BY embedding_attempted_at NULLS FIRST, updated_at, id LIMIT $3`,
      params: [tenantId, model, limit],
    });
    perTenant.push(documents.rows.map((row) => ({ tenantId, documentId: row.id })));
  }
  return roundRobin(perTenant).slice(0, limit);
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
