// Finding: a stale run whose claim lapsed completed the engine job of the run that took over. pg-boss retries an
// expired job under the same id, so the first run's end (its claim gone, its result dropped) still completed
// the engine job, now the second run's; when that run then failed, its retry went nowhere: the row QUEUED, no
// engine job left to run it. Now a run completes the engine job only as its own fetch took it (pg-boss counts
// the retry in the fetch), so the run that took over settles it.
// The real job store and pg-boss queue, on PGlite and PostgreSQL, driven in the order two runs would drive them
// (job-runner.ts): run A fetches and claims with a claim that lapses at once; its engine job fails as on expiry
// (pg-boss's own fail, the retry's backoff skipped) and run B fetches and takes the claim over; A ends; B fails.
import { randomUUID } from 'node:crypto';
import { createJobStore } from '../../subgraph/jobs/job-store';
import { JOB_QUEUE, openJobQueue } from '../../subgraph/jobs/job-queue';
import type { FetchedJob, JobQueue } from '../../subgraph/jobs/job-queue';
import { BACKENDS, openTestStore } from '../support/stores';
import type { TestStore } from '../support/stores';

jest.setTimeout(60_000);

const TENANT = 'stale-run';

describe.each(BACKENDS)('a stale run on %s', (backend) => {
  let store: TestStore;
  let queue: JobQueue;
  const bossSchema = () => `${store.schema}_queue`;

  beforeAll(async () => {
    store = await openTestStore(backend);
    queue = await openJobQueue(
      store.current.db,
      {
        schema: bossSchema(),
        expireSeconds: 60,
        retryLimit: 2,
        retryDelaySeconds: 1,
        maintenanceIntervalSeconds: 300,
        webhookRetryLimit: 0,
        webhookRetryDelaySeconds: 1,
      },
      () => undefined,
    );
  });
  afterAll(async () => {
    await queue?.stop();
    await store?.dispose();
  });

  async function engineJob(id: string): Promise<{ state: string; retry_count: number }> {
    const { rows } = await store.current.db.query<{ state: string; retry_count: number }>(
      `SELECT state, retry_count FROM ${bossSchema()}.job WHERE id = $1`,
      [id],
    );
    return rows[0]!;
  }

  async function fetchOne(): Promise<FetchedJob> {
    const fetched = await queue.fetch(JOB_QUEUE);
    if (!fetched) throw new Error('no engine job to fetch');
    return fetched;
  }

  it('does not complete the engine job of the run that took over: that run’s failure is retried', async () => {
    const db = store.current.db;
    const jobs = createJobStore(db, { schema: store.schema, appRole: store.appRole, notifyChannel: null });
    const id = randomUUID();
    const queueJobId = randomUUID();
    const input = { text: 'The ferry leaves at noon.' };
    await jobs.start({ tenantId: TENANT, id, kind: 'summary', input, queueJobId }, 10);
    await db.batch([await queue.sendAllStatement([{ data: { jobId: id, tenantId: TENANT }, queueJobId }])]);

    // Run A: fetched and claimed, its claim lapsing at once (its replica stalled past the job's deadline).
    const fetchedA = await fetchOne();
    const claimA = randomUUID();
    expect((await jobs.claim(TENANT, id, { claimId: claimA, holdMs: 1, maxRunning: 4 })).kind).toBe(
      'claimed',
    );
    // Its engine job expires: failed as pg-boss's maintenance fails it, then due again at once.
    await queue.fail(fetchedA);
    await db.query(`UPDATE ${bossSchema()}.job SET start_after = now() WHERE id = $1`, [queueJobId]);

    // Run B: the same engine job again (a retry keeps the id), taking the lapsed claim over.
    const fetchedB = await fetchOne();
    expect(fetchedB.queueJobId).toBe(queueJobId);
    const claimB = randomUUID();
    expect((await jobs.claim(TENANT, id, { claimId: claimB, holdMs: 60_000, maxRunning: 4 })).kind).toBe(
      'claimed',
    );

    // Run A ends, as the runner ends a run: its end and its engine job's completion in one batch.
    const endedA = await jobs.finish(TENANT, id, claimA, { status: 'completed', result: null, input }, [
      queue.completeStatement(fetchedA),
    ]);
    expect(endedA).toBeNull();
    expect((await engineJob(queueJobId)).state).toBe('active');
    // Nor does a stale run's settling on its own (a cancel, a failure whose claim no longer held).
    await queue.complete(fetchedA);
    expect((await engineJob(queueJobId)).state).toBe('active');

    // Run B fails: the row goes back to QUEUED and its engine job is retried, not left completed.
    expect(await jobs.release(TENANT, id, claimB)).toBe(true);
    await queue.fail(fetchedB);
    expect((await jobs.find(TENANT, id))?.status).toBe('queued');
    expect(await engineJob(queueJobId)).toEqual({ state: 'retry', retry_count: 1 });
  });
});
