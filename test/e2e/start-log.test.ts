// Issue 8's finding: the start log did not say which providers, routes and stores are active, so a mistyped
// provider variable showed only later, as degraded results. The real process (node subgraph/main.ts) now logs
// one line naming the configured providers, each task's route chain, and the store and state backends, with
// no key, URL or password in it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSubgraph } from '../support/spawn-subgraph';
import type { SpawnedSubgraph } from '../support/spawn-subgraph';
import { dropPostgresSchema, POSTGRES_URL, uniqueSchemaName } from '../support/stores';
import { REDIS_URL, requirePostgres, requireRedis } from '../support/services';

jest.setTimeout(90_000);

requirePostgres();
requireRedis();
const OPENAI_KEY = 'sk-start-log-secret-0123456789';
const ANTHROPIC_KEY = 'sk-ant-start-log-secret-9876543210';

const running: SpawnedSubgraph[] = [];
const schemas: string[] = [];
const dataDirs: string[] = [];

afterAll(async () => {
  await Promise.allSettled(running.map((subgraph) => subgraph.kill()));
  await Promise.allSettled(schemas.map((schema) => dropPostgresSchema(schema)));
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

interface StartLog {
  lines: Record<string, unknown>[];
  raw: string;
}

/** Starts the process, waits until it is ready, and returns its log's JSON lines. */
async function startLog(env: Record<string, string>): Promise<StartLog> {
  const subgraph = await spawnSubgraph({ NODE_ENV: 'development', LOG_LEVEL: 'info', ...env });
  running.push(subgraph);
  // "subgraph ready" and the setup line are written together, after the server listens and /readyz answers.
  const deadline = Date.now() + 10_000;
  while (!subgraph.stdout().includes('"msg":"active: ') && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const raw = subgraph.stdout();
  const lines = raw
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { lines, raw };
}

const setupLine = (lines: Record<string, unknown>[]) =>
  lines.find((line) => typeof line.msg === 'string' && line.msg.startsWith('active: '));

describe('the start log names the active providers, route chains, store and state backends (issue 8)', () => {
  // A start is a fresh process (seconds, most of this suite's time): the two start side by side, and each test
  // reads its own start's log.
  let withServices: Promise<StartLog>;
  let withNothing: Promise<StartLog>;

  beforeAll(() => {
    const schema = uniqueSchemaName('startlog');
    schemas.push(schema);
    const dataDir = mkdtempSync(join(tmpdir(), 'ai-subgraph-start-log-'));
    dataDirs.push(dataDir);
    withServices = startLog({
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      ANTHROPIC_API_KEY: ANTHROPIC_KEY,
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
      DATABASE_URL: POSTGRES_URL,
      DATABASE_SCHEMA: schema,
      REDIS_URL,
    });
    withNothing = startLog({ DATA_DIR: dataDir });
    // Each test awaits (and fails with) its own start; neither is an unhandled rejection meanwhile.
    for (const started of [withServices, withNothing]) started.catch(() => undefined);
  });

  test('with OpenAI and Anthropic configured, PostgreSQL and Redis: one line naming each, and no secret', async () => {
    const { lines, raw } = await withServices;
    expect(setupLine(lines)).toMatchObject({
      level: 30,
      providers: ['openai', 'anthropic'],
      routes: {
        summarize:
          'openai:gpt-4.1-mini > anthropic:claude-sonnet-5-5 (up to 4000 chars: openai:gpt-4.1-nano > anthropic:claude-haiku-4-5)',
        answer: 'openai:gpt-4.1-mini > anthropic:claude-sonnet-5-5',
        embed: 'openai:text-embedding-3-small',
        // The guard task has no default route: a deployment with a classifier model names one.
        guard: 'none',
      },
      store: 'postgres',
      state: 'redis',
      msg:
        'active: providers openai, anthropic; routes summarize openai:gpt-4.1-mini > anthropic:claude-sonnet-5-5 ' +
        '(up to 4000 chars: openai:gpt-4.1-nano > anthropic:claude-haiku-4-5); ' +
        'answer openai:gpt-4.1-mini > anthropic:claude-sonnet-5-5; embed openai:text-embedding-3-small; ' +
        'guard none; store postgres; state redis',
    });
    for (const secret of [OPENAI_KEY, ANTHROPIC_KEY, POSTGRES_URL, REDIS_URL, 'http://127.0.0.1:9/v1']) {
      expect(raw).not.toContain(secret);
    }
  });

  test('with no provider, PGlite and process memory: the line says so', async () => {
    const { lines } = await withNothing;
    expect(setupLine(lines)).toMatchObject({
      providers: [],
      routes: { summarize: 'none', answer: 'none', embed: 'none', guard: 'none' },
      store: 'pglite',
      state: 'memory',
      msg: 'active: providers none (extractive only); routes summarize none; answer none; embed none; guard none; store pglite; state memory',
    });
  });
});
