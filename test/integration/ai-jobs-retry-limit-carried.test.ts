// Finding: a job put back into the queue without running (its tenant at jobs.maxRunning, "busy"; a duplicate
// of a held job; a hand-back at shutdown) went back as a fresh pg-boss job whose retry count was 0, so a job
// that failed, then found its tenant busy, got its whole retry limit again: one that fails after paying for its
// model call, and meets a busy tenant between tries, was tried without end. Now the job put back keeps the tries
// it had left, and the dead-letter limit counts real tries.
// On PostgreSQL: the job's run throws (its stored input spoiled, as ai-jobs-failures does); after its first try
// the tenant is made busy by another job of its own holding a live claim until the retry has been put back
// ("busy"), then that claim lapses and the job runs again. With JOB_RETRY_LIMIT 1 it ends FAILED after 2
// tries, not 3.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { AI_JOB_QUERY, FAST_JOBS, START_SUMMARY_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { POSTGRES_URL } from '../support/stores';
import { eventually } from '../support/wait-for';

jest.setTimeout(60_000);

const TENANT = `retry-carry-${process.pid}`;
const RETRY_LIMIT = 1;
const env = {
  ...FAST_JOBS,
  // The retry comes 2 to 4 s after the first try: time enough to make the tenant busy before it, even loaded.
  JOB_RETRY_DELAY_SECONDS: '2',
  JOB_RETRY_LIMIT: String(RETRY_LIMIT),
  TENANT_POLICIES_JSON: JSON.stringify({ tenants: { [TENANT]: { jobs: { maxRunning: 1 } } } }),
};

let queuing: Harness;
let running: Harness | undefined;
let client: Client;

beforeAll(async () => {
  client = new Client({ connectionString: POSTGRES_URL });
  await client.connect();
  // Queues only, so the stored input can be spoiled before any run.
  queuing = await startHarness({ providers: ['openai'], env: { ...env, JOB_CONCURRENCY: '0' } });
});
afterAll(async () => {
  await running?.stop();
  await queuing?.stop();
  await client?.end();
});

it('a job put back while its tenant is busy keeps its tries: FAILED after retryLimit + 1 tries', async () => {
  const schema = queuing.app.config.store.schema;
  const job = (
    await queuing
      .as(TENANT)
      .data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input: { text: 'A text to summarize.' } })
  ).startSummaryJob;
  await client.query(`UPDATE ${schema}.jobs SET input = '{"documentId": 5}' WHERE id = $1`, [job.id]);
  running = await startHarness({
    providers: queuing.providers,
    env: { ...env, DATABASE_SCHEMA: schema, JOB_CONCURRENCY: '1' },
  });

  // The first try has failed: the job waits out its retry's backoff (at least 2 s).
  await eventually(
    async () => {
      const row = await client.query<{ status: string; attempts: number }>(
        `SELECT status, attempts FROM ${schema}.jobs WHERE id = $1`,
        [job.id],
      );
      return row.rows[0]?.attempts === 1 && row.rows[0].status === 'queued' ? true : undefined;
    },
    10_000,
    'the first try failed',
  );
  // Another job of the tenant holds a live claim: the retry finds the tenant at its maxRunning (1). Marked
  // admitted, so the dispatcher never gives it an engine job of its own.
  const busy = randomUUID();
  await client.query(
    `INSERT INTO ${schema}.jobs (tenant_id, id, kind, status, attempts, input, queue_job_id, claim_id,
                                 claim_expires_at, started_at)
     VALUES ($1, $2, 'summary', 'running', 1, '{}'::jsonb, $3, $4, now() + interval '1 minute', now())`,
    [TENANT, busy, randomUUID(), randomUUID()],
  );
  await client.query(`UPDATE ${schema}.job_dispatch SET admitted = true WHERE job_id = $1`, [busy]);
  // Once the retry has been put back for the busy tenant (a second engine job of the job), the other job's
  // claim lapses, and the job runs again.
  await eventually(
    async () => ((await engineJobCount(schema, job.id)) > 1 ? true : undefined),
    15_000,
    'the retry put back for the busy tenant',
  );
  await client.query(`UPDATE ${schema}.jobs SET claim_expires_at = now() WHERE id = $1`, [busy]);

  const ended = await eventually(
    async () => {
      const read = await queuing.as(TENANT).data<{ aiJob: AIJob }>(AI_JOB_QUERY, { id: job.id });
      return read.aiJob.status === 'QUEUED' || read.aiJob.status === 'RUNNING' ? undefined : read.aiJob;
    },
    20_000,
    'the job ended',
  );
  expect(ended).toMatchObject({ status: 'FAILED', summary: null });
  expect(ended.attempts).toBeLessThanOrEqual(RETRY_LIMIT + 1);
});

/** The engine jobs (live or archived) pg-boss has had for the job: one more each time it was put back. */
async function engineJobCount(schema: string, jobId: string): Promise<number> {
  const result = await client.query<{ count: string }>(
    `SELECT count(*) FROM (SELECT id FROM ${schema}_queue.job WHERE name = 'ai-jobs' AND data->>'jobId' = $1
                           UNION ALL
                           SELECT id FROM ${schema}_queue.archive WHERE name = 'ai-jobs' AND data->>'jobId' = $1) j`,
    [jobId],
  );
  return Number(result.rows[0]?.count);
}
