// Issue 14: "Kill the replica mid-job (SIGKILL): on PostgreSQL a second replica finishes it; on PGlite (one
// process per data folder) the restarted replica does; no job runs twice concurrently." The real entry point
// as an operator starts it; the fake provider hangs on the first run's model call, so the replica is killed
// while the job is surely running. Counted, never timed: the first run's model request must have closed
// before the second's began.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeProviders } from '../support/harness';
import type { FakeProviders } from '../support/harness';
import { AI_JOB_QUERY, AI_JOB_UPDATED, FAST_JOBS, START_SUMMARY_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { requirePostgres } from '../support/services';
import { spawnSubgraph } from '../support/spawn-subgraph';
import type { ChildEnv, SpawnedSubgraph } from '../support/spawn-subgraph';
import { dropPostgresSchema, POSTGRES_URL, uniqueSchemaName } from '../support/stores';
import { gql, TEST_AUDIENCE, TEST_ISSUER, TEST_JWT_SECRET } from '../support/subgraph';
import { tokenFor } from '../support/tokens';
import { eventually, waitUntil } from '../support/wait-for';
import { subscribeOnce } from '../support/ws-client';

jest.setTimeout(120_000);

const SUMMARY = 'The depot ships spare parts every Tuesday.';
const TEXT = `${SUMMARY} Orders placed after noon leave a week later. Returns go to the same depot.`;
const CHAT = '/v1/chat/completions';

const running: SpawnedSubgraph[] = [];
let providers: FakeProviders;
/**
 * The PGlite test's folder and first replica. A fresh folder's start (initdb, migrations) is the longest of
 * this suite's, so it begins before the tests, beside the PostgreSQL test; it idles (no job is queued in its
 * folder, and it calls no model) until its own test.
 */
const pgliteDataDir = mkdtempSync(join(tmpdir(), 'ai-jobs-'));
let pgliteFirst: Promise<SpawnedSubgraph>;

beforeAll(async () => {
  providers = await startFakeProviders(['openai'], () => SUMMARY);
  pgliteFirst = replica({ DATA_DIR: pgliteDataDir });
  // Its test awaits (and fails with) it; a failed start is no unhandled rejection meanwhile.
  pgliteFirst.catch(() => undefined);
});
afterAll(async () => {
  // Settled first, so that a replica still starting is in `running` and killed.
  await pgliteFirst?.catch(() => undefined);
  await Promise.allSettled(running.map((replica) => replica.kill()));
  await providers?.close();
  rmSync(pgliteDataDir, { recursive: true, force: true });
});
beforeEach(() => providers.reset());

async function replica(env: ChildEnv): Promise<SpawnedSubgraph> {
  const subgraph = await spawnSubgraph({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    AUTH_ISSUER: TEST_ISSUER,
    AUTH_AUDIENCE: TEST_AUDIENCE,
    ...providers.env,
    ...FAST_JOBS,
    JOB_CONCURRENCY: '1',
    ...env,
  });
  running.push(subgraph);
  return subgraph;
}

async function startJob(url: string, token: string): Promise<AIJob> {
  const response = await gql<{ startSummaryJob: AIJob }>(url, START_SUMMARY_JOB, {
    token,
    variables: { input: { text: TEXT } },
  });
  expect(response.body.errors).toBeUndefined();
  return response.body.data?.startSummaryJob as AIJob;
}

function completed(url: string, token: string, id: string): Promise<AIJob> {
  return eventually(
    async () => {
      const job = (await gql<{ aiJob: AIJob | null }>(url, AI_JOB_QUERY, { token, variables: { id } })).body
        .data?.aiJob;
      return job && job.status !== 'QUEUED' && job.status !== 'RUNNING' ? job : undefined;
    },
    60_000,
    `job ${id} ended`,
  );
}

/** The killed run's model request closed before the next run's began: never two runs at once. */
function expectRunsOneAfterTheOther(): void {
  const calls = providers.openai.requests.filter((request) => request.path === CHAT);
  expect(calls).toHaveLength(2);
  const [killed, resumed] = calls;
  expect(killed?.aborted).toBe(true);
  expect(killed?.closedAt).toBeLessThanOrEqual(resumed?.at ?? 0);
}

test('PostgreSQL: a second replica finishes the job of a killed one, and a third sees it end over NOTIFY', async () => {
  requirePostgres();
  const schema = uniqueSchemaName('jobs');
  const own: SpawnedSubgraph[] = [];
  const ownReplica = async (env: ChildEnv) => {
    const started = await replica(env);
    own.push(started);
    return started;
  };
  try {
    const store = { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema };
    // One after the other: two replicas migrating a new schema at once race on creating it (migrate.ts creates
    // the schema before it takes its advisory lock).
    const first = await ownReplica(store);
    // Runs nothing, and re-reads a job only a minute apart: its subscription moves on notifications alone.
    const watcher = await ownReplica({ ...store, JOB_CONCURRENCY: '0', JOB_POLL_INTERVAL_MS: '60000' });
    const token = await tokenFor('acme');
    providers.openai.faults.once({ kind: 'hang' }, { path: CHAT });
    const job = await startJob(watcher.url, token);
    const updates = subscribeOnce<{ aiJobUpdated: AIJob }>(watcher.wsUrl, AI_JOB_UPDATED, {
      connectionParams: { authorization: `Bearer ${token}` },
      variables: { id: job.id },
      timeoutMs: 60_000,
    });
    await waitUntil(() => providers.requestCount(CHAT) >= 1, 30_000, 'the first run reached the model');
    await first.kill();
    await ownReplica(store);
    const done = await completed(watcher.url, token, job.id);
    expect(done).toMatchObject({
      status: 'COMPLETED',
      attempts: 2,
      summary: { __typename: 'Summary', text: SUMMARY },
    });
    expectRunsOneAfterTheOther();
    const outcome = await updates;
    if (outcome.kind !== 'results') throw new Error(`socket closed: ${outcome.code}`);
    const statuses = outcome.results.map((result) => result.data?.aiJobUpdated.status);
    // The first event is the job as it stood when subscribed: queued, or already admitted and running.
    expect(['QUEUED', 'RUNNING']).toContain(statuses[0]);
    expect(statuses.slice(statuses.indexOf('RUNNING'))).toEqual(['RUNNING', 'COMPLETED']);
  } finally {
    // This test's replicas only: the PGlite test's first one may be in `running` already, waiting for its test.
    await Promise.allSettled(own.map((subgraph) => subgraph.kill()));
    await dropPostgresSchema(schema);
  }
});

test('PGlite: the restarted replica finishes the job its killed self was running', async () => {
  const store = { DATA_DIR: pgliteDataDir };
  let restarted: SpawnedSubgraph | undefined;
  const first = await pgliteFirst;
  try {
    const token = await tokenFor('acme');
    providers.openai.faults.once({ kind: 'hang' }, { path: CHAT });
    const job = await startJob(first.url, token);
    await waitUntil(() => providers.requestCount(CHAT) >= 1, 30_000, 'the first run reached the model');
    await first.kill();
    restarted = await replica(store);
    const done = await completed(restarted.url, token, job.id);
    expect(done).toMatchObject({
      status: 'COMPLETED',
      attempts: 2,
      summary: { __typename: 'Summary', text: SUMMARY },
    });
    expectRunsOneAfterTheOther();
  } finally {
    await Promise.allSettled([first.kill(), restarted?.kill()].filter((killed) => killed !== undefined));
  }
});
