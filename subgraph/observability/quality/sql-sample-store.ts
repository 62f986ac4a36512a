// Kept samples in the SQL store (migration 009_samples.sql), on PGlite and PostgreSQL alike. Every statement of
// a tenant runs in its scope under row level security; the expiry sweep runs as the app role with no tenant,
// where the table's delete-only policy for expired rows is all it can touch. Expiry is judged by the database's
// clock: reads skip expired rows whether or not the sweep has run yet.
import type { DegradationReason } from '../../gateway/degradation-reason';
import type { SqlDatabase } from '../../retrieval/store/sql';
import { inAppRole, queryInTenantScope } from '../../retrieval/store/tenant-scope';
import { perTenantStatements, valuesRows } from '../../retrieval/store/tenant-rows';
import type { NewSample, SampleOutcome, SampleStore, StoredSample } from './sample-store';

export interface SqlSampleTarget {
  /** A validated SQL identifier (the store's config): interpolated, never a parameter. */
  schema: string;
  appRole: string;
}

interface SampleRow {
  sample_id: string;
  request_id: string;
  feature: string;
  created_at: Date | string;
  input: string;
  chunk_ids: string[];
  output: string;
  outcome: SampleOutcome;
  reason: DegradationReason | null;
  grounding: number | string | null;
  citations_valid: boolean | null;
  abstained: boolean | null;
  graded_at: Date | string | null;
}

function sampleOf(row: SampleRow): StoredSample {
  return {
    sampleId: row.sample_id,
    requestId: row.request_id,
    feature: row.feature,
    createdAt: new Date(row.created_at),
    input: row.input,
    chunkIds: row.chunk_ids,
    output: row.output,
    outcome: row.outcome,
    reason: row.reason,
    quality:
      row.graded_at === null
        ? null
        : {
            grounding: row.grounding === null ? null : Number(row.grounding),
            citationsValid: row.citations_valid,
            abstained: row.abstained ?? false,
          },
  };
}

const PARAMS_PER_ROW = 15;

function rowParams(sample: NewSample): unknown[] {
  return [
    sample.tenantId,
    sample.sampleId,
    sample.requestId,
    sample.feature,
    sample.createdAt.toISOString(),
    sample.retentionDays,
    sample.input,
    [...sample.chunkIds],
    sample.output,
    sample.outcome,
    sample.reason,
    sample.quality?.grounding ?? null,
    sample.quality?.citationsValid ?? null,
    sample.quality?.abstained ?? null,
    Boolean(sample.quality),
  ];
}

export function createSqlSampleStore(db: SqlDatabase, { schema, appRole }: SqlSampleTarget): SampleStore {
  const table = `${schema}.samples`;
  // One row's values; `n` is the row's first parameter. Rows of one tenant go in one INSERT (rowsInsert).
  const rowValues = (n: number) => `($${n}, $${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}::timestamptz,
      $${n + 4}::timestamptz + make_interval(days => $${n + 5}::integer), $${n + 6}, $${n + 7}::text[], $${n + 8},
      $${n + 9}, $${n + 10}, $${n + 11}::double precision, $${n + 12}::boolean, $${n + 13}::boolean,
      CASE WHEN $${n + 14}::boolean THEN now() END)`;
  const rowsInsert = (count: number) => `
    INSERT INTO ${table} (tenant_id, sample_id, request_id, feature, created_at, expires_at, input, chunk_ids,
      output, outcome, reason, grounding, citations_valid, abstained, graded_at)
    VALUES ${valuesRows(count, PARAMS_PER_ROW, rowValues)}`;
  const update = `
    UPDATE ${table} SET grounding = $3, citations_valid = $4, abstained = $5, graded_at = now()
    WHERE tenant_id = $1 AND sample_id = $2`;
  const select = `
    SELECT sample_id, request_id, feature, created_at, input, chunk_ids, output, outcome, reason, grounding,
      citations_valid, abstained, graded_at
    FROM ${table}
    WHERE tenant_id = $1 AND expires_at > now() AND created_at > now() - make_interval(days => $3)
    ORDER BY created_at DESC, sample_id DESC
    LIMIT $2`;
  // No WHERE on purpose: one that reads a column would hold the rows to the tenant's SELECT policy, under which
  // a sweep with no tenant sees nothing. The delete-only policy alone picks the expired rows.
  const sweep = `DELETE FROM ${table}`;

  // Each tenant's rows in its own scope, every tenant's in the one transaction of one batch.
  const putAll = async (samples: readonly NewSample[]) => {
    const statements = perTenantStatements(appRole, samples, (rows) => ({
      text: rowsInsert(rows.length),
      params: rows.flatMap(rowParams),
    }));
    if (statements.length > 0) await db.batch(statements);
  };

  return {
    put: (sample) => putAll([sample]),
    putAll,
    async grade(tenantId, sampleId, grade) {
      await queryInTenantScope(db, appRole, tenantId, {
        text: update,
        params: [tenantId, sampleId, grade.grounding, grade.citationsValid, grade.abstained],
      });
    },
    async recent(tenantId, limit, retentionDays) {
      const { rows } = await queryInTenantScope<SampleRow>(db, appRole, tenantId, {
        text: select,
        params: [tenantId, limit, retentionDays],
      });
      return rows.map(sampleOf);
    },
    async sweepExpired() {
      await inAppRole(db, appRole, (tx) => tx.query(sweep));
    },
  };
}
