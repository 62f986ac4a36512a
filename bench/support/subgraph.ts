// The parent's side of the subgraph under test: where each server child lives, the environment loadConfig
// reads in the subgraph child, the token its requests carry, GraphQL calls that check an answer's shape before
// a scenario relies on it, and the PostgreSQL schema a run creates and drops.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { mintToken } from '../../subgraph/auth/mint-token';

const servers = path.join(__dirname, 'servers');
export const SERVERS = {
  subgraph: path.join(servers, 'subgraph-server.ts'),
  bare: path.join(servers, 'bare-server.ts'),
  providers: path.join(servers, 'providers-server.ts'),
  direct: path.join(servers, 'direct-server.ts'),
  otlpReceiver: path.join(servers, 'otlp-receiver.ts'),
};

export const TENANT = 'bench';
/** The PostgreSQL the suites use (TEST_DATABASE_URL, as in test/support/services.ts) unless --database-url says. */
export const DEFAULT_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgresql://root@127.0.0.1:5432/test';
const AUTH = {
  secret: 'bench-secret-that-is-long-enough-for-hs256-0123456789',
  issuer: 'https://auth.bench.example',
  audience: 'ai-subgraph',
};

/** The environment that points a subgraph at the fake providers child (OpenAI and Anthropic wire formats). */
export function fakeProviderEnv(providers: { ready: Record<string, unknown> }): Record<string, string> {
  return {
    OPENAI_API_KEY: 'bench',
    OPENAI_BASE_URL: String(providers.ready.openaiBaseURL),
    ANTHROPIC_API_KEY: 'bench',
    ANTHROPIC_BASE_URL: String(providers.ready.anthropicBaseURL),
  };
}

/** A production-like subgraph: silent logs, HS256 auth, PGlite in memory, no Redis; `extra` overrides. */
export function subgraphEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    AUTH_JWT_SECRET: AUTH.secret,
    AUTH_PUBLIC_KEY: '',
    AUTH_JWKS_URL: '',
    AUTH_ISSUER: AUTH.issuer,
    AUTH_AUDIENCE: AUTH.audience,
    REDIS_URL: '',
    DATABASE_URL: '',
    DATA_DIR: ':memory:',
    BENCH_TENANT: TENANT,
    ...extra,
  };
}

/** The bench tenant's bearer token, with every scope. */
export function benchHeaders(): Promise<Record<string, string>> {
  return tenantHeaders(TENANT);
}

/** A bearer token header for `tenantId`, with every scope. */
export async function tenantHeaders(tenantId: string): Promise<Record<string, string>> {
  const token = await mintToken({ ...AUTH, tenantId, scopes: ['ai:ingest', 'ai:admin'] });
  return { authorization: `Bearer ${token}` };
}

export interface GraphQLReply {
  status: number;
  text: string;
  body: { data?: Record<string, Record<string, unknown> | null>; errors?: unknown[] };
}

export async function post(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<GraphQLReply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  let parsed: GraphQLReply['body'] = {};
  try {
    parsed = JSON.parse(text) as GraphQLReply['body'];
  } catch {
    // a non-JSON answer fails the checks below with its text
  }
  return { status: response.status, text, body: parsed };
}

/**
 * One request of the kind about to be measured, checked for the member the scenario relies on, so a
 * misconfigured server fails here with its answer rather than as a fast stream of errors.
 */
export async function expectMember(
  url: string,
  headers: Record<string, string>,
  body: string,
  field: string,
  typename: string,
): Promise<Record<string, unknown>> {
  const reply = await post(url, headers, body);
  const result = reply.body.data?.[field];
  if (reply.status !== 200 || reply.body.errors || result?.__typename !== typename) {
    throw new Error(
      `expected ${field} to answer ${typename}, got ${reply.status} ${reply.text.slice(0, 500)}`,
    );
  }
  return result;
}

/** A schema name of its own for one run on the shared PostgreSQL server. */
export const uniqueSchema = (prefix: string): string => `${prefix}_${randomBytes(4).toString('hex')}`;

export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } catch (error) {
    console.error(`could not drop schema ${schema}:`, error);
  } finally {
    await client.end().catch(() => undefined);
  }
}
