// The summary job ingestDocument(summarize: true) queues is the summary of the document as it was ingested: when
// that document is deleted before the job runs (and perhaps created again under its id, with another text), the
// job ends CANCELLED with no result and no model call, instead of paying for a summary kept nowhere. The jobs
// are queued on a replica that runs none (PostgreSQL), and run by a second one started after the deletes.
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { AI_JOB_QUERY, FAST_JOBS } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { replyByTask } from '../support/providers/task-replies';
import { eventually } from '../support/wait-for';

jest.setTimeout(60_000);

const CHAT = '/v1/chat/completions';
const TENANT = 'acme';
const BODY = 'The ferry leaves at noon. Tickets are sold on board.';
const SUMMARY = 'Tickets are sold on board.';

const INGEST = `mutation Ingest($input: IngestDocumentInput!) {
  ingestDocument(input: $input) { summaryJobId }
}`;

describe('deleting a document whose summary job is queued (PostgreSQL)', () => {
  let queuing: Harness;
  let running: Harness | undefined;

  beforeAll(async () => {
    queuing = await startHarness({
      providers: ['openai'],
      responder: replyByTask({ summary: SUMMARY, answer: SUMMARY }),
      env: { ...FAST_JOBS, JOB_CONCURRENCY: '0' },
    });
  });
  afterAll(async () => {
    await running?.stop();
    await queuing?.stop();
  });

  const ingest = async (id: string, body: string, summarize: boolean) =>
    (
      await queuing.as(TENANT).data<{ ingestDocument: { summaryJobId: string | null } }>(INGEST, {
        input: { id, title: 'Ferry', body, summarize },
      })
    ).ingestDocument.summaryJobId;
  const finalJob = (id: string | null) =>
    eventually(
      async () => {
        const { aiJob } = await queuing.as(TENANT).data<{ aiJob: AIJob | null }>(AI_JOB_QUERY, { id });
        return aiJob && !['QUEUED', 'RUNNING'].includes(aiJob.status) ? aiJob : undefined;
      },
      20_000,
      'the job ended',
    );

  it('ends the job CANCELLED without a model call, also when the id was created again', async () => {
    const deletedJob = await ingest('deleted', BODY, true);
    expect(await queuing.as(TENANT).deleteDocument('deleted')).toBe(true);
    const recreatedJob = await ingest('recreated', BODY, true);
    expect(await queuing.as(TENANT).deleteDocument('recreated')).toBe(true);
    await ingest('recreated', `${BODY} The café closes early.`, false);
    // Left alone: the runner does run this tenant's jobs, and calls the model for it.
    const keptJob = await ingest('kept', BODY, true);
    queuing.providers.reset();

    running = await startHarness({
      providers: queuing.providers,
      env: { ...FAST_JOBS, DATABASE_SCHEMA: queuing.app.config.store.schema },
    });
    expect(await finalJob(keptJob)).toMatchObject({ status: 'COMPLETED', summary: { text: SUMMARY } });
    for (const id of [deletedJob, recreatedJob]) {
      expect(await finalJob(id)).toMatchObject({ status: 'CANCELLED', summary: null });
    }
    expect(queuing.providers.requestCount(CHAT)).toBe(1);
    const metrics = await running.metrics();
    expect(metrics.value('ai_jobs_total', { kind: 'summary', outcome: 'cancelled' })).toBe(2);
  });
});
