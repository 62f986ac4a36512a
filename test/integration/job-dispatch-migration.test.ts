// Migration 014 (the engine job's id mirrored in job_dispatch) on a database that already holds waiting jobs,
// on both backends: each waiting job's row gets its job's engine id, so the dispatcher can send it in the
// batch that admits it; a job started after the migration is mirrored with its id by the trigger.
import { randomUUID } from 'node:crypto';
import { migrate } from '../../subgraph/retrieval/store/migrate';
import type { SqlDatabase } from '../../subgraph/retrieval/store/sql';
import { MIGRATION_BACKENDS, migrateBefore, useMigrationDatabase } from '../support/migrations';
import { requirePostgres } from '../support/services';

requirePostgres();

const ENGINE_IDS_MIGRATION = 14;

describe.each(MIGRATION_BACKENDS)('migration 014 on %s', (_backend, open, drop) => {
  const { target, db: database } = useMigrationDatabase(open, drop);
  let db: SqlDatabase;
  beforeAll(() => {
    db = database();
  });

  // As the releases before it stored a started job (the trigger of 011 mirrors it), in its tenant's scope.
  const startJob = async (tenantId: string, status: 'queued' | 'running') => {
    const job = { id: randomUUID(), queueJobId: randomUUID() };
    await db.batch([
      { text: "SELECT set_config('app.tenant_id', $1, true)", params: [tenantId] },
      {
        text: `INSERT INTO ${target.schema}.jobs (tenant_id, id, kind, status, input, queue_job_id)
               VALUES ($1, $2, 'summary', $3, '{}'::jsonb, $4)`,
        params: [tenantId, job.id, status, job.queueJobId],
      },
    ]);
    return job;
  };
  const mirrored = async () =>
    (
      await db.query<{ job_id: string; queue_job_id: string }>(
        `SELECT job_id, queue_job_id FROM ${target.schema}.job_dispatch ORDER BY job_id`,
      )
    ).rows;

  it("gives every waiting job's dispatch row its engine job id, and the trigger each one started after", async () => {
    await migrateBefore(db, target, ENGINE_IDS_MIGRATION);
    const before = [await startJob('tenant-a', 'queued'), await startJob('tenant-b', 'running')];

    const report = await migrate(db, target);
    expect(report.applied).toContain('014_job_dispatch_engine_ids.sql');

    const after = await startJob('tenant-a', 'queued');
    const expected = [...before, after]
      .map((job) => ({ job_id: job.id, queue_job_id: job.queueJobId }))
      .sort((a, b) => a.job_id.localeCompare(b.job_id));
    expect(await mirrored()).toEqual(expected);
  });
});
