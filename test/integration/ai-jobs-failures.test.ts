// A job whose run throws (not a provider failure, which degrades: an error of the service itself) is retried
// by the queue with backoff and, after its last try, is FAILED with no result: the dead-letter state. The run
// is made to throw by storing an input the feature refuses, as a release with another input shape might have.
// The last try's failure lands in pg-boss's dead-letter queue, which a runner settles (the job already FAILED,
// nothing changes), and the tenant's webhook receives one FAILED notice, not one per try or a second for the
// dead letter.
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { AI_JOB_QUERY, FAST_JOBS, START_SUMMARY_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { POSTGRES_URL } from '../support/stores';
import { eventually } from '../support/wait-for';
import { startWebhookReceiver, webhookPolicies } from '../support/webhook-receiver';
import type { WebhookReceiver } from '../support/webhook-receiver';
import { DEAD_LETTER_QUEUE, JOB_QUEUE } from '../../subgraph/jobs/job-queue';
import { queueSchemaOf } from '../../subgraph/jobs/create-jobs';

jest.setTimeout(60_000);

let queuing: Harness;
let running: Harness | undefined;
let receiver: WebhookReceiver;
let policies: string;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  policies = webhookPolicies('acme', receiver, 'whsec-failures-3f9a1c7e5b2d');
  // Queues only, so the stored input can be spoiled before any run.
  // A job's tries are fixed when it is queued: one retry after the first.
  queuing = await startHarness({
    providers: ['openai'],
    env: { ...FAST_JOBS, JOB_CONCURRENCY: '0', JOB_RETRY_LIMIT: '1', TENANT_POLICIES_JSON: policies },
  });
});
afterAll(async () => {
  await running?.stop();
  await queuing?.stop();
  await receiver?.close();
});

it('retries a run that throws, then ends FAILED after the last try, dead-lettered, notified once', async () => {
  const job = (
    await queuing
      .as('acme')
      .data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input: { text: 'A fine text to summarize.' } })
  ).startSummaryJob;
  const schema = queuing.app.config.store.schema;
  const client = new Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const spoiled = await client.query(
      `UPDATE ${schema}.jobs SET input = '{"documentId": 5}' WHERE id = $1`,
      [job.id],
    );
    expect(spoiled.rowCount).toBe(1);
  } finally {
    await client.end();
  }
  // A second replica on the same database runs it: the first try and one retry.
  running = await startHarness({
    providers: queuing.providers,
    env: {
      ...FAST_JOBS,
      DATABASE_SCHEMA: schema,
      JOB_CONCURRENCY: '1',
      JOB_RETRY_LIMIT: '1',
      TENANT_POLICIES_JSON: policies,
    },
  });
  const ended = await eventually(
    async () => {
      const read = await queuing.as('acme').data<{ aiJob: AIJob }>(AI_JOB_QUERY, { id: job.id });
      return read.aiJob.status === 'QUEUED' || read.aiJob.status === 'RUNNING' ? undefined : read.aiJob;
    },
    30_000,
    'job ended',
  );
  expect(ended).toMatchObject({ status: 'FAILED', attempts: 2, summary: null });
  expect(ended.completedAt).not.toBeNull();
  expect(queuing.providers.requestCount()).toBe(0);

  // The last try's engine job went to the dead-letter queue, where a runner settled it.
  const lettered = await eventually(
    async () => {
      const rows = await engineJobsOf(schema, job.id);
      const letter = rows.find((row) => row.name === DEAD_LETTER_QUEUE);
      return letter?.state === 'completed' ? rows : undefined;
    },
    20_000,
    'the dead letter settled',
  );
  // One engine job tried twice (a retry is the same job again), failed, then its dead letter.
  expect(lettered.filter((row) => row.name === JOB_QUEUE)).toEqual([
    expect.objectContaining({ state: 'failed', retry_count: 1 }),
  ]);
  const notices = await eventually(
    async () => (receiver.received.length > 0 ? receiver.received : undefined),
    20_000,
    'the FAILED notice',
  );
  // Past another poll and retry delay: the dead letter's settling sent no second notice.
  await sleep(1_500);
  expect(notices).toHaveLength(1);
  expect(JSON.parse(notices[0]!.body)).toMatchObject({ id: job.id, status: 'FAILED', attempts: 2 });
  const metrics = await running.metrics();
  expect(metrics.value('ai_jobs_total', { kind: 'summary', outcome: 'started' })).toBe(2);
  expect(metrics.value('ai_jobs_total', { kind: 'summary', outcome: 'retried' })).toBe(1);
  expect(metrics.value('ai_jobs_total', { kind: 'summary', outcome: 'failed' })).toBe(1);
});

/** pg-boss's own rows about the job (its runs, dead letter, notices), live or archived: queue and state. */
async function engineJobsOf(
  schema: string,
  jobId: string,
): Promise<{ name: string; state: string; retry_count: number }[]> {
  const client = new Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const boss = queueSchemaOf(schema);
    const result = await client.query<{ name: string; state: string; retry_count: number }>(
      `SELECT name, state, retry_count FROM ${boss}.job WHERE data->>'jobId' = $1
       UNION ALL
       SELECT name, state, retry_count FROM ${boss}.archive WHERE data->>'jobId' = $1`,
      [jobId],
    );
    return result.rows;
  } finally {
    await client.end();
  }
}
