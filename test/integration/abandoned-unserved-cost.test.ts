// Finding 1: a stream or call the caller leaves lost the replies it had already paid for. The first target's
// reply fails an output rail (its repair fails too), so what both cost is kept by the walk as unserved while it
// falls back to the second target; the caller then leaves (an unsubscribed askStream, a cancelled summary job)
// while the second target runs. Every attempt settled against the tenant's spend cap, the refused replies
// included; the walk ended abandoned and dropped them, so the ledger held only what the second target had
// received. Here the ledger must hold exactly what the cap settled, once no reservation is outstanding.
import { untilFeatureRequests } from '../support/feature-requests';
import { AI_JOB_QUERY, CANCEL_AI_JOB, FAST_JOBS, START_SUMMARY_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import type { ChatRequest } from '../support/providers';
import {
  INVENTED_SUMMARY,
  LIGHTHOUSE,
  QUARTERLY_REPORT,
  REFUSED_THEN_FALLBACK,
} from '../support/refused-replies';
import { requirePostgres, requireRedis } from '../support/services';
import { useSpendHarness } from '../support/spend-ledger';
import { waitFor } from '../support/wait-for';
import { bearerWsClient } from '../support/ws-client';

jest.setTimeout(60_000);
requirePostgres();
requireRedis();

const CHAT = '/v1/chat/completions';
const MESSAGES = '/v1/messages';
const STREAM_TENANT = `left-stream-${process.pid}`;
const JOB_TENANT = `left-job-${process.pid}`;

const isSummary = (request: ChatRequest) => (request.system ?? '').toLowerCase().includes('summar');

describe('finding 1: a caller that leaves after a refused reply', () => {
  const { harness, spend, spentSince } = useSpendHarness({
    providers: ['openai', 'anthropic'],
    responder: {
      openai: (request) => (isSummary(request) ? INVENTED_SUMMARY : LIGHTHOUSE.uncitedAnswer),
      anthropic: (request) => (isSummary(request) ? QUARTERLY_REPORT : LIGHTHOUSE.citedAnswer),
    },
    env: {
      ...FAST_JOBS,
      DEADLINE_MS: '20000',
      JOB_DEADLINE_MS: '40000',
      ATTEMPT_TIMEOUT_MS: '30000',
      CACHE_TTL_ANSWER_SECONDS: '0',
      CACHE_TTL_SUMMARIZE_SECONDS: '0',
      CIRCUIT_CONSECUTIVE_FAILURES: '1000',
    },
    prices: REFUSED_THEN_FALLBACK.prices,
    routes: { tasks: { answer: REFUSED_THEN_FALLBACK.route, summarize: REFUSED_THEN_FALLBACK.route } },
    cappedTenants: [STREAM_TENANT, JOB_TENANT],
  });

  beforeEach(() => harness.providers.reset());

  it('askStream unsubscribed while the fallback streams: the ledger keeps the refused replies’ cost', async () => {
    const tenant = harness.as(STREAM_TENANT);
    expect((await tenant.ingest(LIGHTHOUSE.document)).chunks).toBeGreaterThan(0);
    const before = await spend(STREAM_TENANT);
    expect(before.ledger).toBe(before.settled);
    harness.providers.reset();
    harness.providers.anthropic.faults.always({ kind: 'slow-drip', delayMs: 1_000 }, { path: MESSAGES });
    const client = bearerWsClient(harness.wsUrl, await tenant.token());
    try {
      const events: string[] = [];
      const unsubscribe = client.subscribe<{ askStream: { __typename: string } }>(
        { query: LIGHTHOUSE.askStream },
        {
          next: (result) => events.push(result.data?.askStream.__typename ?? 'error'),
          error: () => undefined,
          complete: () => undefined,
        },
      );
      const fallback = await waitFor(
        () => harness.providers.anthropic.requests.find((request) => request.path === MESSAGES),
        10_000,
        'the fallback target’s request',
      );
      // The fallback has streamed a delta or two: the client leaves mid-answer.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(fallback.closedAt).toBeUndefined();
      unsubscribe();
      await waitFor(() => fallback.closedAt, 5_000, 'the fallback request closed');
      // The primary answered twice (the reply and its repair), both refused by the format rail.
      expect(harness.providers.openai.requestCount(CHAT)).toBe(2);
      expect(events).toContain('StreamNotice');
      await untilFeatureRequests(harness, 'ask', 'abandoned', 1, 'the stream metered as abandoned');
    } finally {
      await client.dispose();
    }
    const spent = await spentSince(STREAM_TENANT, before);
    expect(spent.settled).toBeGreaterThan(0);
    expect(spent.ledger).toBe(spent.settled);
  });

  it('a summary job cancelled while the fallback runs: the ledger keeps the refused summary’s cost', async () => {
    const tenant = harness.as(JOB_TENANT);
    const before = await spend(JOB_TENANT);
    harness.providers.anthropic.faults.always({ kind: 'latency', ms: 20_000 }, { path: MESSAGES });
    const job = (
      await tenant.data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input: { text: QUARTERLY_REPORT } })
    ).startSummaryJob;
    const fallback = await waitFor(
      () => harness.providers.anthropic.requests.find((request) => request.path === MESSAGES),
      20_000,
      'the fallback target’s request',
    );
    expect(harness.providers.openai.requestCount(CHAT)).toBe(1);
    const cancelled = (await tenant.data<{ cancelAIJob: AIJob | null }>(CANCEL_AI_JOB, { id: job.id }))
      .cancelAIJob;
    expect(cancelled).toMatchObject({ id: job.id, status: 'CANCELLED' });
    await waitFor(() => fallback.closedAt, 5_000, 'the fallback request closed');
    expect(fallback.aborted).toBe(true);
    await untilFeatureRequests(
      harness,
      'summarize',
      'abandoned',
      1,
      'the job’s request metered as abandoned',
    );
    const read = await tenant.data<{ aiJob: AIJob }>(AI_JOB_QUERY, { id: job.id });
    expect(read.aiJob.status).toBe('CANCELLED');
    const spent = await spentSince(JOB_TENANT, before);
    expect(spent.settled).toBeGreaterThan(0);
    expect(spent.ledger).toBe(spent.settled);
  });
});
