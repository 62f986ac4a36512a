// Rows of several tenants written in one batch: each tenant's rows in one multi-row statement under its own scope
// (tenant-scope.ts), every tenant's in the batch's one transaction. The kept samples and the usage ledger's
// group commit write this way.
import type { SqlStatement } from './sql';
import { tenantScopeStatement } from './tenant-scope';

/**
 * The VALUES list of `count` rows of `perRow` parameters each: `rowValues(first)` writes one row whose first
 * parameter is `$first`.
 */
export function valuesRows(count: number, perRow: number, rowValues: (first: number) => string): string {
  return Array.from({ length: count }, (_, row) => rowValues(row * perRow + 1)).join(', ');
}

/**
 * Each tenant's scope followed by `statementFor` its rows: tenants in the order first met, each tenant's rows in
 * the order they came.
 */
export function perTenantStatements<Row extends { tenantId: string }>(
  appRole: string,
  rows: readonly Row[],
  statementFor: (rows: Row[]) => SqlStatement,
): SqlStatement[] {
  const tenants = new Map<string, Row[]>();
  for (const row of rows) {
    const ofTenant = tenants.get(row.tenantId);
    if (ofTenant) ofTenant.push(row);
    else tenants.set(row.tenantId, [row]);
  }
  return [...tenants].flatMap(([tenantId, ofTenant]) => [
    tenantScopeStatement(appRole, tenantId),
    statementFor(ofTenant),
  ]);
}
