// A model whose reply carries NUL (valid JSON, "\u0000"), on both stores: the reply is served and stored with
// U+FFFD in its place. PostgreSQL's text and jsonb cannot hold NUL, so before, the job's result and the
// document's stored summary failed to be written: the job was retried and ended FAILED, though the model had
// answered. (A long summary fed its parts' summaries back to the summarize input, which refuses NUL.)
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { replyByTask } from '../support/providers/task-replies';
import { AI_JOB_QUERY, FAST_JOBS } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { eventually } from '../support/wait-for';

jest.setTimeout(60_000);

const BODY =
  'The lighthouse keeper logs the weather at dawn. Supply boats arrive every second Thursday. ' +
  'The lamp was converted to electricity in 1962.';
const SUMMARY_WITH_NUL = 'Supply boats arrive\u0000 every second Thursday.';
const SERVED = 'Supply boats arrive\uFFFD every second Thursday.';

const INGEST = `mutation Ingest($input: IngestDocumentInput!) {
  ingestDocument(input: $input) { documentId summaryJobId }
}`;
const SUMMARIZE = `query Summarize($input: SummarizeInput!) {
  summarize(input: $input) { __typename ... on Summary { text } ... on DegradedSummary { text } }
}`;

describe.each(['pglite', 'postgres'] as const)('a model reply carrying NUL on %s', (store) => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({
      providers: ['openai'],
      store,
      responder: replyByTask({ summary: SUMMARY_WITH_NUL, answer: SUMMARY_WITH_NUL }),
      env: { ...FAST_JOBS, CACHE_TTL_SUMMARIZE_SECONDS: '0' },
    });
  });
  afterAll(() => harness?.stop());

  it('is served with U+FFFD in place of NUL', async () => {
    const { summarize } = await harness
      .as('acme')
      .data<{ summarize: { __typename: string; text: string } }>(SUMMARIZE, { input: { text: BODY } });
    expect(summarize).toEqual({ __typename: 'Summary', text: SERVED });
  });

  it("completes a document's summary job and stores its result", async () => {
    const { ingestDocument } = await harness.as('acme').data<{
      ingestDocument: { summaryJobId: string | null };
    }>(INGEST, { input: { id: 'lighthouse', title: 'Lighthouse', body: BODY, summarize: true } });
    const done = await eventually(
      async () => {
        const { aiJob } = await harness
          .as('acme')
          .data<{ aiJob: AIJob | null }>(AI_JOB_QUERY, { id: ingestDocument.summaryJobId });
        return aiJob?.status === 'COMPLETED' || aiJob?.status === 'FAILED' ? aiJob : undefined;
      },
      30_000,
      'the summary job ended',
    );
    expect(done).toMatchObject({ status: 'COMPLETED', attempts: 1 });
    expect(done.summary).toMatchObject({ __typename: 'Summary', text: SERVED });
  });
});
