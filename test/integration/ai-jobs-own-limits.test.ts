// Finding: a tenant's own rate limit ended a background job for good. A job's run refused by one of our own
// limits (the tenant's requests per minute, this replica's load shedding) stored the refusal as its result:
// jobs past the limit ended COMPLETED with AIUnavailable RATE_LIMITED after one try, though a job is never to
// be lost to a passing condition. Now such a run is put back to start again once the limit has room, with its
// attempt taken back and no try spent: past the rate limit the job waits QUEUED (the window is a minute, so
// the suite does not wait it out), and refused by load shedding it completes once the loop has caught up.
import { FAST_RETRIES, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { AI_JOB_QUERY, FAST_JOBS, START_SUMMARY_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { replyByTask } from '../support/providers/task-replies';
import { eventually } from '../support/wait-for';

jest.setTimeout(90_000);

const CHAT = '/v1/chat/completions';
const SUMMARY = 'The boats arrive on Thursday.';
const text = (n: number) =>
  `Document number ${n} says the boats arrive on Thursday. They leave again on Friday.`;

const ENV = { ...FAST_JOBS, ...FAST_RETRIES, CACHE_TTL_SUMMARIZE_SECONDS: '0', EMBED_SWEEP_INTERVAL_MS: '0' };

/** Holds the thread for `ms`: every timer due meanwhile, the lag monitor's included, runs that much late. */
function blockLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

async function startJob(harness: Harness, tenant: string, n: number): Promise<string> {
  const { startSummaryJob } = await harness
    .as(tenant)
    .data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input: { text: text(n) } });
  return startSummaryJob.id;
}

async function readJob(harness: Harness, tenant: string, id: string): Promise<AIJob> {
  const { aiJob } = await harness.as(tenant).data<{ aiJob: AIJob | null }>(AI_JOB_QUERY, { id });
  if (!aiJob) throw new Error(`no job ${id}`);
  return aiJob;
}

const finalJob = (harness: Harness, tenant: string, id: string) =>
  eventually(
    async () => {
      const job = await readJob(harness, tenant, id);
      return ['QUEUED', 'RUNNING'].includes(job.status) ? undefined : job;
    },
    20_000,
    `job ${id} ended`,
  );

describe("a tenant's own rate limit ended a background job for good", () => {
  const TENANT = 'own-rate';
  const TOKENS_TENANT = 'own-tokens';
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({
      providers: ['openai'],
      responder: replyByTask({ summary: SUMMARY, answer: SUMMARY }),
      env: {
        ...ENV,
        // A summary job's text longer than 500 characters goes by parts (long-summary.ts).
        JOB_SUMMARY_PART_CHARS: '500',
        TENANT_POLICIES_JSON: JSON.stringify({
          tenants: {
            [TENANT]: { limits: { requestsPerMinute: 2 } },
            // Two parts' worst-case estimates (their prompt and 600 output tokens, about 780 each) fit, a third
            // does not; settled to what they used (about 170 each), the short reduce step fits again.
            [TOKENS_TENANT]: { limits: { tokensPerMinute: 1700 } },
          },
        }),
      },
    });
  });
  afterAll(() => harness?.stop());

  it('keeps a job past the limit QUEUED, its try unspent, instead of ending it RATE_LIMITED', async () => {
    const ids: string[] = [];
    for (let n = 0; n < 3; n += 1) ids.push(await startJob(harness, TENANT, n));

    // Two fit the limit; the third's run is refused by it.
    const ended = await eventually(
      async () => {
        const jobs = await Promise.all(ids.map((id) => readJob(harness, TENANT, id)));
        const done = jobs.filter((job) => job.status === 'COMPLETED');
        const refusals = (await harness.metrics()).value('ai_limit_refusals_total', { limit: 'rate' });
        return done.length >= 2 && refusals >= 1 ? done : undefined;
      },
      20_000,
      'two jobs completed and one refused',
    );
    for (const job of ended) expect(job.summary).toMatchObject({ __typename: 'Summary', text: SUMMARY });

    // Well past the refusal, the third is still waiting for the window, as if it had never run.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const jobs = await Promise.all(ids.map((id) => readJob(harness, TENANT, id)));
    for (const job of jobs) expect(job.summary?.__typename).not.toBe('AIUnavailable');
    const waiting = jobs.filter((job) => job.status !== 'COMPLETED');
    expect(waiting).toEqual([
      expect.objectContaining({ status: 'QUEUED', attempts: 0, summary: null, completedAt: null }),
    ]);
    expect(harness.providers.requestCount(CHAT)).toBe(2);
  });

  it('a long summary left out the parts our rate limit refused and reported itself whole', async () => {
    // Four paragraphs of about 400 characters: four parts, summarized four at a time.
    const longText = ['north', 'south', 'east', 'west']
      .map(
        (side) =>
          `The ${side} gate of the harbour ${'opens at dawn and closes at dusk for the boats. '.repeat(8)}`,
      )
      .join('\n\n');
    harness.providers.reset();
    // Every part's rate check comes before any part's answer settles its estimate.
    harness.providers.openai.faults.setLatency(300);
    try {
      const { startSummaryJob } = await harness
        .as(TOKENS_TENANT)
        .data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input: { text: longText } });
      // Two parts reached the model; the other two were refused by the tokens per minute.
      await eventually(
        async () => (harness.providers.requestCount(CHAT) >= 2 ? true : undefined),
        20_000,
        'two parts summarized',
      );
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const job = await readJob(harness, TOKENS_TENANT, startSummaryJob.id);
      // It used to complete as a Summary of half the text (the reduce step fitted the window again). Now the
      // run is the refusal, put back to start again once the window has room, its try unspent.
      expect(job).toMatchObject({ status: 'QUEUED', attempts: 0, summary: null });
      expect(harness.providers.requestCount(CHAT)).toBe(2);
    } finally {
      harness.providers.openai.faults.setLatency(0);
    }
  });
});

describe('load shedding ended a background job for good', () => {
  const TENANT = 'own-shed';
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({
      providers: ['openai'],
      responder: replyByTask({ summary: SUMMARY, answer: SUMMARY }),
      env: { ...ENV, LOAD_SHED_EVENT_LOOP_LAG_MS: '100' },
    });
  });
  afterAll(() => harness?.stop());

  it('runs a job shed while the loop lagged again once it has caught up, on its first try', async () => {
    const shedBefore = (await harness.metrics()).value('ai_limit_refusals_total', { limit: 'overload' });
    // The loop kept lagging (300 ms in every 320) well past twice the threshold: every new AI work is shed.
    const lagging = setInterval(() => blockLoop(300), 20);
    let id: string;
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      id = await startJob(harness, TENANT, 1);
      await eventually(
        async () => {
          const shed = (await harness.metrics()).value('ai_limit_refusals_total', { limit: 'overload' });
          return shed > shedBefore ? true : undefined;
        },
        20_000,
        'the job shed',
      );
      // Shed, it waits for its next start (about a second later) instead of ending with the refusal.
      const shedJob = await readJob(harness, TENANT, id);
      expect(shedJob.status).not.toBe('COMPLETED');
      expect(shedJob.summary).toBeNull();
    } finally {
      clearInterval(lagging);
    }
    // Each refused run's attempt was taken back: the one that ran is its first.
    const job = await finalJob(harness, TENANT, id);
    expect(job).toMatchObject({
      status: 'COMPLETED',
      attempts: 1,
      summary: { __typename: 'Summary', text: SUMMARY },
    });
    expect(harness.providers.requestCount(CHAT)).toBe(1);
  });
});
