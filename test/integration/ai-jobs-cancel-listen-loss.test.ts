// Finding: the replica's LISTEN connection was dropped on its first error and never opened again, so after one
// database blip every cancel made on another replica reached a running job only at its next re-read (ten poll
// intervals), the model call paid all that while. Now the connection is opened again with backoff, and once it
// is back every watcher reads its job again (what changed meanwhile was announced to no one).
// Two replicas share one PostgreSQL schema; the running one re-reads a job only every ten minutes, so within
// seconds only a notification can tell it. Its LISTEN backend is killed (pg_terminate_backend), then the job is
// cancelled on the other replica: the model call closes within about 2 s.
import { Client } from 'pg';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { AI_JOB_QUERY, CANCEL_AI_JOB, FAST_JOBS, START_SUMMARY_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { capturingLogger } from '../support/logs';
import { POSTGRES_URL } from '../support/stores';
import { eventually, waitFor } from '../support/wait-for';

jest.setTimeout(60_000);

const CHAT = '/v1/chat/completions';
const MODEL = 'gpt-job-listen-loss';
/** The provider's reply is due this late: an abort within a second or two is the cancel's doing. */
const SLOW_MS = 20_000;
const TENANT = `listen-loss-${process.pid}`;
const env = {
  ...FAST_JOBS,
  JOB_DEADLINE_MS: '40000',
  ATTEMPT_TIMEOUT_MS: '30000',
  GATEWAY_ROUTES_JSON: JSON.stringify({
    tasks: { summarize: { chain: [{ provider: 'openai', model: MODEL }] } },
  }),
};

let running: Harness;
let queuing: Harness;
const { logger, lines } = capturingLogger('info');

beforeAll(async () => {
  running = await startHarness({
    providers: ['openai'],
    env: { ...env, JOB_POLL_INTERVAL_MS: '60000' },
    logger,
  });
  queuing = await startHarness({
    providers: running.providers,
    env: { ...env, DATABASE_SCHEMA: running.app.config.store.schema, JOB_CONCURRENCY: '0' },
  });
});
afterAll(async () => {
  await queuing?.stop();
  await running?.stop();
});

/** Kills the backends LISTENing on the schema's job channel (both replicas'); how many there were. */
async function terminateListeners(schema: string): Promise<number> {
  const client = new Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const killed = await client.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1`,
      [`LISTEN "${schema}_jobs"`],
    );
    return killed.rowCount ?? 0;
  } finally {
    await client.end();
  }
}

it('a cancel from another replica still stops the model call after the LISTEN connection was killed', async () => {
  running.providers.openai.faults.always({ kind: 'latency', ms: SLOW_MS });
  const job = (
    await running
      .as(TENANT)
      .data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input: { text: 'Ferries leave at noon.' } })
  ).startSummaryJob;
  const call = await waitFor(
    () => running.providers.openai.requests.find((request) => request.path === CHAT),
    20_000,
    'the model call started',
  );
  expect((await running.as(TENANT).data<{ aiJob: AIJob }>(AI_JOB_QUERY, { id: job.id })).aiJob.status).toBe(
    'RUNNING',
  );

  expect(await terminateListeners(running.app.config.store.schema)).toBeGreaterThan(0);
  await waitFor(
    () => lines.find((line) => line.includes('AI job notifications lost')),
    5_000,
    'the loss noticed',
  );

  const cancelledAt = Date.now();
  const cancelled = (
    await queuing.as(TENANT).data<{ cancelAIJob: AIJob | null }>(CANCEL_AI_JOB, { id: job.id })
  ).cancelAIJob;
  expect(cancelled).toMatchObject({ id: job.id, status: 'CANCELLED' });
  const closedAt = await waitFor(() => call.closedAt, 5_000, 'the model call closed').catch((error) => {
    throw new Error(`${String(error)}\n${lines.join('')}`);
  });
  expect(call.aborted).toBe(true);
  expect(closedAt - cancelledAt).toBeLessThan(2_000);
  await eventually(
    async () => ((await running.metrics()).value('ai_jobs_running') === 0 ? true : undefined),
    5_000,
    'no job running',
  );
});
