// A job whose run throws (not a provider failure, which degrades: an error of the service itself) is retried
// by the queue with backoff and, after its last try, is FAILED with no result: the dead-letter state. The run
// is made to throw by storing an input the feature refuses, as a release with another input shape might have.
import { Client } from 'pg';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { AI_JOB_QUERY, FAST_JOBS, START_SUMMARY_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { POSTGRES_URL } from '../support/stores';
import { eventually } from '../support/wait-for';

jest.setTimeout(60_000);

let queuing: Harness;
let running: Harness | undefined;

beforeAll(async () => {
  // Queues only, so the stored input can be spoiled before any run.
  // A job's tries are fixed when it is queued: one retry after the first.
  queuing = await startHarness({
    providers: ['openai'],
    env: { ...FAST_JOBS, JOB_CONCURRENCY: '0', JOB_RETRY_LIMIT: '1' },
  });
});
afterAll(async () => {
  await running?.stop();
  await queuing?.stop();
});

it('retries a run that throws, then ends FAILED after the last try, with no result', async () => {
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
    env: { ...FAST_JOBS, DATABASE_SCHEMA: schema, JOB_CONCURRENCY: '1', JOB_RETRY_LIMIT: '1' },
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
});
