// A running ask job cancelled while its question is being embedded for retrieval: the embedding request is
// aborted at once (the fake provider sees its connection close long before its reply was due), as the job's
// model call is (ai-jobs-cancel.test.ts). The question's embedding used to run on its own deadline and no
// signal, so a cancelled job's embedding, with its retries, ran to the end. On PGlite, whose pgvector makes
// retrieval hybrid.
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { AI_JOB_QUERY, CANCEL_AI_JOB, FAST_JOBS, START_ASK_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { waitFor } from '../support/wait-for';

jest.setTimeout(60_000);

const EMBEDDINGS = '/v1/embeddings';
/** The embedding's reply is due this late: a close seen within a second or two is the cancel's doing. */
const SLOW_MS = 20_000;
const TENANT = `cancel-retrieval-${process.pid}`;

describe('cancelling an ask job while its question is embedded', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({
      store: 'pglite',
      providers: ['openai'],
      env: {
        ...FAST_JOBS,
        // Neither the job's deadline nor the embedding's own ends the slow call first.
        JOB_DEADLINE_MS: '40000',
        ATTEMPT_TIMEOUT_MS: '30000',
        EMBED_SWEEP_INTERVAL_MS: '0',
      },
    });
  });
  afterAll(() => harness?.stop());

  it('aborts the embedding request at once, and the job ends CANCELLED', async () => {
    const client = harness.as(TENANT);
    await client.ingest({
      id: 'harbour',
      title: 'Harbour rules',
      body: 'Boats moor at the east pier. The harbour master collects the mooring fee every morning.',
    });
    const before = harness.providers.openai.requests.length;
    harness.providers.openai.faults.always({ kind: 'latency', ms: SLOW_MS }, { path: EMBEDDINGS });
    const job = (
      await client.data<{ startAskJob: AIJob }>(START_ASK_JOB, {
        input: { question: 'Who collects the mooring fee at the pier?' },
      })
    ).startAskJob;
    const embedding = await waitFor(
      () => harness.providers.openai.requests.slice(before).find((request) => request.path === EMBEDDINGS),
      20_000,
      "the question's embedding started",
    );
    const cancelledAt = Date.now();
    const cancelled = (await client.data<{ cancelAIJob: AIJob | null }>(CANCEL_AI_JOB, { id: job.id }))
      .cancelAIJob;
    expect(cancelled).toMatchObject({ id: job.id, status: 'CANCELLED' });
    const closedAt = await waitFor(() => embedding.closedAt, 10_000, 'the embedding request closed');
    expect(embedding.aborted).toBe(true);
    expect(closedAt - cancelledAt).toBeLessThan(2_000);
    const read = await client.data<{ aiJob: AIJob }>(AI_JOB_QUERY, { id: job.id });
    expect(read.aiJob.status).toBe('CANCELLED');
  });
});
