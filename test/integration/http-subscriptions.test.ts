// Subscriptions sent over HTTP (plain, as Apollo Client's HttpLink sends them with a multipart Accept, by GET,
// or in Apollo Router's callback mode) are refused for their transport with 400 BAD_REQUEST naming graphql-ws
// and its path. They used to run as queries and answer INTERNAL_SERVER_ERROR, logging an error.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { capturingLogger } from '../support/logs';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { ASK_STREAM } from '../support/operations';

interface HttpAnswer {
  status: number;
  contentType: string;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}

const VARIABLES = { input: { question: 'What did the quarterly report say about revenue?' } };

// What Apollo Client's HttpLink sends for a subscription: v3, then v4.
const APOLLO_CLIENT_ACCEPTS = [
  'multipart/mixed;boundary="graphql";subscriptionSpec=1.0,application/json',
  'multipart/mixed;boundary="graphql";subscriptionSpec=1.0,application/graphql-response+json,application/json;q=0.9',
  'multipart/mixed;subscriptionSpec="1.0", application/json',
];

describe('subscriptions over HTTP are refused for their transport, never answered INTERNAL_SERVER_ERROR', () => {
  const { logger, lines } = capturingLogger('warn');
  let subgraph: Harness;
  let token: string;

  async function post(
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
    withToken = true,
  ): Promise<HttpAnswer> {
    const response = await fetch(subgraph.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(withToken ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body: (await response.json()) as HttpAnswer['body'],
    };
  }

  function expectRefusedForTransport(answer: HttpAnswer): void {
    expect(answer.status).toBe(400);
    expect(answer.contentType).toMatch(/^application\/(graphql-response\+)?json/);
    expect(answer.body.data ?? null).toBeNull();
    expect(answer.body.errors).toHaveLength(1);
    const [error] = answer.body.errors ?? [];
    expect(error?.extensions?.code).toBe('BAD_REQUEST');
    expect(error?.message).toMatch(/graphql-ws/);
    expect(error?.message).toMatch(/\/graphql\b/);
  }

  const errorsLogged = () =>
    lines
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .filter((line) => line.level >= 50);

  beforeAll(async () => {
    subgraph = await startHarness({ logger });
    token = await subgraph.token('http-subscriber');
  });
  afterAll(async () => {
    await subgraph.stop();
  });
  beforeEach(() => {
    lines.length = 0;
  });

  it('a subscription POSTed as JSON is 400 BAD_REQUEST naming graphql-ws, not INTERNAL_SERVER_ERROR', async () => {
    expectRefusedForTransport(await post({ query: ASK_STREAM, variables: VARIABLES }));
    expect(errorsLogged()).toEqual([]);
  });

  it.each(APOLLO_CLIENT_ACCEPTS)(
    "a subscription with Apollo Client's multipart Accept (%s) is 400 BAD_REQUEST in JSON naming graphql-ws",
    async (accept) => {
      expectRefusedForTransport(await post({ query: ASK_STREAM, variables: VARIABLES }, { accept }));
      expect(errorsLogged()).toEqual([]);
    },
  );

  it('an anonymous subscription over HTTP learns the transport (400), not only that it lacks a token', async () => {
    expectRefusedForTransport(await post({ query: ASK_STREAM, variables: VARIABLES }, {}, false));
  });

  // Apollo Server refuses every non-query GET itself, before any plugin, with its own message.
  it('a subscription by GET is refused with 405 BAD_REQUEST, no INTERNAL_SERVER_ERROR', async () => {
    const url = new URL(subgraph.url);
    url.searchParams.set('query', ASK_STREAM);
    url.searchParams.set('variables', JSON.stringify(VARIABLES));
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
    });
    const body = (await response.json()) as HttpAnswer['body'];
    expect(response.status).toBe(405);
    expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_REQUEST']);
    expect(errorsLogged()).toEqual([]);
  });

  describe("Apollo Router's callback mode", () => {
    let callbackServer: Server;
    let callbackUrl: string;
    const callbacks: string[] = [];

    beforeAll(async () => {
      callbackServer = createServer((req, res) => {
        callbacks.push(`${req.method ?? ''} ${req.url ?? ''}`);
        res.writeHead(204).end();
      });
      await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
      callbackUrl = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/callback/sub-1`;
    });
    afterAll(async () => {
      await new Promise((resolve) => callbackServer.close(resolve));
    });

    it('a callback-mode subscription is 400 BAD_REQUEST naming graphql-ws, and the callback URL is never called', async () => {
      const answer = await post({
        query: ASK_STREAM,
        variables: VARIABLES,
        extensions: {
          subscription: { callbackUrl, subscriptionId: 'sub-1', verifier: 'v-1', heartbeatIntervalMs: 0 },
        },
      });
      expectRefusedForTransport(answer);
      expect(callbacks).toEqual([]);
      expect(errorsLogged()).toEqual([]);
    });
  });
});
