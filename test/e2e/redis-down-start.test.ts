// A replica started while Redis is away (a restart or a scale-up during a Redis outage) must start and serve as
// a running replica does when Redis fails: the limits follow LIMITS_ON_REDIS_FAILURE, caches miss, /readyz is
// 200 `degraded` naming the state as down; and once Redis answers it connects by itself. The old code exited 1
// at the start ("fatal: Connection is closed."), so every restart crash-looped until Redis came back. The log
// says so once at the start (warn) and once connected (info), never with the URL or its password; the change
// that let it start logged neither. A REDIS_URL that is no URL at all is configuration, not availability: the
// start still stops, naming it.
import { randomBytes } from 'node:crypto';
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { startFakeProviders } from '../support/harness';
import type { FakeProviders } from '../support/harness';
import { SUMMARIZE } from '../support/operations';
import type { SummarizeResult } from '../support/results';
import { REDIS_URL, requirePostgres, requireRedis } from '../support/services';
import { freePort, spawnMain, spawnSubgraph } from '../support/spawn-subgraph';
import type { SpawnedSubgraph } from '../support/spawn-subgraph';
import { dropPostgresSchema, POSTGRES_URL, uniqueSchemaName } from '../support/stores';
import { gql, TEST_AUDIENCE, TEST_ISSUER, TEST_JWT_SECRET } from '../support/subgraph';
import { tokenFor } from '../support/tokens';
import { waitUntil } from '../support/wait-for';

jest.setTimeout(120_000);
requirePostgres();
requireRedis();

const SUMMARY = 'The ledger records marmalade shipments and every quokka crate is weighed twice.';
const CHAT = '/v1/chat/completions';
/** REDIS_URL's password: Redis's default user has none set, so it accepts any (AUTH default <password>). */
const PASSWORD = `pw-${randomBytes(6).toString('hex')}`;
const UNREACHABLE = 'redis unreachable at start; connecting in the background';
const CONNECTED = 'redis connected; shared state available';
const schema = uniqueSchemaName('redisdown');
let providers: FakeProviders;
let subgraph: SpawnedSubgraph | undefined;
let redisDoor: Server | undefined;
const doorSockets = new Set<Socket>();

afterAll(async () => {
  await subgraph?.kill();
  for (const socket of doorSockets) socket.destroy();
  if (redisDoor) await new Promise<void>((resolve) => redisDoor!.close(() => resolve()));
  await dropPostgresSchema(schema).catch(() => undefined);
  await providers?.close();
});

/** Redis "coming back" on `port`: from now on that port forwards to the suites' Redis. */
async function openRedisDoor(port: number): Promise<Server> {
  const { hostname, port: redisPort } = new URL(REDIS_URL);
  const server = createServer((client) => {
    const upstream = connect(Number(redisPort || 6379), hostname);
    for (const socket of [client, upstream]) {
      doorSockets.add(socket);
      socket.on('close', () => doorSockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

/** The subgraph's log so far, one JSON object a line. */
const logLines = (): Record<string, unknown>[] =>
  (subgraph?.stdout() ?? '')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
const linesSaying = (msg: string) => logLines().filter((line) => line.msg === msg);

async function readiness(base: string): Promise<{ status: number; body: Record<string, string> }> {
  const response = await fetch(`${base}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

test('a replica starts with Redis away, serves degraded under LIMITS_ON_REDIS_FAILURE, and connects once Redis answers', async () => {
  providers = await startFakeProviders(['openai'], () => SUMMARY);
  const redisPort = await freePort();
  subgraph = await spawnSubgraph({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    AUTH_ISSUER: TEST_ISSUER,
    AUTH_AUDIENCE: TEST_AUDIENCE,
    DATABASE_URL: POSTGRES_URL,
    DATABASE_SCHEMA: schema,
    REDIS_URL: `redis://default:${PASSWORD}@127.0.0.1:${redisPort}`,
    LIMITS_ON_REDIS_FAILURE: 'closed',
    TENANT_POLICIES_JSON: JSON.stringify({ default: { limits: { requestsPerMinute: 1_000 } } }),
    ...providers.env,
  });
  const base = subgraph.url.replace(/\/graphql$/, '');
  expect(await readiness(base)).toEqual({
    status: 200,
    body: { status: 'degraded', store: 'ok', state: 'down' },
  });
  // Said once, at warn, with the error's code and nothing of the URL.
  const unreachable = linesSaying(UNREACHABLE);
  expect(unreachable).toEqual([expect.objectContaining({ level: 40, code: 'ECONNREFUSED' })]);
  for (const leak of ['redis://', '127.0.0.1', PASSWORD])
    expect(JSON.stringify(unreachable)).not.toContain(leak);
  expect(linesSaying(CONNECTED)).toEqual([]);
  const token = await tokenFor(`redisdown-${randomBytes(4).toString('hex')}`);
  const summarize = async (i: number) => {
    const response = await gql<{ summarize: SummarizeResult }>(subgraph!.url, SUMMARIZE, {
      token,
      variables: { input: { text: `${SUMMARY} This is ledger note ${i}.` } },
    });
    expect(response.body.errors).toBeUndefined();
    return response.body.data?.summarize;
  };
  // closed: the rate limit cannot be checked, so the floor answers and no model is called.
  expect(await summarize(1)).toMatchObject({ __typename: 'DegradedSummary', reason: 'LIMITS_UNAVAILABLE' });
  expect(providers.requestCount(CHAT)).toBe(0);

  redisDoor = await openRedisDoor(redisPort);
  const until = Date.now() + 15_000;
  let ready = await readiness(base);
  while (ready.body.status !== 'ready' && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    ready = await readiness(base);
  }
  expect(ready).toEqual({ status: 200, body: { status: 'ready', store: 'ok', state: 'ok' } });
  // The log is written asynchronously: the line may reach the pipe a moment after Redis did.
  await waitUntil(() => linesSaying(CONNECTED).length > 0, 5_000, 'the connected line').catch(
    () => undefined,
  );
  expect(linesSaying(CONNECTED)).toEqual([expect.objectContaining({ level: 30 })]);
  expect(await summarize(2)).toMatchObject({ __typename: 'Summary' });
  expect(providers.requestCount(CHAT)).toBe(1);

  // Stopping works as usual: SIGTERM drains and exits 0.
  subgraph.child.kill('SIGTERM');
  expect(await subgraph.waitForExit()).toEqual({ code: 0, signal: null });
  // Each said once over the whole run (the reconnects of the outage said nothing more), and nowhere the password.
  expect(linesSaying(UNREACHABLE)).toHaveLength(1);
  expect(linesSaying(CONNECTED)).toHaveLength(1);
  expect(subgraph.stdout() + subgraph.stderr()).not.toContain(PASSWORD);
});

test('a REDIS_URL that cannot be parsed stops the start with one line naming it', async () => {
  const spawned = spawnMain({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: String(await freePort()),
    DATA_DIR: ':memory:',
    REDIS_URL: 'redis://127.0.0.1:notaport',
  });
  expect(await spawned.waitForExit()).toEqual({ code: 1, signal: null });
  // Refused by the configuration's check (load-config.ts) before anything opens.
  expect(spawned.stderr()).toMatch(/^config error: REDIS_URL expects a redis:\/\/ or rediss:\/\/ URL .+\n$/);
});
