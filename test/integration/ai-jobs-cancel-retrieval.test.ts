// A running ask job cancelled while its question is being embedded for retrieval: the embedding request is
// aborted at once (the fake provider sees its connection close long before its reply was due), as the job's
// model call is (ai-jobs-cancel.test.ts). The question's embedding used to run on its own deadline and no
// signal, so a cancelled job's embedding, with its retries, ran to the end. On PGlite, whose pgvector makes
// retrieval hybrid. A job cancelled while its guard model reads the question (the preparation itself rejects)
// is metered as abandoned, as one cancelled during its model call is: it used to leave no count and no line.
import { featureRequests } from '../support/feature-requests';
import { useHybridHarness } from '../support/hybrid-harness';
import { AI_JOB_QUERY, CANCEL_AI_JOB, FAST_JOBS, START_ASK_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { capturingLogger } from '../support/logs';
import { HARBOUR_RULES } from '../support/sample-documents';
import { eventually, waitFor } from '../support/wait-for';

jest.setTimeout(60_000);

const EMBEDDINGS = '/v1/embeddings';
const CHAT = '/v1/chat/completions';
/** The embedding's reply is due this late: a close seen within a second or two is the cancel's doing. */
const SLOW_MS = 20_000;
const TENANT = `cancel-retrieval-${process.pid}`;
/** Fast job polling; neither the job's deadline nor the embedding's own ends the slow call first. */
const SLOW_CALL_ENV = { ...FAST_JOBS, JOB_DEADLINE_MS: '40000', ATTEMPT_TIMEOUT_MS: '30000' };

describe('cancelling an ask job while its question is embedded', () => {
  const harness = useHybridHarness(SLOW_CALL_ENV);

  it('aborts the embedding request at once, and the job ends CANCELLED', async () => {
    const client = harness.as(TENANT);
    await client.ingest(HARBOUR_RULES);
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

describe('cancelling an ask job while its guard model reads the question', () => {
  const { logger, lines } = capturingLogger('info');
  const harness = useHybridHarness(
    {
      ...SLOW_CALL_ENV,
      GATEWAY_ROUTES_JSON: JSON.stringify({
        tasks: { guard: { chain: [{ provider: 'openai', model: 'gpt-guard' }] } },
      }),
    },
    { logger },
  );

  it('meters the request as abandoned: counted once, one log line', async () => {
    const client = harness.as(TENANT);
    await client.ingest(HARBOUR_RULES);
    // The guard's call is the job's first chat request; its reply is due long after the cancel.
    harness.providers.openai.faults.once({ kind: 'latency', ms: SLOW_MS }, { path: CHAT });
    const job = (
      await client.data<{ startAskJob: AIJob }>(START_ASK_JOB, {
        input: { question: 'Who collects the mooring fee at the pier?' },
      })
    ).startAskJob;
    const guard = await waitFor(
      () => harness.providers.openai.requests.find((request) => request.path === CHAT),
      20_000,
      "the guard model's call started",
    );
    await client.data(CANCEL_AI_JOB, { id: job.id });
    await waitFor(() => guard.closedAt, 10_000, "the guard model's call closed");
    const abandoned = () => featureRequests(harness, 'ask', 'abandoned');
    // Metered as the run rejects, just after the cancel: read until it shows, for up to 5 s.
    await eventually(async () => ((await abandoned()) > 0 ? true : undefined), 5_000, 'abandoned counted');
    expect(await abandoned()).toBe(1);
    const requestLines = lines
      .map((line) => JSON.parse(line) as { msg: string; requestId?: string; outcome?: string })
      .filter((line) => line.requestId === `job-${job.id}-1` && 'outcome' in line);
    expect(requestLines).toEqual([
      expect.objectContaining({ msg: 'stream abandoned by the client', outcome: 'abandoned' }),
    ]);
    expect(harness.providers.openai.requestCount(CHAT)).toBe(1);
  });
});
