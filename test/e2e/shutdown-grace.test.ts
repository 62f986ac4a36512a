// Finding: "shutdown timing ignores SHUTDOWN_GRACE_MS, so a normal SIGTERM can end in exit(1) with nothing
// closed". The process as an operator runs it (node subgraph/main.ts), on PostgreSQL, in front of a fake provider
// that holds both an HTTP request's model call and a background job's. SIGTERM must spend one budget,
// SHUTDOWN_GRACE_MS: the runner stops claiming at once and its runs' grace runs beside the HTTP drain (not after
// it), the HTTP drain lasts as long as the configured grace allows (not Apollo's fixed 10 s), and the process
// closes its stores and exits 0 within the grace, the job handed back to the queue (QUEUED, unclaimed) for
// another replica, which then completes it.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startFakeProviders, startHarness } from '../support/harness';
import type { FakeProviders, Harness } from '../support/harness';
import { AI_JOB_QUERY, FAST_JOBS, START_SUMMARY_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { SUMMARIZE } from '../support/operations';
import type { RecordedRequest } from '../support/providers';
import type { SummarizeResult } from '../support/results';
import { requirePostgres } from '../support/services';
import { spawnSubgraph } from '../support/spawn-subgraph';
import type { SpawnedSubgraph } from '../support/spawn-subgraph';
import { dropPostgresSchema, POSTGRES_URL, uniqueSchemaName } from '../support/stores';
import { gql, TEST_AUDIENCE, TEST_ISSUER, TEST_JWT_SECRET } from '../support/subgraph';
import type { GraphQLResponse } from '../support/subgraph';
import { tokenFor } from '../support/tokens';
import { eventually, waitFor } from '../support/wait-for';
import { jsonLines } from '../support/logs';

jest.setTimeout(90_000);
requirePostgres();

const CHAT = '/v1/chat/completions';
const MODEL = 'gpt-4.1-mini';
const JOB_TEXT = 'The lighthouse keeper logs every passing ship. Storm warnings go out by radio at dusk.';
const HTTP_TEXT = 'The ferry leaves for the island every hour. Tickets are sold at the west quay kiosk.';

const schemas: string[] = [];
const running: SpawnedSubgraph[] = [];
let providers: FakeProviders;

beforeAll(async () => {
  providers = await startFakeProviders(['openai']);
});
afterAll(async () => {
  await Promise.allSettled(running.map((subgraph) => subgraph.kill()));
  await providers?.close();
  for (const schema of schemas) await dropPostgresSchema(schema).catch(() => undefined);
});
beforeEach(() => providers.reset());

function subgraphEnv(schema: string, graceMs: number): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    AUTH_ISSUER: TEST_ISSUER,
    AUTH_AUDIENCE: TEST_AUDIENCE,
    DATABASE_URL: POSTGRES_URL,
    DATABASE_SCHEMA: schema,
    LOAD_SHED_EVENT_LOOP_LAG_MS: '0',
    ...providers.env,
    ...FAST_JOBS,
    // Neither a deadline nor an attempt timeout ends a held model call before the drain does.
    JOB_DEADLINE_MS: '60000',
    DEADLINE_MS: '30000',
    ATTEMPT_TIMEOUT_MS: '30000',
    GATEWAY_ROUTES_JSON: JSON.stringify({
      tasks: { summarize: { chain: [{ provider: 'openai', model: MODEL }] } },
    }),
    SHUTDOWN_GRACE_MS: String(graceMs),
  };
}

async function jobRow(schema: string, id: string): Promise<{ status: string; claim_id: string | null }> {
  const client = new Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const result = await client.query<{ status: string; claim_id: string | null }>(
      `SELECT status, claim_id FROM ${schema}.jobs WHERE id = $1`,
      [id],
    );
    const row = result.rows[0];
    if (!row) throw new Error(`job ${id} not found`);
    return row;
  } finally {
    await client.end();
  }
}

interface Scenario {
  graceMs: number;
  /** How long the HTTP request's model call takes, from before the signal. */
  httpCallMs: number;
}

interface Outcome {
  schema: string;
  tenant: string;
  job: AIJob;
  jobCall: RecordedRequest;
  signalledAt: number;
  exitedAt: number;
  exit: { code: number | null; signal: NodeJS.Signals | null };
  http: GraphQLResponse<{ summarize: SummarizeResult }> | Error;
  httpAnsweredAt: number;
  messages: unknown[];
}

/**
 * Starts the subgraph, has a job RUNNING (its model call hangs) and an HTTP summarize in flight (its model call
 * answers after `httpCallMs`), sends SIGTERM, and collects what happened.
 */
