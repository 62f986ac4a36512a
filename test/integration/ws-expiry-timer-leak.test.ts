// Finding 3 (token-expiry timer leak): a graphql-ws socket's expiry timer was armed after connection_init's
// token had been verified. A token the verifier had not seen (a cache miss: here a real JWKS endpoint that is
// slow to answer) is an await; a client that left meanwhile had its socket's 'close' emitted already, so the
// timer, armed after, was never cleared and held the socket until the token expired. The real server factory,
// authenticate and verifier, over real sockets; what is counted is ws-token-expiry's own count of pending timers.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { GraphQLBoolean, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import WebSocket from 'ws';
import { authenticate } from '../../subgraph/auth/authenticate';
import { createTokenVerifier } from '../../subgraph/auth/token-verifier';
import { createGraphqlWsServer } from '../../subgraph/graphql/graphql-ws-server';
import { maskError } from '../../subgraph/graphql/mask-error';
import { pendingExpiryTimers } from '../../subgraph/graphql/ws-token-expiry';
import { createLogger } from '../../subgraph/observability/logger';
import { loadTenantPolicies } from '../../subgraph/tenancy/tenant-policies';
import { TEST_AUDIENCE, TEST_ISSUER } from '../support/subgraph';
import { validClaims } from '../support/tokens';
import { waitUntil } from '../support/wait-for';

const KID = 'expiry-timer-key';
const logger = createLogger('silent');

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLBoolean } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      ping: {
        type: GraphQLString,
        subscribe: async function* () {
          yield 'pong';
        },
        resolve: (event: string) => event,
      },
    },
  }),
});

/** A JWKS endpoint that answers only when released: the verifier's first fetch waits on it. */
interface HeldJwks {
  url: string;
  /** Resolves when the verifier's fetch has arrived (and is being held). */
  requested: Promise<void>;
  release(): void;
  close(): Promise<void>;
}

async function startHeldJwks(jwks: unknown): Promise<HeldJwks> {
  let release = () => undefined as void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let requested = () => undefined as void;
  const arrived = new Promise<void>((resolve) => (requested = resolve));
  const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    requested();
    void released.then(() =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    requested: arrived,
    release,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The subgraph's graphql-ws server on its own HTTP server, verifying tokens against `jwksUrl`. */
async function startWsServer(jwksUrl: string) {
  const verify = await createTokenVerifier(
    {
      key: { kind: 'jwks', url: jwksUrl },
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      tenantClaim: 'tenant_id',
      clockToleranceSeconds: 5,
    },
    loadTenantPolicies(undefined),
  );
  let settled = 0;
  const httpServer: Server = createServer();
  const wsServer = createGraphqlWsServer({
    httpServer,
    path: '/graphql',
    maxPayload: 100_000,
    maxQueryTokens: 2_000,
    documentCacheMaxBytes: 1_000_000,
    maxStreamsPerConnection: 10,
    clockToleranceMs: 0,
    schema,
    validationRules: [],
    introspection: true,
    formatError: maskError(logger),
    // The real authenticate; the count only tells the test when connection_init's verification is over.
    authenticate: (authorization) =>
      authenticate(verify, logger, authorization, 'ws').finally(() => (settled += 1)),
    context: () => ({}),
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/graphql`,
    authenticated: () => settled,
    stop: async () => {
      await wsServer.dispose();
      await new Promise((resolve) => httpServer.close(resolve));
    },
  };
}

/** Opens a graphql-transport-ws socket and sends connection_init with `bearer`. */
function connect(url: string, bearer: string): WebSocket {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  socket.once('open', () =>
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: bearer } })),
  );
  return socket;
}

const closedOf = (socket: WebSocket) =>
  new Promise<void>((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) resolve();
    else socket.once('close', () => resolve());
  });

describe('finding 3: the token-expiry timer of a socket closed during authentication', () => {
  let bearer: string;
  let jwks: unknown;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'RS256', use: 'sig' }] };
    // An hour to live: a leaked timer would hold its socket that long.
    const claims = { ...validClaims('expiry-timer-co'), exp: Math.floor(Date.now() / 1000) + 3_600 };
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: KID })
      .sign(pair.privateKey);
    bearer = `Bearer ${token}`;
  });

  it('an open socket has its timer pending until it closes (the count is the real one)', async () => {
    const held = await startHeldJwks(jwks);
    const server = await startWsServer(held.url);
    const before = pendingExpiryTimers();
    try {
      held.release();
      const socket = connect(server.url, bearer);
      const acknowledged = new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.on('message', (data: WebSocket.RawData) => {
          const { type } = JSON.parse((data as Buffer).toString('utf8')) as { type: string };
          if (type === 'connection_ack') resolve();
        });
      });
      await acknowledged;
      expect(pendingExpiryTimers()).toBe(before + 1);
      socket.close(1000);
      await closedOf(socket);
      await waitUntil(() => pendingExpiryTimers() === before, 5_000, 'the timer cleared at close');
    } finally {
      await server.stop();
      await held.close();
    }
  });

  it('a socket its client closed while the token was verified (a cache miss) leaves no pending timer', async () => {
    const held = await startHeldJwks(jwks);
    const server = await startWsServer(held.url);
    const before = pendingExpiryTimers();
    try {
      const socket = connect(server.url, bearer);
      // connection_init reached the verifier, which waits on the key set: the client leaves meanwhile.
      await held.requested;
      socket.close(1000);
      await closedOf(socket);
      held.release();
      await waitUntil(() => server.authenticated() === 1, 5_000, 'the token verified');
      // onConnect goes on after authenticate's promise: give it time to run to its end (a timer armed for a
      // socket still open would be cleared by its close meanwhile; one armed for a closed socket stays).
      await sleep(200);
      expect(pendingExpiryTimers()).toBe(before);
    } finally {
      await server.stop();
      await held.close();
    }
  });
});
