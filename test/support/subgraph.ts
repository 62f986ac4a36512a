// Starts the real subgraph in-process on a free port with test configuration, and talks to it over HTTP.
import { createApp } from '../../subgraph/app';
import type { App } from '../../subgraph/app';
import { loadConfig } from '../../subgraph/config';
import type { Logger } from '../../subgraph/observability/logger';
import { startServer } from '../../subgraph/server';
import { suiteLogger } from './log-capture';
import { withPgliteTemplate } from './pglite-template';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
export const TEST_ISSUER = 'https://auth.test.example';
export const TEST_AUDIENCE = 'ai-subgraph';

export interface TestSubgraph {
  url: string;
  wsUrl: string;
  app: App;
  stop(): Promise<void>;
}

/**
 * `logger`: the subgraph's logger (a capturing one, see logs.ts); by default one at LOG_LEVEL (silent), which
 * writes into the suite's log capture at info or lower when there is one (log-capture.ts).
 */
export async function startTestSubgraph(
  env: Record<string, string | undefined> = {},
  logger?: Logger,
): Promise<TestSubgraph> {
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DATA_DIR: ':memory:',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    AUTH_ISSUER: TEST_ISSUER,
    AUTH_AUDIENCE: TEST_AUDIENCE,
    // The suites share their process with the subgraph (jest's transforms, in-process fakes, GC of a large
    // heap, a machine running other suites): its loop lags for reasons no request causes, and a shed request
    // would fail a test about something else. Shedding is load-shed.test.ts's subject, which turns it on.
    LOAD_SHED_EVENT_LOOP_LAG_MS: '0',
    ...env,
  });
  const app = await createApp(
    { ...config, store: withPgliteTemplate(config.store) },
    logger ?? suiteLogger(config.logging.level),
  );
  const server = await startServer(app, { port: 0, host: '127.0.0.1' });
  return {
    url: server.url,
    wsUrl: server.url.replace(/^http/, 'ws'),
    app,
    stop: async () => {
      await server.stop();
    },
  };
}

export interface GraphQLResponse<Data = Record<string, unknown>> {
  status: number;
  body: {
    data?: Data | null;
    errors?: { message: string; extensions?: Record<string, unknown>; path?: unknown[] }[];
  };
}

export async function gql<Data = Record<string, unknown>>(
  url: string,
  query: string,
  options: { token?: string; variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse<Data>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse<Data>['body'] };
}