async function sigtermWithWorkInFlight({ graceMs, httpCallMs }: Scenario): Promise<Outcome> {
  const schema = uniqueSchemaName('sg');
  schemas.push(schema);
  const tenant = `grace-${randomBytes(4).toString('hex')}`;
  const subgraph = await spawnSubgraph(subgraphEnv(schema, graceMs));
  running.push(subgraph);
  const token = await tokenFor(tenant);
  const openai = providers.openai;

  // The job's model call hangs until the client leaves.
  openai.faults.once({ kind: 'hang' });
  const started = await gql<{ startSummaryJob: AIJob }>(subgraph.url, START_SUMMARY_JOB, {
    token,
    variables: { input: { text: JOB_TEXT } },
  });
  expect(started.body.errors).toBeUndefined();
  const job = started.body.data!.startSummaryJob;
  const jobCall = await waitFor(
    () => openai.requests.find((request) => request.path === CHAT),
    20_000,
    "the job's model call",
  );
  await eventually(
    async () => ((await jobRow(schema, job.id)).status === 'running' ? true : undefined),
    10_000,
    'the job RUNNING',
  );

  // The HTTP request's model call answers, slowly.
  openai.faults.once({ kind: 'latency', ms: httpCallMs });
  let httpAnsweredAt = 0;
  const http = gql<{ summarize: SummarizeResult }>(subgraph.url, SUMMARIZE, {
    token,
    variables: { input: { text: HTTP_TEXT } },
  }).then(
    (response) => ((httpAnsweredAt = Date.now()), response),
    (error: unknown) => (
      (httpAnsweredAt = Date.now()),
      error instanceof Error ? error : new Error(String(error))
    ),
  );
  await waitFor(
    () => (openai.requestCount(CHAT) >= 2 ? true : undefined),
    10_000,
    "the HTTP request's model call",
  );

  const signalledAt = Date.now();
  subgraph.child.kill('SIGTERM');
  const exit = await subgraph.waitForExit();
  const exitedAt = Date.now();
  return {
    schema,
    tenant,
    job,
    jobCall,
    signalledAt,
    exitedAt,
    exit,
    http: await http,
    httpAnsweredAt,
    messages: jsonLines(subgraph.stdout()).map((line) => line.msg),
  };
}

describe('shutdown timing ignores SHUTDOWN_GRACE_MS (SIGTERM with an HTTP request and a job in flight)', () => {
  it('exits 0 within the grace: the request answered, the job handed back to the queue, then resumed elsewhere', async () => {
    const graceMs = 6_000;
    const outcome = await sigtermWithWorkInFlight({ graceMs, httpCallMs: 4_000 });

    expect(outcome.messages).not.toContain('drain exceeded SHUTDOWN_GRACE_MS; exiting');
    expect(outcome.exit).toEqual({ code: 0, signal: null });
    expect(outcome.messages).toEqual(expect.arrayContaining(['draining', 'stopped']));
    expect(outcome.exitedAt - outcome.signalledAt).toBeLessThan(graceMs);
    // The in-flight request was answered in full.
    expect(outcome.http).not.toBeInstanceOf(Error);
    const http = outcome.http as GraphQLResponse<{ summarize: SummarizeResult }>;
    expect(http.status).toBe(200);
    expect(http.body.errors).toBeUndefined();
    expect(http.body.data?.summarize.__typename).toBe('Summary');
    // The job's grace ran beside the HTTP drain: its run was handed back (its model call aborted) while the
    // HTTP request was still in flight, not after the drain.
    expect(outcome.jobCall.aborted).toBe(true);
    expect(outcome.jobCall.closedAt).toBeLessThan(outcome.httpAnsweredAt);
    // Nothing left claimed: QUEUED again, for another replica.
    expect(await jobRow(outcome.schema, outcome.job.id)).toEqual({ status: 'queued', claim_id: null });

    // Another replica on the same schema takes it and completes it.
    let resumed: Harness | undefined;
    try {
      resumed = await startHarness({
        providers,
        env: { ...subgraphEnv(outcome.schema, graceMs), LOG_LEVEL: 'silent' },
      });
      const replica = resumed;
      const done = await eventually(
        async () => {
          const read = await replica
            .as(outcome.tenant)
            .data<{ aiJob: AIJob }>(AI_JOB_QUERY, { id: outcome.job.id });
          return read.aiJob.status === 'COMPLETED' ? read.aiJob : undefined;
        },
        20_000,
        'the job completed by another replica',
      );
      expect(done.summary?.__typename).toBe('Summary');
    } finally {
      await resumed?.stop();
    }
  });

  it("keeps an in-flight HTTP request past Apollo's default 10 s drain when SHUTDOWN_GRACE_MS allows it", async () => {
    const graceMs = 16_000;
    const outcome = await sigtermWithWorkInFlight({ graceMs, httpCallMs: 11_500 });

    expect(outcome.http).not.toBeInstanceOf(Error);
    const http = outcome.http as GraphQLResponse<{ summarize: SummarizeResult }>;
    expect(http.status).toBe(200);
    expect(http.body.data?.summarize.__typename).toBe('Summary');
    expect(outcome.exit).toEqual({ code: 0, signal: null });
    expect(outcome.exitedAt - outcome.signalledAt).toBeLessThan(graceMs);
    expect(await jobRow(outcome.schema, outcome.job.id)).toEqual({ status: 'queued', claim_id: null });
  });
});
