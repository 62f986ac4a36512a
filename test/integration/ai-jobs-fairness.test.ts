// Issue 14's fairness, through the real subgraph on PostgreSQL and on PGlite: tenant A queues 200 summary jobs
// on a replica running one at a time, then tenant B queues one; B's job starts long before A's queue drains,
// after at most a couple of A's jobs that were already admitted when it arrived (the engine's ready buffer).
import { JOB_TEXT, startJobsHarness } from '../support/jobs-harness';
import type { Harness } from '../support/harness';
import { AI_JOB_QUERY, CANCEL_AI_JOB, START_SUMMARY_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { eventually } from '../support/wait-for';

jest.setTimeout(120_000);

const A_JOBS = 200;

/** Runs `work` over `items`, `width` at a time. */
async function inBatches<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>) {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += width) {
    results.push(...(await Promise.all(items.slice(i, i + width).map(work))));
  }
  return results;
}

describe.each(['pglite', 'postgres'] as const)('fair job picking on %s', (store) => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startJobsHarness({ store, env: { JOB_CONCURRENCY: '1' } });
  });
  afterAll(() => harness?.stop());

  const start = async (tenant: string, text: string) =>
    (await harness.as(tenant).data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input: { text } }))
      .startSummaryJob;
  const read = async (tenant: string, id: string) =>
    (await harness.as(tenant).data<{ aiJob: AIJob | null }>(AI_JOB_QUERY, { id })).aiJob as AIJob;

  it("starts tenant B's single job before tenant A's 200 queued ones drain", async () => {
    // Slow enough that A's queue is still long when B arrives; each text distinct, so no cache answers.
    harness.providers.openai.faults.setLatency(100);
    const numbers = Array.from({ length: A_JOBS }, (_, n) => n);
    const aJobs = await inBatches(numbers, 20, (n) => start('tenant-a', `${JOB_TEXT} Route ${n}.`));
    const bJob = await start('tenant-b', `${JOB_TEXT} The only route of B.`);
    const bStarted = await eventually(
      async () => {
        const job = await read('tenant-b', bJob.id);
        return job.startedAt ? job : undefined;
      },
      60_000,
      "tenant B's job started",
    );
    const aNow = await inBatches(aJobs, 25, (job) => read('tenant-a', job.id));
    const startedAt = (job: AIJob) => (job.startedAt ? Date.parse(job.startedAt) : Number.POSITIVE_INFINITY);
    const bStart = startedAt(bStarted);
    const aBeforeB = aNow.filter((job) => startedAt(job) < bStart);
    // While B waited (queued to started), at most the A jobs already admitted when it arrived started.
    const aWhileBWaited = aBeforeB.filter((job) => startedAt(job) >= Date.parse(bJob.createdAt));
    expect(aWhileBWaited.length).toBeLessThanOrEqual(2);
    // A's queue was far from drained: most of its jobs had not started when B's did.
    expect(aBeforeB.length).toBeLessThan(A_JOBS / 2);
    expect(aNow.filter((job) => job.status === 'QUEUED').length).toBeGreaterThan(A_JOBS / 2);
    // Clean end: A's backlog goes, no worker left with it.
    harness.providers.openai.faults.clear();
    await inBatches(aJobs, 25, (job) => harness.as('tenant-a').data(CANCEL_AI_JOB, { id: job.id }));
  });
});
