// The graphql-ws server factory and the drain plugin on a tiny real schema, with the real authenticate, token
// verifier, error masking and operation limits: the token comes from connection_init (`authorization`, else
// `Authorization`) and a bad one closes with 4401; errors are masked as over HTTP; limits apply; and stopping
// the Apollo server built by createApolloServer closes every socket with 1001.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLBoolean, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import type { GraphQLFieldConfig } from 'graphql';
import WebSocket from 'ws';
import { authenticate } from '../../subgraph/auth/authenticate';
import type { TenantContext } from '../../subgraph/auth/tenant-context';
import type { TokenVerifier } from '../../subgraph/auth/token-verifier';
import { InputError } from '../../subgraph/errors/input-error';
import { createApolloServer } from '../../subgraph/graphql/apollo-server';
import { createGraphqlWsServer, WS_UNAUTHORIZED } from '../../subgraph/graphql/graphql-ws-server';
import { maskError } from '../../subgraph/graphql/mask-error';
import { operationLimitRules } from '../../subgraph/graphql/validation-rules';
import { createLogger } from '../../subgraph/observability/logger';
import { testTokenVerifier, tokenFor } from '../support/tokens';
import { eventually } from '../support/wait-for';
import { subscribeOnce } from '../support/ws-client';

interface Context {
  tenant: TenantContext | null;
}

/** A subscription field that emits one event and resolves it with `resolve`. */
function oneEvent(resolve: (context: Context) => unknown): GraphQLFieldConfig<unknown, Context> {
  return {
    type: GraphQLString,
    subscribe: async function* () {
      yield {};
    },
    resolve: (_event, _args, context) => resolve(context),
  };
}

const Nested: GraphQLObjectType = new GraphQLObjectType({
  name: 'Nested',
  fields: () => ({ value: { type: GraphQLString }, child: { type: Nested } }),
});

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLBoolean } } }),
  subscription: new GraphQLObjectType<unknown, Context>({
    name: 'Subscription',
    fields: {
      whoami: oneEvent((context) => context.tenant?.tenantId),
      broken: oneEvent(() => {
        throw new Error('connection string postgres://admin:hunter2@db leaked');
      }),
      badInput: oneEvent(() => {
        throw new InputError('input.question', 'expects at most 10 characters');
      }),
      brokenStream: {
        type: GraphQLString,
        subscribe: async function* () {
          yield 'first';
          throw new Error('redis password hunter2 in a stack trace');
        },
        resolve: (event) => event,
      },
      // Three events 250 ms apart: a stream still open when a drain begins.
      slow: {
        type: GraphQLString,
        subscribe: async function* () {
          for (const word of ['one', 'two', 'three']) {
            yield word;
            await new Promise((resolve) => setTimeout(resolve, 250));
          }
        },
        resolve: (event) => event,
      },
      nested: {
        type: Nested,
        subscribe: async function* () {
          yield {};
        },
        resolve: () => ({ value: 'leaf', child: { child: { child: { value: 'deep' } } } }),
      },
    },
  }),
});

const logger = createLogger('silent');
const validationRules = operationLimitRules({ maxDepth: 3, maxCost: 5_000, maxAliases: 10 });

