// Finding: deleting a document while its summary job ran left the summary readable. The job (ingestDocument
// with summarize: true) checked that it was still asked for only before its run: deleted during the model call,
// it ended COMPLETED, and aiJob served the deleted document's summary for JOB_RETENTION_DAYS. Now the
// transaction that completes such a job checks again, its document's row locked: a job whose document was
// deleted (or re-ingested with other text) before it finished ends CANCELLED with no result, and its
// subscription, webhook and metrics say CANCELLED. On PostgreSQL (other connections, NOTIFY) and on PGlite.
// The same held for a summary of a stored document started directly (startSummaryJob { documentId }), which
// was never checked at all: it now pins the document's version when started, and ends CANCELLED the same way.
import { FAST_RETRIES, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { AI_JOB_QUERY, AI_JOB_UPDATED, FAST_JOBS, START_SUMMARY_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { replyByTask } from '../support/providers/task-replies';
import { startWebhookReceiver, webhookPolicies } from '../support/webhook-receiver';
import type { WebhookReceiver } from '../support/webhook-receiver';
import { eventually, waitFor, waitUntil } from '../support/wait-for';
import { openWsConnection } from '../support/ws-client';
import type { WsOutcome } from '../support/ws-client';

jest.setTimeout(90_000);

const CHAT = '/v1/chat/completions';
const TENANT = 'deleted-while-running';
const SECRET = 'whsec-deleted-while-running-5e0c';
const BODY = 'The lighthouse keeper logs the weather at dawn. Supply boats arrive every second Thursday.';
const SUMMARY = 'Supply boats arrive every second Thursday.';

const INGEST = `mutation Ingest($input: IngestDocumentInput!) {
  ingestDocument(input: $input) { summaryJobId }
}`;

describe.each(['postgres', 'pglite'] as const)(
  'a document changed while its summary job runs (%s)',
  (store) => {
    let harness: Harness;
    let receiver: WebhookReceiver;
    const responder = replyByTask({ summary: SUMMARY, answer: SUMMARY });

    beforeAll(async () => {
      receiver = await startWebhookReceiver();
      harness = await startHarness({
        providers: ['openai'],
        store,
        responder,
        env: {
          ...FAST_JOBS,
          ...FAST_RETRIES,
          JOB_DEADLINE_MS: '10000',
          CACHE_TTL_SUMMARIZE_SECONDS: '0',
          EMBED_SWEEP_INTERVAL_MS: '0',
          JOB_WEBHOOK_RETRY_DELAY_SECONDS: '0',
          TENANT_POLICIES_JSON: webhookPolicies(TENANT, receiver, SECRET),
        },
      });
    });
    afterAll(async () => {
      await harness?.stop();
      await receiver?.close();
    });

    const client = () => harness.as(TENANT);
    const ingest = async (id: string, body: string, summarize: boolean) =>
      (
        await client().data<{ ingestDocument: { summaryJobId: string | null } }>(INGEST, {
          input: { id, title: 'Lighthouse', body, summarize },
        })
      ).ingestDocument.summaryJobId;
    const finalJob = (id: string) =>
      eventually(
        async () => {
          const { aiJob } = await client().data<{ aiJob: AIJob | null }>(AI_JOB_QUERY, { id });
          return aiJob && !['QUEUED', 'RUNNING'].includes(aiJob.status) ? aiJob : undefined;
        },
        20_000,
        'the job ended',
      );
    const webhookStatus = (id: string) =>
      eventually(
        async () => {
          const post = receiver.received.find(
            (request) => (JSON.parse(request.body) as { id: string }).id === id,
          );
          return post ? (JSON.parse(post.body) as { status: string }).status : undefined;
        },
        20_000,
        `the webhook of ${id}`,
      );

    /** The document's summary job: queued by its ingest (summarize: true), or started directly after it. */
    async function startSummary(id: string, start: 'ingest' | 'direct'): Promise<string | null> {
      if (start === 'ingest') return ingest(id, BODY, true);
      await ingest(id, BODY, false);
      const { startSummaryJob } = await client().data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, {
        input: { documentId: id },
      });
      return startSummaryJob.id;
    }

    /**
     * Queues the document's summary job and holds its model call (the fake provider answers it only once
     * released); once the call is in flight runs `meanwhile`, and releases the call when `meanwhile` is done and
     * the job's subscription has delivered its first event (so it follows the job live to its end). Returns the
     * job's end as read, as its subscription saw it, and as its webhook said.
     */
    async function changedWhileRunning(
      id: string,
      meanwhile: () => Promise<unknown>,
      start: 'ingest' | 'direct' = 'ingest',
    ) {
      harness.providers.reset();
      let release: () => void = () => undefined;
      const released = new Promise<void>((resolve) => (release = resolve));
      harness.providers.openai.respondWith(async (request) => {
        await released;
        return responder(request);
      });
      const connection = openWsConnection(harness.wsUrl, {
        authorization: `Bearer ${await client().token()}`,
      });
      try {
        const jobId = await startSummary(id, start);
        if (!jobId) throw new Error('no summary job');
        const updates = connection.start<{ aiJobUpdated: AIJob }>(AI_JOB_UPDATED, { id: jobId });
        await eventually(
          async () => (harness.providers.requestCount(CHAT) > 0 ? true : undefined),
          10_000,
          'the call',
        );
        await meanwhile();
        await waitUntil(() => updates.results.length > 0, 10_000, "the subscription's first event");
        release();
        const job = await finalJob(jobId);
        let ended: WsOutcome<{ aiJobUpdated: AIJob }> | undefined;
        void updates.ended.then((outcome) => (ended = outcome));
        const outcome = await waitFor(() => ended, 30_000, 'the subscription ending');
        if (outcome.kind !== 'results') throw new Error(`subscription closed: ${outcome.code}`);
        const seen = outcome.results.map((result) => result.data?.aiJobUpdated.status);
        return { job, seen, webhook: await webhookStatus(jobId) };
      } finally {
        release();
        await connection.dispose();
      }
    }

    it('ends CANCELLED with no result when the document is deleted during the model call', async () => {
      const before = (await harness.metrics()).value('ai_jobs_total', {
        kind: 'summary',
        outcome: 'cancelled',
      });
      const { job, seen, webhook } = await changedWhileRunning('deleted', async () => {
        expect(await client().deleteDocument('deleted')).toBe(true);
      });
      expect(job).toMatchObject({ status: 'CANCELLED', summary: null });
      expect(JSON.stringify(job)).not.toContain(SUMMARY);
      expect(seen.at(-1)).toBe('CANCELLED');
      expect(seen).not.toContain('COMPLETED');
      expect(webhook).toBe('CANCELLED');
      expect(
        (await harness.metrics()).value('ai_jobs_total', { kind: 'summary', outcome: 'cancelled' }),
      ).toBe(before + 1);
    });

    it('ends CANCELLED when the document is ingested again with other text during the model call', async () => {
      const { job, seen, webhook } = await changedWhileRunning('changed', () =>
        ingest('changed', `${BODY} The lamp is trimmed at dusk.`, false),
      );
      expect(job).toMatchObject({ status: 'CANCELLED', summary: null });
      expect(seen.at(-1)).toBe('CANCELLED');
      expect(webhook).toBe('CANCELLED');
    });

    it('ends a direct startSummaryJob { documentId } CANCELLED when its document is deleted during the call', async () => {
      const { job, seen, webhook } = await changedWhileRunning(
        'direct-deleted',
        async () => {
          expect(await client().deleteDocument('direct-deleted')).toBe(true);
        },
        'direct',
      );
      expect(job).toMatchObject({ status: 'CANCELLED', summary: null });
      expect(JSON.stringify(job)).not.toContain(SUMMARY);
      expect(seen.at(-1)).toBe('CANCELLED');
      expect(seen).not.toContain('COMPLETED');
      expect(webhook).toBe('CANCELLED');
    });

    it('ends a direct startSummaryJob CANCELLED when its document is ingested again with other text', async () => {
      const { job, webhook } = await changedWhileRunning(
        'direct-changed',
        () => ingest('direct-changed', `${BODY} The lamp is trimmed at dusk.`, false),
        'direct',
      );
      expect(job).toMatchObject({ status: 'CANCELLED', summary: null });
      expect(webhook).toBe('CANCELLED');
    });

    it('completes a direct startSummaryJob when its document is left alone', async () => {
      const { job, webhook } = await changedWhileRunning('direct-kept', async () => undefined, 'direct');
      expect(job).toMatchObject({ status: 'COMPLETED', summary: { text: SUMMARY } });
      expect(webhook).toBe('COMPLETED');
    });

    it('completes, its summary kept, when the document is left alone', async () => {
      const { job, seen, webhook } = await changedWhileRunning('kept', async () => undefined);
      expect(job).toMatchObject({ status: 'COMPLETED', summary: { text: SUMMARY } });
      expect(seen.at(-1)).toBe('COMPLETED');
      expect(webhook).toBe('COMPLETED');
    });
  },
);
