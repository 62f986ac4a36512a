// Runs work inside a transaction as the non-owner app role with the tenant set LOCAL, so row level security
// holds even for a query that forgets its WHERE on the tenant.
import type { SqlDatabase, SqlExecutor, SqlStatement, SqlTransaction, TransactionMode } from './sql';

/**
 * The first statement of a tenant's transaction: the app role and the tenant set LOCAL. With `lockKey`, the same
 * round trip also takes that transaction-scoped advisory lock (a tenant's limit checks, job-store.ts).
 */
export function tenantScopeStatement(appRole: string, tenantId: string, lockKey?: string): SqlStatement {
  const scope = "SELECT set_config('role', $1, true), set_config('app.tenant_id', $2, true)";
  return lockKey === undefined
    ? { text: scope, params: [appRole, tenantId] }
    : { text: `${scope}, pg_advisory_xact_lock(hashtext($3))`, params: [appRole, tenantId, lockKey] };
}

/**
 * Back to the role the connection logged in as, for the rest of the transaction: for tables that are not the
 * tenant's (the job engine's), written after the tenant's own in the same transaction.
 */
export const CONNECTING_ROLE: SqlStatement = { text: "SELECT set_config('role', 'none', true)" };

export function inTenantScope<T>(
  db: SqlDatabase,
  appRole: string,
  tenantId: string,
  work: (tx: SqlTransaction) => Promise<T>,
  mode: TransactionMode = 'read-write',
): Promise<T> {
  return db.transaction(async (tx) => {
    // set_config(..., true) is SET LOCAL: both end with the transaction, so a pooled connection keeps nothing.
    const { text, params } = tenantScopeStatement(appRole, tenantId);
    await tx.query(text, params);
    return work(tx);
  }, mode);
}

/**
 * One statement in the tenant's scope, as inTenantScope would run it, sent as one batch: on PostgreSQL the
 * scope, the statement and the commit share one round trip (four when the caller awaits each), on PGlite one
 * message. A single statement reads one snapshot, so it needs no read-only snapshot transaction around it.
 */
export async function queryInTenantScope<Row>(
  db: SqlDatabase,
  appRole: string,
  tenantId: string,
  statement: SqlStatement,
): Promise<{ rows: Row[] }> {
  const [, result] = await db.batch([tenantScopeStatement(appRole, tenantId), statement]);
  return { rows: (result?.rows ?? []) as Row[] };
}

/**
 * Runs work as the app role with no tenant set: every tenant-isolated table then shows no row at all, except
 * where a policy deliberately lets every tenant read (the tenant ids of the embedding backlog).
 */
export function inAppRole<T>(
  db: SqlDatabase,
  appRole: string,
  work: (tx: SqlExecutor) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT set_config('role', $1, true)", [appRole]);
    return work(tx);
  });
}
