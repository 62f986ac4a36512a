// Issue 14: the periodic embedding sweep runs on the job engine. Every replica that runs jobs offers a run each
// EMBED_SWEEP_INTERVAL_MS into a 'stately' pg-boss queue throttled to one run per interval, so two replicas on
// one PostgreSQL schema run one sweep per interval between them and never two at once (read from the engine's
// own rows: each run's active window); on PGlite the scheduled run embeds a document stored while embeddings
// were down, with no one calling runOnce; and a replica that only queues (JOB_CONCURRENCY=0) runs none.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { CIRCUITS_STAY_CLOSED, FAST_RETRIES, startHarness, startFakeProviders } from '../support/harness';
import type { FakeProviders, Harness } from '../support/harness';
import { FAST_JOBS } from '../support/job-operations';
import { POSTGRES_URL } from '../support/stores';
import { eventually } from '../support/wait-for';

jest.setTimeout(60_000);

const EMBEDDINGS = '/v1/embeddings';
const SMALL = 'openai:text-embedding-3-small';
/** Under the 1 s throttle slot: each replica offers a run several times per slot. */
const SWEEP_EVERY_200_MS = { EMBED_SWEEP_INTERVAL_MS: '200' } as const;

interface SweepRun {
  state: string;
  created_on: Date;
  started_on: Date | null;
  completed_on: Date | null;
}

const sweepRunsSql = (schema: string) =>
  `SELECT state, created_on, started_on, completed_on FROM ${schema}_queue.job
   WHERE name = 'ai-embedding-sweep' ORDER BY started_on NULLS LAST`;

describe('the embedding sweep scheduled on two PostgreSQL replicas', () => {
  let providers: FakeProviders;
  let first: Harness | undefined;
  let second: Harness | undefined;
  const client = new Client({ connectionString: POSTGRES_URL });

  beforeAll(async () => {
    providers = await startFakeProviders(['openai']);
    await client.connect();
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
    await providers?.close();
    await client.end();
  });

  it('runs the sweep, one run per interval between them, never two at once', async () => {
    first = await startHarness({ providers, env: { ...FAST_JOBS, ...SWEEP_EVERY_200_MS } });
    const schema = first.app.config.store.schema;
    second = await startHarness({
      providers,
      env: { ...FAST_JOBS, ...SWEEP_EVERY_200_MS, DATABASE_SCHEMA: schema },
    });
    const runs = await eventually(
      async () => {
        const { rows } = await client.query<SweepRun>(sweepRunsSql(schema));
        return rows.filter((run) => run.state === 'completed').length >= 3 ? rows : undefined;
      },
      30_000,
      'three sweep runs',
    );
    // Ten offers a second from the two replicas; untrottled, as many runs. Throttled, each run has a 1 s slot
    // of its own by its creation time, so n runs were created over more than n - 2 seconds. (Timed by the
    // engine's rows, not the test's clock: the first replica may have run sweeps while the second started.)
    const created = runs.map((run) => run.created_on.getTime());
    const spanSeconds = (Math.max(...created) - Math.min(...created)) / 1000;
    expect(runs.length).toBeLessThanOrEqual(Math.floor(spanSeconds) + 2);
    const windows = runs
      .filter((run) => run.started_on !== null)
      .map((run) => ({ start: run.started_on!.getTime(), end: run.completed_on?.getTime() ?? Infinity }));
    for (let i = 1; i < windows.length; i++) {
      expect(windows[i]!.start).toBeGreaterThanOrEqual(windows[i - 1]!.end);
    }
  });
});

describe('the embedding sweep scheduled on PGlite', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  const storeAndWaitForSweep = async (env: Record<string, string>) => {
    harness = await startHarness({
      store: 'pglite',
      providers: ['openai'],
      env: { ...FAST_RETRIES, ...CIRCUITS_STAY_CLOSED, ...FAST_JOBS, ...SWEEP_EVERY_200_MS, ...env },
    });
    const tenantClient = harness.as(`sweep-${randomBytes(4).toString('hex')}`);
    harness.providers.openai.faults.always({ kind: 'status', status: 503 }, { path: EMBEDDINGS });
    const harbour = { id: 'harbour', title: 'Harbour', body: 'Boats moor at the east pier every evening.' };
    expect(await tenantClient.ingest(harbour)).toMatchObject({ embedded: false });
    harness.providers.openai.faults.clear();
    const pending = async () =>
      (await harness!.app.store.documents.pendingEmbedding(SMALL, 100)).filter(
        (doc) => doc.tenantId === tenantClient.tenant,
      );
    return { harness, pending };
  };

  it('embeds a document stored while embeddings were down, with no one calling runOnce', async () => {
    const { harness: running, pending } = await storeAndWaitForSweep({});
    await eventually(async () => ((await pending()).length === 0 ? true : undefined), 30_000, 'swept');
    const { rows } = await running.app.store.db.query<SweepRun>(
      sweepRunsSql(running.app.config.store.schema),
    );
    expect(rows.some((run) => run.state === 'completed')).toBe(true);
  });

  it('runs no sweep on a replica that only queues (JOB_CONCURRENCY=0)', async () => {
    const { harness: queuing, pending } = await storeAndWaitForSweep({ JOB_CONCURRENCY: '0' });
    // Ten intervals, and more than one throttle slot: a replica that swept would have by now.
    await sleep(2_000);
    expect(await pending()).toHaveLength(1);
    const { rows } = await queuing.app.store.db.query<SweepRun>(
      sweepRunsSql(queuing.app.config.store.schema),
    );
    expect(rows).toEqual([]);
  });
});
