// How errors reach Apollo Router and Apollo Client, over HTTP and graphql-ws alike: an operation that cannot be
// picked out of its document is OPERATION_RESOLUTION_FAILURE on both (not a bug, logged and masked), and a
// field a token's scopes refuse leaves the HTTP status 200 wherever `data` is not null (GraphQL over HTTP
// requires a 2xx then; a router or client drops a 4xx reply's data), 403 only where `data` is null, and over
// graphql-ws carries no `extensions.http`.
import { createClient } from 'graphql-ws';
import type { FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { capturingLogger } from '../support/logs';

/** pino's level number for `error`: the masked-bug line is logged at it. */
const ERROR_LEVEL = 50;

interface Reply {
  status: number;
  body: FormattedExecutionResult;
}

async function overHttp(
  url: string,
  token: string,
  payload: { query: string; operationName?: string },
): Promise<Reply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify(payload),
  });
  return { status: response.status, body: (await response.json()) as FormattedExecutionResult };
}

/** One operation over graphql-ws: its results, and the errors it ended with when it was refused. */
async function overWs(
  url: string,
  token: string,
  payload: { query: string; operationName?: string },
): Promise<{ results: FormattedExecutionResult<Record<string, unknown>, unknown>[]; refused?: unknown }> {
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${token}` },
  });
  try {
    const results: FormattedExecutionResult<Record<string, unknown>, unknown>[] = [];
    const refused = await new Promise<unknown>((resolve) => {
      client.subscribe(payload, {
        next: (result) => results.push(result),
        error: (error) => resolve(error),
        complete: () => resolve(undefined),
      });
    });
    return refused === undefined ? { results } : { results, refused };
  } finally {
    await client.dispose();
  }
}

describe('errors as a router and a client meet them', () => {
  const { logger, lines } = capturingLogger('info');
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ logger });
  });
  afterAll(() => harness?.stop());

  const errorLines = () =>
    lines
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .filter((l) => l.level >= ERROR_LEVEL);

  it.each([
    ['two operations and no operationName', { query: 'query A { __typename } query B { __typename }' }],
    ['an operationName the document lacks', { query: 'query A { __typename }', operationName: 'Z' }],
  ])(
    'over graphql-ws, an operation the server cannot pick out comes back INTERNAL_SERVER_ERROR and is logged as a bug: %s',
    async (_case, payload) => {
      const token = await harness.token(`ws-pick-${process.pid}`);
      const http = await overHttp(harness.url, token, payload);
      expect(http.status).toBe(400);
      expect(http.body.errors?.[0]?.extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');

      // Twice: the second finds the document already validated, and must pick its operation all the same.
      for (let i = 0; i < 2; i += 1) {
        const ws = await overWs(harness.wsUrl, token, payload);
        expect(ws.results).toEqual([]);
        expect(ws.refused).toEqual(http.body.errors);
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(errorLines()).toEqual([]);
    },
  );

  it('a scope refusal sets HTTP 403 even when `data` is not null: cancelAIJob (nullable) without ai:ingest is 200 with data', async () => {
    const token = await harness.token(`scope-status-${process.pid}`, []);
    const reply = await overHttp(harness.url, token, { query: 'mutation { cancelAIJob(id: "x") { id } }' });

    expect(reply.status).toBe(200);
    expect(reply.body.data).toEqual({ cancelAIJob: null });
    expect(reply.body.errors).toEqual([
      expect.objectContaining({ path: ['cancelAIJob'], extensions: { code: 'FORBIDDEN' } }),
    ]);
  });

  it('a scope refusal sets HTTP 403 even when `data` is not null: usage (non-null) without ai:admin leaves data null, and stays 403', async () => {
    const token = await harness.token(`scope-status-${process.pid}`, ['ai:ingest']);
    const reply = await overHttp(harness.url, token, { query: '{ usage { tenantId } }' });

    expect(reply.status).toBe(403);
    expect(reply.body.data).toBeNull();
    expect(reply.body.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN' });
  });

  it.each([
    ['usage, whose refusal leaves data null', '{ usage { tenantId } }', ['ai:ingest']],
    ['cancelAIJob, whose refusal leaves data standing', 'mutation { cancelAIJob(id: "x") { id } }', []],
  ])(
    'a scope refusal over graphql-ws exposes extensions.http: %s is {code: FORBIDDEN} only',
    async (_case, query, scopes) => {
      const token = await harness.token(`scope-ws-${process.pid}`, scopes);
      const ws = await overWs(harness.wsUrl, token, { query });

      expect(ws.refused).toBeUndefined();
      const errors = ws.results.flatMap((result) => result.errors ?? []);
      expect(errors).toHaveLength(1);
      expect(errors[0]?.extensions).toEqual({ code: 'FORBIDDEN' });
    },
  );
});