async function listenOnFreePort(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

function startWsServer(httpServer: Server, verify: TokenVerifier) {
  return createGraphqlWsServer({
    httpServer,
    path: '/graphql',
    maxPayload: 100_000,
    maxQueryTokens: 2_000,
    documentCacheMaxBytes: 1_000_000,
    maxStreamsPerConnection: 10,
    clockToleranceMs: 0,
    schema,
    validationRules,
    introspection: true,
    formatError: maskError(logger),
    authenticate: (authorization) => authenticate(verify, logger, authorization, 'ws'),
    context: (tenant): Context => ({ tenant }),
  });
}

let verify: TokenVerifier;
beforeAll(async () => {
  verify = await testTokenVerifier();
});

describe('createGraphqlWsServer', () => {
  let httpServer: Server;
  let url: string;
  let wsServer: ReturnType<typeof startWsServer>;
  let bearer: string;

  beforeAll(async () => {
    httpServer = createServer();
    wsServer = startWsServer(httpServer, verify);
    url = await listenOnFreePort(httpServer);
    bearer = `Bearer ${await tokenFor('acme')}`;
  });
  afterAll(async () => {
    await wsServer.dispose();
    await new Promise((resolve) => httpServer.close(resolve));
  });

  const run = (query: string, connectionParams?: Record<string, unknown>) =>
    subscribeOnce(url, query, { connectionParams: connectionParams ?? { authorization: bearer } });

  it('serves the tenant of a token sent under `authorization`', async () => {
    expect(await run('subscription { whoami }')).toEqual({
      kind: 'results',
      results: [{ data: { whoami: 'acme' } }],
    });
  });

  it('accepts the token under `Authorization` too', async () => {
    expect(await run('subscription { whoami }', { Authorization: bearer })).toEqual({
      kind: 'results',
      results: [{ data: { whoami: 'acme' } }],
    });
  });

  it('reads `authorization` first: a bad one there is refused whatever `Authorization` holds', async () => {
    expect(
      await run('subscription { whoami }', { authorization: 'Bearer nope', Authorization: bearer }),
    ).toEqual({ kind: 'closed', code: WS_UNAUTHORIZED, reason: 'Unauthorized' });
  });

  it('closes with 4401 Unauthorized when connection_init carries no token', async () => {
    expect(await run('subscription { whoami }', {})).toEqual({
      kind: 'closed',
      code: WS_UNAUTHORIZED,
      reason: 'Unauthorized',
    });
  });

  it('masks an unexpected resolver error to INTERNAL_SERVER_ERROR', async () => {
    const outcome = await run('subscription { broken }');
    expect(outcome).toEqual({
      kind: 'results',
      results: [
        {
          data: { broken: null },
          errors: [
            {
              message: 'Internal server error',
              path: ['broken'],
              extensions: { code: 'INTERNAL_SERVER_ERROR' },
            },
          ],
        },
      ],
    });
    expect(JSON.stringify(outcome)).not.toContain('hunter2');
  });

  it('masks an error that ends the stream mid-way, after the events already sent', async () => {
    const outcome = await run('subscription { brokenStream }');
    expect(outcome).toEqual({
      kind: 'results',
      results: [
        { data: { brokenStream: 'first' } },
        { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] },
      ],
    });
    expect(JSON.stringify(outcome)).not.toContain('hunter2');
  });

  it('passes bad input through as BAD_USER_INPUT naming the field', async () => {
    expect(await run('subscription { badInput }')).toMatchObject({
      kind: 'results',
      results: [
        {
          errors: [
            {
              message: 'input.question: expects at most 10 characters',
              extensions: { code: 'BAD_USER_INPUT', field: 'input.question' },
            },
          ],
        },
      ],
    });
  });

  it('applies the operation limits: a subscription deeper than allowed is refused as GRAPHQL_VALIDATION_FAILED', async () => {
    expect(await run('subscription { nested { value } }')).toEqual({
      kind: 'results',
      results: [{ data: { nested: { value: 'leaf' } } }],
    });
    const refused = await run('subscription { nested { child { child { child { value } } } } }');
    expect(refused.kind).toBe('results');
    const results = refused.kind === 'results' ? refused.results : [];
    expect(results).toHaveLength(1);
    expect(results[0]?.data).toBeUndefined();
    expect(results[0]?.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/depth/i) as unknown,
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });
});

