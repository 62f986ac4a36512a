// Job subscriptions had no per-tenant cap, and each read the database once a poll interval: with
// limits.maxConcurrentStreams 10, three sockets opened 300 aiJobUpdated subscriptions on one queued job, and
// PostgreSQL's commits went from 109 to 1,780 in 5 s, LISTEN working (found by an audit). Now a subscription
// holds one of its tenant's stream leases (Redis, over every replica) as askStream does, the one past the limit
// refused with JOB_LIMIT_EXCEEDED naming limits.maxConcurrentStreams; and while notifications are live a
// subscription reads its job only on a notified change or as a safety net every ten poll intervals.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { AI_JOB_UPDATED, CANCEL_AI_JOB, START_SUMMARY_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { POSTGRES_URL, REDIS_URL, requireRedis } from '../support/services';
import { openWsConnection } from '../support/ws-client';
import type { WsConnection, WsStream } from '../support/ws-client';
import { eventually, waitUntil } from '../support/wait-for';

jest.setTimeout(90_000);
requireRedis();

const unique = (name: string) => `${name}-${randomBytes(4).toString('hex')}`;
type Watch = WsStream<{ aiJobUpdated: AIJob }>;
const TEXT = 'The quay closes at dusk. Cranes stop when the wind passes forty knots.';

