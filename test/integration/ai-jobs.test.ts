// Issue 14's background jobs through the real subgraph, on PostgreSQL and on PGlite: a summary job runs the
// same pipeline as Query.summarize and its subscription sees every status; a provider outage ends COMPLETED
// with the floor's DegradedSummary, never lost; an answer job answers; jobs.maxQueued refuses by name;
// jobs.maxRunning holds; a job cancelled never completes.
import { CIRCUITS_STAY_CLOSED, FAST_RETRIES, startHarness } from '../support/harness';
import { replyByTask } from '../support/providers/task-replies';
import type { Harness } from '../support/harness';
import {
  AI_JOB_QUERY,
  AI_JOB_UPDATED,
  CANCEL_AI_JOB,
  FAST_JOBS,
  START_ASK_JOB,
  START_SUMMARY_JOB,
} from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { eventually } from '../support/wait-for';

jest.setTimeout(60_000);

const TEXT =
  'The harbour office opens at seven. Ferries to the northern islands leave twice a day in summer. ' +
  'Tickets are sold at the pier and on board. Bicycles travel free of charge on every crossing.';

const SUMMARY_WORDS = 'Ferries leave twice a day in summer.';
const ANSWER = 'Ferries to the northern islands leave twice a day in summer [1].';

describe.each(['postgres', 'pglite'] as const)('background AI jobs on %s', (store) => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({
      providers: ['openai'],
      store,
      // Grounded in TEXT: a summary sentence, and an answer citing the first passage.
      responder: replyByTask({ answer: ANSWER, summary: SUMMARY_WORDS }),
      env: {
        ...FAST_JOBS,
        // The outage and hang tests must not open the circuit for the tests after them.
        ...CIRCUITS_STAY_CLOSED,
        ...FAST_RETRIES,
        TENANT_POLICIES_JSON: JSON.stringify({
          tenants: { capped: { jobs: { maxQueued: 2 } }, single: { jobs: { maxRunning: 1 } } },
        }),
      },
    });
  });
  afterAll(() => harness?.stop());
  beforeEach(() => harness.providers.reset());

  const start = async (tenant: string, input: Record<string, unknown>) =>
    (await harness.as(tenant).data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input })).startSummaryJob;
  const read = async (tenant: string, id: string) =>
    (await harness.as(tenant).data<{ aiJob: AIJob | null }>(AI_JOB_QUERY, { id })).aiJob;
  const finished = (tenant: string, id: string) =>
    eventually(
      async () => {
        const job = await read(tenant, id);
        return job && ['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status) ? job : undefined;
      },
      20_000,
      `job ${id} final`,
    );

  it('runs a summary job: the subscription sees QUEUED, RUNNING, then COMPLETED with the Summary', async () => {
    // Slow enough that the job is still queued when the subscription starts reading.
    harness.providers.openai.faults.setLatency(300);
    const job = await start('acme', { text: TEXT, maxWords: 20 });
    expect(job).toMatchObject({
      kind: 'SUMMARY',
      status: 'QUEUED',
      attempts: 0,
      startedAt: null,
      summary: null,
    });
    const outcome = await harness
      .as('acme')
      .subscribe<{ aiJobUpdated: AIJob }>(AI_JOB_UPDATED, { id: job.id }, { timeoutMs: 20_000 });
    if (outcome.kind !== 'results') throw new Error(`socket closed: ${outcome.code}`);
    const events = outcome.results.map((result) => result.data?.aiJobUpdated);
    const statuses = events.map((event) => event?.status);
    // The first event is the job as it stood when subscribed: queued, or already running.
    expect(['QUEUED', 'RUNNING']).toContain(statuses[0]);
    expect(statuses.slice(statuses.indexOf('RUNNING'))).toEqual(['RUNNING', 'COMPLETED']);
    const completed = events.at(-1) as AIJob;
    expect(completed.summary).toMatchObject({ __typename: 'Summary', text: SUMMARY_WORDS });
    expect(completed.attempts).toBe(1);
    expect(Date.parse(completed.completedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(completed.startedAt ?? ''),
    );
    expect(harness.providers.requestCount('/v1/chat/completions')).toBe(1);
    // Read back afterwards, the same result.
    expect(await read('acme', job.id)).toEqual(completed);
  });

  it('ends COMPLETED with the extractive DegradedSummary when every provider call fails', async () => {
    harness.providers.openai.faults.always({ kind: 'status', status: 500 });
    // Not the first test's input, whose summary the completion cache would serve.
    const job = await start('acme', { text: TEXT, maxWords: 30 });
    const done = await finished('acme', job.id);
    expect(done.status).toBe('COMPLETED');
    expect(done.summary?.__typename).toBe('DegradedSummary');
    expect(done.summary).toMatchObject({
      reason: expect.any(String),
      text: expect.stringMatching(/Ferries|harbour|Tickets|Bicycles/),
    });
    expect(harness.providers.requestCount('/v1/chat/completions')).toBeGreaterThan(0);
  });

  it('runs an answer job over the tenant documents', async () => {
    await harness.as('acme').ingest({ id: 'ferries', title: 'Ferries', body: TEXT });
    const job = (
      await harness
        .as('acme')
        .data<{ startAskJob: AIJob }>(START_ASK_JOB, { input: { question: 'When do ferries leave?' } })
    ).startAskJob;
    expect(job).toMatchObject({ kind: 'ANSWER', status: 'QUEUED' });
    const done = await finished('acme', job.id);
    expect(done.status).toBe('COMPLETED');
    expect(done.summary).toBeNull();
    expect(done.answer).toMatchObject({ __typename: 'Answer', citations: [{ documentId: 'ferries' }] });
  });

  it('refuses a job past the tenant jobs.maxQueued, naming the limit', async () => {
    // The provider hangs, so the capped tenant's jobs stay queued or running; maxRunning (4) leaves room.
    harness.providers.openai.faults.always({ kind: 'hang' });
    const queued: AIJob[] = [];
    let refusal: { message: string; extensions?: Record<string, unknown> } | undefined;
    for (let i = 0; i < 10 && !refusal; i += 1) {
      const response = await harness
        .as('capped')
        .request<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input: { text: `${TEXT} ${i}` } });
      refusal = response.body.errors?.[0];
      if (response.body.data?.startSummaryJob) queued.push(response.body.data.startSummaryJob);
    }
    expect(refusal?.extensions).toMatchObject({
      code: 'JOB_LIMIT_EXCEEDED',
      limit: 'jobs.maxQueued',
      max: 2,
    });
    expect(refusal?.message).toContain('jobs.maxQueued');
    // At least the two the limit allows were queued (more, as earlier ones left the queue to run).
    expect(queued.length).toBeGreaterThanOrEqual(2);
    for (const job of queued) await harness.as('capped').data(CANCEL_AI_JOB, { id: job.id });
  });

  it("runs no more of a tenant's jobs at once than its jobs.maxRunning, and the waiting ones spend no try", async () => {
    harness.providers.openai.faults.setLatency(200);
    const jobs = await Promise.all([1, 2, 3].map((n) => start('single', { text: `${TEXT} Note ${n}.` })));
    const done = await Promise.all(jobs.map((job) => finished('single', job.id)));
    for (const job of done)
      expect(job).toMatchObject({ status: 'COMPLETED', attempts: 1, summary: { __typename: 'Summary' } });
    const calls = harness.providers.openai.requests
      .filter((request) => request.path === '/v1/chat/completions')
      .sort((a, b) => a.at - b.at);
    expect(calls).toHaveLength(3);
    for (let i = 1; i < calls.length; i += 1) {
      expect(calls[i]?.at).toBeGreaterThanOrEqual(calls[i - 1]?.closedAt ?? Number.POSITIVE_INFINITY);
    }
  });

  it('cancels a job: CANCELLED, never completed afterwards, and cancelling again changes nothing', async () => {
    harness.providers.openai.faults.always({ kind: 'hang' });
    const job = await start('acme', { text: TEXT });
    const cancel = async () =>
      (await harness.as('acme').data<{ cancelAIJob: AIJob | null }>(CANCEL_AI_JOB, { id: job.id }))
        .cancelAIJob;
    const cancelled = await cancel();
    expect(cancelled).toMatchObject({ id: job.id, status: 'CANCELLED', summary: null });
    expect(cancelled?.completedAt).not.toBeNull();
    expect(await cancel()).toEqual(cancelled);
    harness.providers.openai.faults.clear();
    expect(await read('acme', job.id)).toEqual(cancelled);
  });
});
