// A run's end and its pg-boss job's completion commit together, in the batch that ends the job (or, for a tenant
// with a webhook, in the transaction that also queues the notice): once the job reads COMPLETED, its engine job
// is completed too, never left active for the engine's expiry to take back and run again.
import { Client } from 'pg';
import { queueSchemaOf } from '../../subgraph/jobs/create-jobs';
import { JOB_QUEUE } from '../../subgraph/jobs/job-queue';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { AI_JOB_QUERY, FAST_JOBS, START_SUMMARY_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { POSTGRES_URL } from '../support/stores';
import { eventually } from '../support/wait-for';
import { startWebhookReceiver, webhookPolicies } from '../support/webhook-receiver';
import type { WebhookReceiver } from '../support/webhook-receiver';

jest.setTimeout(60_000);

const TEXT =
  'The harbour office opens at seven. Ferries leave twice a day in summer. Tickets are sold at the pier.';

let harness: Harness;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  harness = await startHarness({
    providers: ['openai'],
    env: {
      ...FAST_JOBS,
      TENANT_POLICIES_JSON: webhookPolicies('hooked', receiver, 'whsec-engine-7c1e9a3f5d'),
    },
  });
});
afterAll(async () => {
  await harness?.stop();
  await receiver?.close();
});

/** The states of the engine's jobs that ran job `jobId` (live or archived). */
async function engineStates(jobId: string): Promise<string[]> {
  const boss = queueSchemaOf(harness.app.config.store.schema);
  const client = new Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ state: string }>(
      `SELECT state FROM ${boss}.job WHERE name = $1 AND data->>'jobId' = $2
       UNION ALL SELECT state FROM ${boss}.archive WHERE name = $1 AND data->>'jobId' = $2`,
      [JOB_QUEUE, jobId],
    );
    return rows.map((row) => row.state);
  } finally {
    await client.end();
  }
}

it.each([
  ['a tenant without a webhook (one batch)', 'plain'],
  ['a tenant with a webhook (the notice in the same transaction)', 'hooked'],
])('completes the engine job with the run, for %s', async (_, tenant) => {
  const job = (
    await harness.as(tenant).data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input: { text: TEXT } })
  ).startSummaryJob;
  await eventually(
    async () => {
      const read = await harness.as(tenant).data<{ aiJob: AIJob }>(AI_JOB_QUERY, { id: job.id });
      return read.aiJob.status === 'COMPLETED' ? read.aiJob : undefined;
    },
    10_000,
    'the job COMPLETED',
  );

  // Read at once: a completion left to a later statement, or to the engine's expiry, would show as active here.
  expect(await engineStates(job.id)).toEqual(['completed']);
});
