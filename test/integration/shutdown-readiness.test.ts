// Findings of an operator review, on the process as an operator runs it (node subgraph/main.ts, on PostgreSQL,
// in front of a fake provider):
// - "/readyz never answered stopping": SIGTERM closed the listener at once, so a /readyz sent right after was
//   refused, and so was every request a load balancer routed before it noticed. Now the replica first withdraws
//   for SHUTDOWN_DRAIN_DELAY_MS (/readyz 503 `stopping`, everything else served), then drains.
// - "shutdown past the grace period dropped requests silently": a request outlasting SHUTDOWN_GRACE_MS was cut
//   and the process still exited 0, logging only `draining` and `stopped`. Now it logs one warn line with the
//   count and exits 1.
import { randomBytes } from 'node:crypto';
import { startFakeProviders } from '../support/harness';
import type { FakeProviders } from '../support/harness';
import { SUMMARIZE } from '../support/operations';
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
const TEXT = 'The ferry leaves for the island every hour. Tickets are sold at the west quay kiosk.';

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

async function start(env: { graceMs: number; drainDelayMs: number }): Promise<SpawnedSubgraph> {
  const schema = uniqueSchemaName('sr');
  schemas.push(schema);
  const subgraph = await spawnSubgraph({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    AUTH_ISSUER: TEST_ISSUER,
    AUTH_AUDIENCE: TEST_AUDIENCE,
    DATABASE_URL: POSTGRES_URL,
    DATABASE_SCHEMA: schema,
    LOAD_SHED_EVENT_LOOP_LAG_MS: '0',
    ...providers.env,
    // Neither a deadline nor an attempt timeout ends a held model call before the drain does.
    DEADLINE_MS: '30000',
    ATTEMPT_TIMEOUT_MS: '30000',
    GATEWAY_ROUTES_JSON: JSON.stringify({
      tasks: { summarize: { chain: [{ provider: 'openai', model: MODEL }] } },
    }),
    SHUTDOWN_GRACE_MS: String(env.graceMs),
    SHUTDOWN_DRAIN_DELAY_MS: String(env.drainDelayMs),
  });
  running.push(subgraph);
  return subgraph;
}

interface Probe {
  status: number;
  body?: unknown;
  /** Why no answer came (ECONNREFUSED, a reset): what a load balancer's request got. */
  error?: string;
}

/** GET on a connection of its own (a kept-alive one could outlive the listener), never throwing. */
async function probe(url: string): Promise<Probe> {
  try {
    const response = await fetch(url, { headers: { connection: 'close' } });
    return { status: response.status, body: await response.json() };
  } catch (error) {
    const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
    return { status: 0, error: `${String(error)} ${cause?.code ?? ''}`.trim() };
  }
}

function summarize(subgraph: SpawnedSubgraph, token: string) {
  return gql<{ summarize: SummarizeResult }>(subgraph.url, SUMMARIZE, {
    token,
    variables: { input: { text: TEXT } },
    headers: { connection: 'close' },
  });
}

