// jobs.maxQueued under concurrent starts, on PostgreSQL and on PGlite: a start counts the tenant's queued jobs
// and inserts its own in one statement taken under the tenant's lock (job-store.ts), so starts racing for the
// last places never all pass. This replica runs no jobs (JOB_CONCURRENCY=0), so every accepted job stays
// queued and the count is exact: of twelve starts at once with room for five, five are queued and seven
// refused, by name.
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { FAST_JOBS, START_SUMMARY_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';

jest.setTimeout(60_000);

const MAX_QUEUED = 5;
const STARTS = 12;

describe.each(['postgres', 'pglite'] as const)('concurrent job starts on %s', (store) => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({
      store,
      env: {
        ...FAST_JOBS,
        JOB_CONCURRENCY: '0',
        TENANT_POLICIES_JSON: JSON.stringify({ tenants: { racing: { jobs: { maxQueued: MAX_QUEUED } } } }),
      },
    });
  });
  afterAll(() => harness?.stop());

  it('queues exactly jobs.maxQueued of the starts racing for the places, refusing the rest', async () => {
    const responses = await Promise.all(
      Array.from({ length: STARTS }, (_, i) =>
        harness
          .as('racing')
          .request<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input: { text: `Start number ${i}.` } }),
      ),
    );
    const queued = responses.flatMap((response) => response.body.data?.startSummaryJob ?? []);
    const refusals = responses.flatMap((response) => response.body.errors ?? []);

    expect(queued).toHaveLength(MAX_QUEUED);
    expect(queued.every((job) => job.status === 'QUEUED')).toBe(true);
    expect(refusals).toHaveLength(STARTS - MAX_QUEUED);
    for (const refusal of refusals) {
      expect(refusal).toMatchObject({
        extensions: { code: 'JOB_LIMIT_EXCEEDED', limit: 'jobs.maxQueued', max: MAX_QUEUED },
      });
    }
    // Another tenant's places are its own.
    const other = await harness.as('acme').request<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, {
      input: { text: 'Another tenant.' },
    });
    expect(other.body.data?.startSummaryJob?.status).toBe('QUEUED');
  });

  // Found by a review: the document was stored, then the refused summary job failed the whole mutation, so the
  // client was told nothing was ingested (IngestResult! null) when it was, and a retry ingested it again.
  it('ingestDocument(summarize: true) past jobs.maxQueued stores the document and refuses only summaryJobId', async () => {
    const full = harness.as('racing'); // the test above left its five places taken
    const response = await full.request<{
      ingestDocument: { documentId: string; chunks: number; summaryJobId: string | null };
    }>(
      `mutation($input: IngestDocumentInput!) { ingestDocument(input: $input) { documentId chunks summaryJobId } }`,
      {
        input: {
          id: 'full-queue',
          title: 'Quay rules',
          body: 'Cranes stop when the wind passes forty knots.',
          summarize: true,
        },
      },
    );
    expect(response.body.data?.ingestDocument).toEqual({
      documentId: 'full-queue',
      chunks: 1,
      summaryJobId: null,
    });
    expect(response.body.errors).toEqual([
      expect.objectContaining({
        path: ['ingestDocument', 'summaryJobId'],
        extensions: { code: 'JOB_LIMIT_EXCEEDED', limit: 'jobs.maxQueued', max: MAX_QUEUED },
      }),
    ]);
    const found = await full.search('cranes wind knots');
    expect('hits' in found ? found.hits.map((hit) => hit.documentId) : []).toContain('full-queue');
  });
});