/** A raw graphql-transport-ws client: every message it gets, and how its socket closed. */
async function rawClient(url: string, bearer: string) {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const messages: { type: string; id?: string; payload?: unknown }[] = [];
  const closed = new Promise<{ code: number; at: number }>((resolve) =>
    socket.once('close', (code) => resolve({ code, at: performance.now() })),
  );
  const acknowledged = new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.on('message', (data: WebSocket.RawData) => {
      const message = JSON.parse((data as Buffer).toString('utf8')) as { type: string };
      messages.push(message);
      if (message.type === 'connection_ack') resolve();
    });
  });
  socket.once('open', () =>
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: bearer } })),
  );
  await acknowledged;
  return {
    messages,
    closed,
    subscribe: (id: string, query: string) =>
      socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query } })),
    /** The messages of operation `id`, by type and payload. */
    of: (id: string) => messages.filter((message) => message.id === id),
  };
}

const nextOf = (id: string, slow: string) => ({ id, type: 'next', payload: { data: { slow } } });

describe('createApolloServer drains graphql-ws', () => {
  const startApollo = async (drainGraceMs: number) => {
    const httpServer = createServer();
    const wsServer = startWsServer(httpServer, verify);
    const apollo = createApolloServer({
      schema,
      validationRules,
      maxQueryTokens: 2_000,
      formatError: maskError(logger),
      logger,
      introspection: false,
      documentCacheMaxBytes: 1024 * 1024,
      httpServer,
      drainGraceMs,
      wsServer,
      wsPath: '/graphql',
    });
    await apollo.start();
    return { apollo, httpServer, url: await listenOnFreePort(httpServer) };
  };

  it('closes an open subscription socket with 1001 when the Apollo server stops', async () => {
    const { apollo, url, httpServer } = await startApollo(10_000);
    const client = await rawClient(url, `Bearer ${await tokenFor('acme')}`);
    await apollo.stop();
    expect((await client.closed).code).toBe(1001);
    expect(httpServer.listening).toBe(false);
  });

  // Finding (as graphql-ws's createClient meets a stopping replica): the drain closed every socket with 1001 at
  // once, mid-answer; the client reconnected to another replica and sent the subscription again, the question
  // asked and paid for twice and its first deltas shown twice.
  it('lets a stream open when the drain begins finish, and closes its connection with 1001 after it', async () => {
    const { apollo, url } = await startApollo(5_000);
    const bearer = `Bearer ${await tokenFor('acme')}`;
    const streaming = await rawClient(url, bearer);
    const idle = await rawClient(url, bearer);
    streaming.subscribe('s1', 'subscription { slow }');
    await eventually(async () => (streaming.of('s1').length > 0 ? true : undefined), 5_000, 'a first event');

    const began = performance.now();
    const stopped = apollo.stop();
    // The idle connection goes at once; a new operation on the draining one is refused, not started.
    const idleClosed = await idle.closed;
    expect(idleClosed.code).toBe(1001);
    expect(idleClosed.at - began).toBeLessThan(400);
    streaming.subscribe('s2', 'subscription { slow }');
    await stopped;
    const streamingClosed = await streaming.closed;
    expect(streamingClosed.code).toBe(1001);
    expect(streaming.of('s1')).toEqual([
      nextOf('s1', 'one'),
      nextOf('s1', 'two'),
      nextOf('s1', 'three'),
      { id: 's1', type: 'complete' },
    ]);
    expect(streaming.of('s2')).toEqual([
      {
        id: 's2',
        type: 'error',
        payload: [expect.objectContaining({ extensions: { code: 'SHUTTING_DOWN' } })],
      },
    ]);
  });

  it('closes a stream still open when the grace ends', async () => {
    const { apollo, url } = await startApollo(300);
    const client = await rawClient(url, `Bearer ${await tokenFor('acme')}`);
    client.subscribe('s1', 'subscription { slow }');
    await eventually(async () => (client.of('s1').length > 0 ? true : undefined), 5_000, 'a first event');
    const began = performance.now();
    await apollo.stop();
    const closed = await client.closed;
    expect(closed.code).toBe(1001);
    expect(closed.at - began).toBeLessThan(2_000);
    expect(client.of('s1')).not.toContainEqual({ id: 's1', type: 'complete' });
  });
});
