// A job whose run threw waits out its retry backoff in the engine (JOB_RETRY_DELAY_SECONDS, doubled per try):
// admitted, not running, and not ready either. On both stores, with one runner and a minute's delay: tenant
// A's job fails its first try, then tenant B starts one; B's job runs at once on the idle runner. Before, the
// job in backoff counted as one of the JOB_CONCURRENCY admitted jobs waiting for a runner, so the dispatcher
// admitted nothing and B waited for the whole backoff. The run is made to throw (an error of the service, not
// a provider's, which degrades) by taking the application role's read of the documents' text away for its try
// (their ids and versions stay readable: a start pins the document's version with its job).
import { JOB_TEXT, startJobsHarness } from '../support/jobs-harness';
import type { Harness } from '../support/harness';
import { AI_JOB_QUERY, CANCEL_AI_JOB, START_SUMMARY_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { eventually } from '../support/wait-for';

jest.setTimeout(60_000);

describe.each(['pglite', 'postgres'] as const)('retry backoff on %s', (store) => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startJobsHarness({
      store,
      // The first retry after 60 to 120 s (pg-boss's jitter): far beyond what the test waits for B.
      env: { JOB_CONCURRENCY: '1', JOB_RETRY_DELAY_SECONDS: '60', JOB_RETRY_LIMIT: '2' },
    });
  });
  afterAll(() => harness?.stop());

  const start = async (tenant: string, input: { text?: string; documentId?: string }) =>
    (await harness.as(tenant).data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input })).startSummaryJob;
  const read = async (tenant: string, id: string) =>
    (await harness.as(tenant).data<{ aiJob: AIJob | null }>(AI_JOB_QUERY, { id })).aiJob as AIJob;

  it("a job waiting out its retry backoff does not hold up another tenant's job", async () => {
    await harness.as('tenant-a').ingest({ id: 'depot', title: 'Depot', body: JOB_TEXT });
    const { schema, appRole } = harness.app.config.store;
    const db = harness.app.store.db;
    await db.exec(`REVOKE SELECT ON ${schema}.documents FROM ${appRole}`);
    await db.exec(`GRANT SELECT (tenant_id, id, version) ON ${schema}.documents TO ${appRole}`);
    let aJob: AIJob;
    try {
      aJob = await start('tenant-a', { documentId: 'depot' });
      // Its first try threw: handed back to the engine, which retries it after the backoff.
      await eventually(
        async () => {
          const job = await read('tenant-a', aJob.id);
          return job.status === 'QUEUED' && job.attempts === 1 ? job : undefined;
        },
        20_000,
        "tenant A's first try failed",
      );
    } finally {
      await db.exec(`GRANT SELECT ON ${schema}.documents TO ${appRole}`);
    }

    const bJob = await start('tenant-b', { text: `${JOB_TEXT} The only route of B.` });
    const bDone = await eventually(
      async () => {
        const job = await read('tenant-b', bJob.id);
        return job.status === 'COMPLETED' ? job : undefined;
      },
      5_000,
      "tenant B's job completed",
    );
    expect(bDone).toMatchObject({ status: 'COMPLETED', attempts: 1 });
    // A's retry is still ahead: the backoff was not cut short, only no longer held against B.
    expect(await read('tenant-a', aJob.id)).toMatchObject({ status: 'QUEUED', attempts: 1 });
    await harness.as('tenant-a').data(CANCEL_AI_JOB, { id: aJob.id });
  });
});
