// Retention of finished jobs (JOB_RETENTION_DAYS), on both stores: the periodic run deletes every tenant's
// jobs completed, failed or cancelled longer ago than the retention, and nothing else: a recent finished job,
// and a queued or running one however old, stay. The stored summary a deleted ingest job made keeps being
// served, the job gone; no job_dispatch row is left behind. Row level security holds: the run's policy lets
// the app role delete old finished rows, never read any. Jobs are aged by hand, as the connecting role.
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { replyByTask } from '../support/providers/task-replies';
import { AI_JOB_QUERY, CANCEL_AI_JOB, FAST_JOBS, START_SUMMARY_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { eventually } from '../support/wait-for';

jest.setTimeout(90_000);

const CHAT = '/v1/chat/completions';
const SUMMARY = 'Supply boats arrive every second Thursday.';
const TEXT = `${SUMMARY} The lamp was converted to electricity in 1962.`;
const INGEST = `mutation Ingest($input: IngestDocumentInput!) {
  ingestDocument(input: $input) { documentId summaryJobId }
}`;
const AI_SUMMARY = `query Summary($r: [_Any!]!) {
  _entities(representations: $r) { ... on Document { aiSummary { __typename ... on Summary { text } } } }
}`;

describe.each(['postgres', 'pglite'] as const)('finished jobs past JOB_RETENTION_DAYS on %s', (store) => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({
      providers: ['openai'],
      store,
      responder: replyByTask({ summary: SUMMARY, answer: SUMMARY }),
      env: {
        ...FAST_JOBS,
        JOB_RETENTION_DAYS: '7',
        JOB_RETENTION_INTERVAL_MS: '1000',
        // A served summary with no provider call is the stored one, not a cache hit.
        CACHE_TTL_SUMMARIZE_SECONDS: '0',
        // One run at a time for acme: its second job waits queued behind the hung one.
        TENANT_POLICIES_JSON: JSON.stringify({ tenants: { acme: { jobs: { maxRunning: 1 } } } }),
      },
    });
  });
  afterAll(() => harness?.stop());

  const sql = (text: string, params: unknown[] = []) => harness.app.store.db.query(text, params);
  const schema = () => harness.app.config.store.schema;
  const start = async (tenant: string) =>
    (await harness.as(tenant).data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input: { text: TEXT } }))
      .startSummaryJob;
  const read = async (tenant: string, id: string) =>
    (await harness.as(tenant).data<{ aiJob: AIJob | null }>(AI_JOB_QUERY, { id })).aiJob;
  const reaches = (tenant: string, id: string, status: AIJob['status']) =>
    eventually(
      async () => ((await read(tenant, id))?.status === status ? true : undefined),
      20_000,
      `job ${id} ${status}`,
    );
  /** Queued 30 days ago; finished `finishedDaysAgo` days ago when it is finished. */
  const age = async (id: string, finishedDaysAgo: number) => {
    await sql(
      `UPDATE ${schema()}.jobs SET created_at = now() - interval '30 days',
         started_at = CASE WHEN started_at IS NULL THEN NULL ELSE now() - interval '29 days' END,
         completed_at = CASE WHEN completed_at IS NULL THEN NULL
                             ELSE now() - make_interval(days => $2::integer) END
       WHERE id = $1`,
      [id, finishedDaysAgo],
    );
  };

  it('deletes old finished jobs of every tenant, keeps recent and unfinished ones, and the stored summary', async () => {
    const ingested = (
      await harness.as('acme').data<{ ingestDocument: { summaryJobId: string } }>(INGEST, {
        input: { id: 'lighthouse', title: 'Lighthouse', body: TEXT, summarize: true },
      })
    ).ingestDocument;
    const oldDone = await start('acme');
    const recentDone = await start('acme');
    const otherOld = await start('globex');
    const otherRecent = await start('globex');
    for (const [tenant, job] of [
      ['acme', ingested.summaryJobId],
      ['acme', oldDone.id],
      ['acme', recentDone.id],
      ['globex', otherOld.id],
      ['globex', otherRecent.id],
    ] as const)
      await reaches(tenant, job, 'COMPLETED');
    // acme's next job hangs at the model (RUNNING); the one after waits its turn (QUEUED); a third is cancelled.
    harness.providers.openai.faults.always({ kind: 'hang' });
    const running = await start('acme');
    await reaches('acme', running.id, 'RUNNING');
    const queued = await start('acme');
    const cancelled = await start('acme');
    await harness.as('acme').data(CANCEL_AI_JOB, { id: cancelled.id });

    for (const id of [ingested.summaryJobId, oldDone.id, otherOld.id, cancelled.id]) await age(id, 10);
    for (const id of [recentDone.id, otherRecent.id]) await age(id, 6);
    for (const id of [running.id, queued.id]) await age(id, 0);

    const gone = [
      ['acme', ingested.summaryJobId],
      ['acme', oldDone.id],
      ['globex', otherOld.id],
      ['acme', cancelled.id],
    ] as const;
    for (const [tenant, id] of gone)
      await eventually(
        async () => ((await read(tenant, id)) === null ? true : undefined),
        20_000,
        `${id} gone`,
      );
    expect(await read('acme', recentDone.id)).toMatchObject({ status: 'COMPLETED' });
    expect(await read('globex', otherRecent.id)).toMatchObject({ status: 'COMPLETED' });
    expect(await read('acme', running.id)).toMatchObject({ status: 'RUNNING' });
    expect(await read('acme', queued.id)).toMatchObject({ status: 'QUEUED' });

    const dispatch = await sql(`SELECT job_id FROM ${schema()}.job_dispatch WHERE job_id = ANY($1::uuid[])`, [
      gone.map(([, id]) => id),
    ]);
    expect(dispatch.rows).toEqual([]);
    // The document's summary outlives the job that made it: served stored, no model called.
    harness.providers.openai.faults.clear();
    const calls = harness.providers.requestCount(CHAT);
    const summary = await harness.as('acme').data<{ _entities: { aiSummary: unknown }[] }>(AI_SUMMARY, {
      r: [{ __typename: 'Document', id: 'lighthouse' }],
    });
    expect(summary._entities[0]?.aiSummary).toEqual({ __typename: 'Summary', text: SUMMARY });
    expect(harness.providers.requestCount(CHAT)).toBe(calls);
    await harness.as('acme').data(CANCEL_AI_JOB, { id: running.id });
    await harness.as('acme').data(CANCEL_AI_JOB, { id: queued.id });
  });

  it('lets the app role read no job without its tenant, retention set or not', async () => {
    const { appRole } = harness.app.config.store;
    const seen = await harness.app.store.db.transaction(async (tx) => {
      await tx.query("SELECT set_config('role', $1, true), set_config('app.job_retention_days', '0', true)", [
        appRole,
      ]);
      return tx.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${schema()}.jobs`);
    });
    expect(Number(seen.rows[0]?.n)).toBe(0);
    const all = await sql(`SELECT count(*) AS n FROM ${schema()}.jobs`);
    expect(Number((all.rows[0] as { n: string | number }).n)).toBeGreaterThan(0);
  });
});
