// Whether a tenant has any vector to compare a query's with (DocumentStore.hasVectors): one probe of an index, in
// the tenant's scope, with the tenants seen with vectors remembered so most searches skip the probe.
import { LRUCache } from 'lru-cache';
import type { SqlDatabase } from './sql';
import { queryInTenantScope } from './tenant-scope';

export interface TenantVectors {
  has(tenantId: string): Promise<boolean>;
  /** The tenant has just stored vectors (an ingest with embeddings). */
  saw(tenantId: string): void;
}

export function tenantVectors(
  db: SqlDatabase,
  { schema, appRole }: { schema: string; appRole: string },
): TenantVectors {
  // Only "has" is remembered: a tenant without vectors gains them at any time (the sweep, another replica's
  // ingest). One that lost its last (every document deleted or re-ingested) is not worth a probe per search
  // either: its query embedding finds no vector, and the search says so; the entry expires after a minute.
  const withVectors = new LRUCache<string, true>({ max: 10_000, ttl: 60_000 });
  return {
    async has(tenantId) {
      if (withVectors.has(tenantId)) return true;
      const result = await queryInTenantScope<{ present: boolean }>(db, appRole, tenantId, {
        text: `SELECT EXISTS (SELECT 1 FROM ${schema}.chunk_embeddings WHERE tenant_id = $1) AS present`,
        params: [tenantId],
      });
      const present = result.rows[0]?.present === true;
      if (present) withVectors.set(tenantId, true);
      return present;
    },
    saw: (tenantId) => void withVectors.set(tenantId, true),
  };
}