describe('/readyz never answered stopping', () => {
  it('after SIGTERM: /readyz 503 `stopping` while requests are still served, for SHUTDOWN_DRAIN_DELAY_MS; then it drains and exits 0', async () => {
    const drainDelayMs = 4_000;
    const subgraph = await start({ graceMs: 5_000, drainDelayMs });
    const base = subgraph.url.replace(/\/graphql$/, '');
    const token = await tokenFor(`ready-${randomBytes(4).toString('hex')}`);

    const signalledAt = Date.now();
    subgraph.child.kill('SIGTERM');
    // The signal is handled on the process's own loop, a moment after it is sent: until then /readyz is 200.
    const first = await eventually(
      async () => {
        const answer = await probe(`${base}/readyz`);
        return answer.status === 200 ? undefined : answer;
      },
      2_000,
      '/readyz leaving 200',
    );
    expect(first).toEqual({ status: 503, body: { status: 'stopping' } });

    // Everything else is served as before: a request routed here before the load balancer noticed succeeds.
    const served = await summarize(subgraph, token);
    expect(served.status).toBe(200);
    expect(served.body.errors).toBeUndefined();
    expect(served.body.data?.summarize.__typename).toBe('Summary');
    expect(await probe(`${base}/healthz`)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await probe(`${base}/readyz`)).toEqual({ status: 503, body: { status: 'stopping' } });
    // All of that within the delay, before the drain began.
    expect(Date.now() - signalledAt).toBeLessThan(drainDelayMs);
    expect(jsonLines(subgraph.stdout()).map((line) => line.msg)).not.toContain('draining');

    const exit = await subgraph.waitForExit();
    const exitedAt = Date.now();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitedAt - signalledAt).toBeGreaterThanOrEqual(drainDelayMs);
    const lines = jsonLines(subgraph.stdout());
    const messages = lines.map((line) => line.msg);
    expect(messages).toEqual(expect.arrayContaining(['draining', 'stopped']));
    expect(messages.indexOf('draining')).toBeLessThan(messages.indexOf('stopped'));
    // Everything drained: nothing at warn or above from the shutdown.
    expect(lines.slice(messages.indexOf('draining')).filter((line) => (line.level ?? 0) >= 40)).toEqual([]);
  });

  it('a second signal during the delay skips straight to the drain', async () => {
    const subgraph = await start({ graceMs: 5_000, drainDelayMs: 60_000 });
    const base = subgraph.url.replace(/\/graphql$/, '');
    subgraph.child.kill('SIGTERM');
    await eventually(
      async () => ((await probe(`${base}/readyz`)).status === 503 ? true : undefined),
      2_000,
      '/readyz answering 503',
    );
    const secondAt = Date.now();
    subgraph.child.kill('SIGINT');
    const exit = await subgraph.waitForExit();
    expect(exit).toEqual({ code: 0, signal: null });
    // Far short of the 60 s delay: the drain (nothing in flight) and the closing only.
    expect(Date.now() - secondAt).toBeLessThan(10_000);
    const messages = jsonLines(subgraph.stdout()).map((line) => line.msg);
    expect(messages).toEqual(expect.arrayContaining(['draining', 'stopped']));
  });
});

describe('shutdown past the grace period dropped requests silently', () => {
  it('a request outlasting SHUTDOWN_GRACE_MS is cut: one warn line counts it, and the process exits 1', async () => {
    const graceMs = 3_000;
    const subgraph = await start({ graceMs, drainDelayMs: 0 });
    const token = await tokenFor(`grace-${randomBytes(4).toString('hex')}`);

    // The request's model call answers long after the grace.
    providers.openai.faults.once({ kind: 'latency', ms: 15_000 });
    const http = summarize(subgraph, token).then(
      (response): GraphQLResponse<{ summarize: SummarizeResult }> | Error => response,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
    await waitFor(
      () => (providers.openai.requestCount(CHAT) >= 1 ? true : undefined),
      10_000,
      "the request's model call",
    );

    const signalledAt = Date.now();
    subgraph.child.kill('SIGTERM');
    const exit = await subgraph.waitForExit();
    expect(Date.now() - signalledAt).toBeLessThan(graceMs + 3_000);
    expect(exit).toEqual({ code: 1, signal: null });
    // The client lost its request (the socket cut), as the warn line says.
    expect(await http).toBeInstanceOf(Error);

    const lines = jsonLines(subgraph.stdout());
    const shutdown = lines.slice(lines.findIndex((line) => line.msg === 'draining'));
    const warned = shutdown.filter((line) => line.level === 40);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({
      msg: 'SHUTDOWN_GRACE_MS ended with requests in flight; cut them',
      requests: 1,
      sockets: 0,
      shutdownGraceMs: graceMs,
    });
    // Counts only: no tenant, no content.
    expect(JSON.stringify(warned[0])).not.toMatch(/grace-|ferry|summarize/i);
    expect(shutdown.map((line) => line.msg)).toEqual(expect.arrayContaining(['draining', 'stopped']));
    expect(shutdown.map((line) => line.msg)).not.toContain('drain exceeded SHUTDOWN_GRACE_MS; exiting');
  });
});
