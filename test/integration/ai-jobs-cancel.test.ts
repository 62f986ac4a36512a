// cancelAIJob stops the running work, on whichever replica runs it: the job's model call is aborted (the fake
// provider sees its connection close long before its 20 s reply was due), the job ends CANCELLED with no
// result and is not retried, and the spend reservation of the aborted attempt is settled (none outstanding).
// On one replica (PostgreSQL and PGlite) the cancel aborts the run directly; across two replicas sharing one
// PostgreSQL schema, the running replica learns of it through LISTEN/NOTIFY (run-cancel.ts). A replica that stops
// with a run going hands it back and aborts its model call the same way.
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createRedisSpendLimiter } from '../../subgraph/limits/redis-spend-limiter';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { AI_JOB_QUERY, CANCEL_AI_JOB, FAST_JOBS, START_SUMMARY_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import type { RecordedRequest } from '../support/providers';
import { REDIS_URL, requireRedis } from '../support/services';
import { eventually, waitFor } from '../support/wait-for';

jest.setTimeout(60_000);
requireRedis();

const CHAT = '/v1/chat/completions';
const MODEL = 'gpt-job-cancel';
/** The provider's reply is due this late: an abort seen within a second or two is the cancel's doing. */
const SLOW_MS = 20_000;
const TEXT = 'The lighthouse keeper logs every passing ship. Storm warnings go out by radio at dusk.';
const TENANT = `cancel-${process.pid}`;

const env = {
  ...FAST_JOBS,
  REDIS_URL,
  // Neither the job's deadline nor the attempt's timeout ends the slow call first.
  JOB_DEADLINE_MS: '40000',
  ATTEMPT_TIMEOUT_MS: '30000',
  GATEWAY_ROUTES_JSON: JSON.stringify({
    tasks: { summarize: { chain: [{ provider: 'openai', model: MODEL }] } },
  }),
  MODEL_PRICES_JSON: JSON.stringify({ [`openai:${MODEL}`]: { inputPerMillion: 1, outputPerMillion: 1 } }),
  // A cap, so that every attempt reserves its worst case first.
  TENANT_POLICIES_JSON: JSON.stringify({ tenants: { [TENANT]: { limits: { monthlyCapUsd: 10 } } } }),
};

async function outstandingSpend(): Promise<number> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    const limiter = createRedisSpendLimiter(redis);
    // The settle goes out on another connection than this one: read until it has landed, or 5 s.
    for (let tries = 0; tries < 200; tries += 1) {
      if ((await limiter.outstanding(TENANT)) === 0) return 0;
      await sleep(25);
    }
    return limiter.outstanding(TENANT);
  } finally {
    redis.disconnect();
  }
}

/** Starts a job whose model call is slow, and resolves once that call is in flight and the job RUNNING. */
async function startSlowJob(running: Harness): Promise<{ job: AIJob; call: RecordedRequest }> {
  running.providers.openai.faults.always({ kind: 'latency', ms: SLOW_MS });
  const job = (
    await running.as(TENANT).data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input: { text: TEXT } })
  ).startSummaryJob;
  const call = await waitFor(
    () => running.providers.openai.requests.find((request) => request.path === CHAT),
    20_000,
    'the model call started',
  );
  const read = await running.as(TENANT).data<{ aiJob: AIJob }>(AI_JOB_QUERY, { id: job.id });
  expect(read.aiJob.status).toBe('RUNNING');
  return { job, call };
}

/** Cancels through `asking`, then checks the run stopped promptly and for good. */
async function cancelAndExpectStopped(running: Harness, asking: Harness, job: AIJob, call: RecordedRequest) {
  const cancelledAt = Date.now();
  const cancelled = (
    await asking.as(TENANT).data<{ cancelAIJob: AIJob | null }>(CANCEL_AI_JOB, { id: job.id })
  ).cancelAIJob;
  expect(cancelled).toMatchObject({ id: job.id, status: 'CANCELLED', summary: null });
  const closedAt = await waitFor(() => call.closedAt, 5_000, 'the model call closed');
  expect(call.aborted).toBe(true);
  expect(closedAt - cancelledAt).toBeLessThan(2_000);
  expect(await outstandingSpend()).toBe(0);
  await eventually(
    async () => ((await running.metrics()).value('ai_jobs_running') === 0 ? true : undefined),
    5_000,
    'no job running',
  );
  // Past the retry delay (1 s): no second try, and the job never leaves CANCELLED.
  await sleep(1_500);
  expect(running.providers.requestCount(CHAT)).toBe(1);
  const read = await asking.as(TENANT).data<{ aiJob: AIJob }>(AI_JOB_QUERY, { id: job.id });
  expect(read.aiJob).toEqual(cancelled);
}

describe.each(['postgres', 'pglite'] as const)('cancelling a running job on %s', (store) => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ providers: ['openai'], store, env });
  });
  afterAll(() => harness?.stop());

  it('aborts its model call at once: CANCELLED, no result, no retry, spend settled', async () => {
    const { job, call } = await startSlowJob(harness);
    await cancelAndExpectStopped(harness, harness, job, call);
    const metrics = await harness.metrics();
    expect(metrics.value('ai_jobs_total', { kind: 'summary', outcome: 'cancelled' })).toBe(1);
    expect(metrics.value('ai_jobs_total', { kind: 'summary', outcome: 'completed' })).toBe(0);
  });
});

describe('cancelling a job another replica runs (PostgreSQL, LISTEN/NOTIFY)', () => {
  let running: Harness;
  let queuing: Harness;

  beforeAll(async () => {
    // Re-reads a running job only every ten minutes: within seconds, only the notification can tell it. The
    // job is started on this replica, so it runs at once without waiting for a poll.
    running = await startHarness({ providers: ['openai'], env: { ...env, JOB_POLL_INTERVAL_MS: '60000' } });
    // Same schema, runs nothing: where the cancel is made.
    queuing = await startHarness({
      providers: running.providers,
      env: {
        ...env,
        DATABASE_SCHEMA: running.app.config.store.schema,
        JOB_CONCURRENCY: '0',
      },
    });
  });
  afterAll(async () => {
    await queuing?.stop();
    await running?.stop();
  });

  it('the running replica aborts the model call when the other one cancels', async () => {
    const { job, call } = await startSlowJob(running);
    await cancelAndExpectStopped(running, queuing, job, call);
  });
});

describe('a replica stopping while a job runs (PostgreSQL)', () => {
  let stopping: Harness;

  beforeAll(async () => {
    // Half of it is the runs' grace: the run is handed back after 0.5 s.
    stopping = await startHarness({ providers: ['openai'], env: { ...env, SHUTDOWN_GRACE_MS: '1000' } });
  });
  afterAll(() => stopping?.stop());

  it('aborts the model call of the run it hands back, its spend settled, not left running to its deadline', async () => {
    const { call } = await startSlowJob(stopping);
    const stoppedAt = Date.now();
    await stopping.stop();
    const closedAt = await waitFor(() => call.closedAt, 5_000, 'the model call closed');
    expect(call.aborted).toBe(true);
    expect(closedAt - stoppedAt).toBeLessThan(2_000);
    expect(await outstandingSpend()).toBe(0);
  });
});