describe('job subscriptions had no per-tenant cap', () => {
  const capped = unique('watch-capped');
  const other = unique('watch-other');
  const many = unique('watch-many');
  let harness: Harness;
  const connections: WsConnection[] = [];

  beforeAll(async () => {
    harness = await startHarness({
      store: 'postgres',
      env: {
        // No runner: the jobs stay queued, so every subscription stays open.
        JOB_CONCURRENCY: '0',
        JOB_POLL_INTERVAL_MS: '1000',
        REDIS_URL,
        TENANT_POLICIES_JSON: JSON.stringify({
          tenants: {
            [capped]: { limits: { maxConcurrentStreams: 10 } },
            [many]: { limits: { maxConcurrentStreams: 1000 } },
          },
        }),
      },
    });
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.dispose()));
  });
  afterAll(() => harness?.stop());

  const startJob = async (tenant: string) =>
    (await harness.as(tenant).data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input: { text: TEXT } }))
      .startSummaryJob;
  const connect = async (tenant: string) => {
    const connection = openWsConnection(harness.wsUrl, {
      authorization: `Bearer ${await harness.token(tenant)}`,
    });
    connections.push(connection);
    return connection;
  };
  const watch = (connection: WsConnection, id: string): Watch =>
    connection.start<{ aiJobUpdated: AIJob }>(AI_JOB_UPDATED, { id });
  const firstEvent = (stream: Watch) =>
    waitUntil(() => stream.results.length > 0, 10_000, 'the job as it stands');
  const statusOf = (stream: Watch) => stream.results[0]?.data?.aiJobUpdated.status;
  /** How a refused subscription ended: its errors' extensions; 'still open' if it was admitted. */
  const refusal = async (stream: Watch) => {
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      stream.ended,
      new Promise<'still open'>((resolve) => (timer = setTimeout(() => resolve('still open'), 5_000))),
    ]).finally(() => clearTimeout(timer));
    if (ended === 'still open') return ended;
    if (ended.kind !== 'results') throw new Error(`socket closed: ${ended.code}`);
    return ended.results.flatMap((result) => result.errors ?? []).map((error) => error.extensions);
  };

  it("refuses the tenant's 11th aiJobUpdated over two connections with limits.maxConcurrentStreams 10; another tenant is unaffected; an unsubscribe frees a slot", async () => {
    const job = await startJob(capped);
    const first = await connect(capped);
    const second = await connect(capped);
    const held = [
      ...Array.from({ length: 6 }, () => watch(first, job.id)),
      ...Array.from({ length: 4 }, () => watch(second, job.id)),
    ];
    for (const stream of held) await firstEvent(stream);
    expect(held.map(statusOf)).toEqual(Array(10).fill('QUEUED'));

    // Past the tenant's limit, on either connection (each far below WS_MAX_STREAMS_PER_CONNECTION).
    for (const connection of [first, second]) {
      expect(await refusal(watch(connection, job.id))).toEqual([
        { code: 'JOB_LIMIT_EXCEEDED', limit: 'limits.maxConcurrentStreams', max: 10 },
      ]);
    }

    // The limit is the tenant's: another tenant watches its own job.
    const theirs = watch(await connect(other), (await startJob(other)).id);
    await firstEvent(theirs);
    expect(statusOf(theirs)).toBe('QUEUED');

    // An unsubscribe gives its slot back.
    held[0]!.stop();
    await sleep(200);
    const next = watch(second, job.id);
    await firstEvent(next);
    expect(statusOf(next)).toBe('QUEUED');
    expect(await refusal(watch(first, job.id))).toEqual([
      expect.objectContaining({ limit: 'limits.maxConcurrentStreams' }),
    ]);

    // A closed socket gives back every slot its subscriptions held.
    await second.dispose();
    await sleep(200);
    const third = await connect(capped);
    const after = Array.from({ length: 5 }, () => watch(third, job.id));
    for (const stream of after) await firstEvent(stream);
    expect(after.map(statusOf)).toEqual(Array(5).fill('QUEUED'));
  });

  it('with LISTEN on PostgreSQL, subscriptions idle on a queued job read it far less than once a poll interval each, and still see its change at once', async () => {
    const { schema } = harness.app.config.store;
    const job = await startJob(many);
    const watching = 30;
    const seconds = 4;

    // The subgraph listens on its channel (PostgreSQL, not PGlite): notifications are live.
    expect(await listeners(`LISTEN "${schema}_jobs"`)).toBe(1);

    const connection = await connect(many);
    const streams = Array.from({ length: watching }, () => watch(connection, job.id));
    for (const stream of streams) await firstEvent(stream);
    // Past each subscription's first reads (its job as it stands, then one look after listening).
    await sleep(1_000);

    const before = await jobReads(schema);
    await sleep(seconds * 1_000);
    const reads = (await jobReads(schema)) - before;
    // Polling, it was one read per subscription and poll interval (1 s): watching × seconds, 120. Now none is
    // due before the safety net's tenth poll interval; a few reads of the service's own are allowed for.
    expect(reads).toBeLessThan((watching * seconds) / 4);

    // A change is still seen at once, through its notification, not at the safety net's read.
    await harness.as(many).data(CANCEL_AI_JOB, { id: job.id });
    const ends = await Promise.all(streams.map((stream) => stream.ended));
    for (const ended of ends) {
      if (ended.kind !== 'results') throw new Error(`socket closed: ${ended.code}`);
      expect(ended.results.map((result) => result.data?.aiJobUpdated.status)).toEqual([
        'QUEUED',
        'CANCELLED',
      ]);
    }
  });

  it('a change announced to nobody is read once the listening connection is back, not at the safety net', async () => {
    const { schema } = harness.app.config.store;
    const job = await startJob(many);
    const stream = watch(await connect(many), job.id);
    await firstEvent(stream);
    await sleep(500);
    // Another replica's change whose notice nobody got: written without one, then the listening connection
    // lost and opened again (job-events.ts wakes every watcher then).
    await withClient(async (client) => {
      await client.query(
        `UPDATE ${schema}.jobs SET status = 'cancelled', completed_at = now() WHERE tenant_id = $1 AND id = $2`,
        [many, job.id],
      );
      const { rows } = await client.query<{ ended: boolean }>(
        'SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE query = $1',
        [`LISTEN "${schema}_jobs"`],
      );
      expect(rows.map((row) => row.ended)).toEqual([true]);
    });
    const started = Date.now();
    const ended = await stream.ended;
    // Well before the tenth poll interval (10 s), when the safety net would have read it.
    expect(Date.now() - started).toBeLessThan(4_000);
    if (ended.kind !== 'results') throw new Error(`socket closed: ${ended.code}`);
    expect(ended.results.map((result) => result.data?.aiJobUpdated.status)).toEqual(['QUEUED', 'CANCELLED']);
    await eventually(
      async () => ((await listeners(`LISTEN "${schema}_jobs"`)) === 1 ? true : undefined),
      5_000,
      'listening again',
    );
  });
});

async function withClient<T>(run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Sessions whose last statement was `query`. */
const listeners = (query: string) =>
  withClient(async (client) => {
    const { rows } = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = $1',
      [query],
    );
    return rows[0]?.n ?? 0;
  });

/**
 * Scans of the harness's own `jobs` table so far (its schema is this suite's alone): each read of a job is one.
 * A backend reports its counts at most once a second, so the sum is read after a second's pause.
 */
const jobReads = async (schema: string) => {
  await sleep(1_100);
  return withClient(async (client) => {
    const { rows } = await client.query<{ n: string }>(
      `SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) AS n
         FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'jobs'`,
      [schema],
    );
    return Number(rows[0]?.n ?? 0);
  });
};
