// Outside review finding 2, with summarize: an ingest of the same document again (no new version) with
// `summarize: true` queues no second summary job when the document's summary is stored, or still to come, for
// its version: it answers with that job's id, and the stored summary stays served with no model call. Without
// one (the document was stored without summarize), the job is queued as for any ingest.
import { randomBytes } from 'node:crypto';
import { useHarness } from '../support/harness';
import { AI_JOB_QUERY, FAST_JOBS } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { replyByTask } from '../support/providers/task-replies';
import { eventually } from '../support/wait-for';

jest.setTimeout(60_000);

const CHAT = '/v1/chat/completions';
const EMBEDDINGS = '/v1/embeddings';
const BODY =
  'The lighthouse keeper logs the weather at dawn. Supply boats arrive every second Thursday. ' +
  'The lamp was converted to electricity in 1962.';
const SUMMARY = 'Supply boats arrive every second Thursday.';
const INGEST = `mutation Ingest($input: IngestDocumentInput!) {
  ingestDocument(input: $input) { documentId summaryJobId }
}`;
const AI_SUMMARY = `query Summary($r: [_Any!]!) {
  _entities(representations: $r) {
    ... on Document { aiSummary { __typename ... on Summary { text meta { cached } } } }
  }
}`;

interface Ingested {
  ingestDocument: { documentId: string; summaryJobId: string | null };
}
interface Entities {
  _entities: { aiSummary: { __typename: string; text?: string; meta?: { cached: boolean } } }[];
}

describe.each(['pglite', 'postgres'] as const)(
  'Ingesting identical content again, with summarize, on %s',
  (store) => {
    const harness = useHarness({
      providers: ['openai'],
      store,
      responder: replyByTask({ summary: SUMMARY, answer: SUMMARY }),
      env: { ...FAST_JOBS, CACHE_TTL_SUMMARIZE_SECONDS: '0', EMBED_SWEEP_INTERVAL_MS: '0' },
    });
    const client = () => harness.as(`sum-${randomBytes(4).toString('hex')}`);
    const input = { id: 'harbour', title: 'Harbour', body: BODY, summarize: true };
    const completed = (tenant: ReturnType<typeof client>, id: string) =>
      eventually(
        async () => {
          const { aiJob } = await tenant.data<{ aiJob: AIJob | null }>(AI_JOB_QUERY, { id });
          return aiJob?.status === 'COMPLETED' ? aiJob : undefined;
        },
        20_000,
        'the summary job completed',
      );

    it('answers with the job whose summary is stored, queues none, and the summary stays served', async () => {
      const tenant = client();
      const first = (await tenant.data<Ingested>(INGEST, { input })).ingestDocument;
      await completed(tenant, first.summaryJobId ?? '');
      const chats = harness.providers.requestCount(CHAT);
      const embeddings = harness.providers.requestCount(EMBEDDINGS);
      const again = (await tenant.data<Ingested>(INGEST, { input })).ingestDocument;
      expect(again.summaryJobId).toBe(first.summaryJobId);
      const { _entities } = await tenant.data<Entities>(AI_SUMMARY, {
        r: [{ __typename: 'Document', id: 'harbour' }],
      });
      expect(_entities[0]?.aiSummary).toEqual({
        __typename: 'Summary',
        text: SUMMARY,
        meta: { cached: true },
      });
      expect(harness.providers.requestCount(CHAT)).toBe(chats);
      expect(harness.providers.requestCount(EMBEDDINGS)).toBe(embeddings);
    });

    it('answers with the job still to come when the same document is ingested again at once', async () => {
      const tenant = client();
      const first = (await tenant.data<Ingested>(INGEST, { input })).ingestDocument;
      const again = (await tenant.data<Ingested>(INGEST, { input })).ingestDocument;
      expect(again.summaryJobId).toBe(first.summaryJobId);
      await completed(tenant, first.summaryJobId ?? '');
    });

    it('queues the job for the same document stored without a summary', async () => {
      const tenant = client();
      await tenant.data<Ingested>(INGEST, { input: { ...input, summarize: false } });
      const again = (await tenant.data<Ingested>(INGEST, { input })).ingestDocument;
      expect(again.summaryJobId).toEqual(expect.any(String));
      await completed(tenant, again.summaryJobId ?? '');
    });
  },
);
