// Authentication over graphql-ws: the token travels in connection_init; every bad one closes the socket
// with 4401 and the same reason, and a valid one gets its subscription served.
import type { TestSubgraph } from '../support/subgraph';
import { REFUSED_CLAIMS, signRaw, tokenFor, unsignedToken, validClaims } from '../support/tokens';
import { subscribeOnce } from '../support/ws-client';
import type { WsOutcome } from '../support/ws-client';
import { startHarness } from '../support/harness';
import { requirePostgres } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

const ASK_STREAM = `subscription AskStream($question: String!) {
  askStream(input: { question: $question }) {
    __typename
    ... on AskCompleted {
      result {
        __typename
        ... on AIUnavailable { reason message }
      }
    }
  }
}`;

interface AskStreamData {
  askStream: { __typename: string; result?: { __typename: string; reason?: string } };
}

const WS_UNAUTHORIZED = 4401;
const OTHER_SECRET = 'another-secret-that-is-also-long-enough-for-hs256-98765';
const now = () => Math.floor(Date.now() / 1000);

describe('graphql-ws authentication in connection_init', () => {
  let subgraph: TestSubgraph;
  const askStream = (connectionParams?: Record<string, unknown>) =>
    subscribeOnce<AskStreamData>(subgraph.wsUrl, ASK_STREAM, {
      connectionParams,
      variables: { question: 'What did the quarterly report say about revenue?' },
    });
  const askWithToken = (token: string) => askStream({ authorization: `Bearer ${token}` });
  const askWithClaims = async (claims: Record<string, unknown>) => askWithToken(await signRaw(claims));

  function expectRefused(outcome: WsOutcome<AskStreamData>): void {
    expect(outcome).toMatchObject({ kind: 'closed', code: WS_UNAUTHORIZED });
    // One reason for every cause, the protocol's own wording, so the close tells an attacker nothing.
    expect(outcome.kind === 'closed' ? outcome.reason : '').toBe('Unauthorized');
  }

  function expectInsufficientContext(outcome: WsOutcome<AskStreamData>): void {
    expect(outcome.kind).toBe('results');
    const results = outcome.kind === 'results' ? outcome.results : [];
    expect(results).toEqual([
      {
        data: {
          askStream: {
            __typename: 'AskCompleted',
            result: {
              __typename: 'AIUnavailable',
              reason: 'INSUFFICIENT_CONTEXT',
              message: expect.any(String) as unknown,
            },
          },
        },
      },
    ]);
  }

  beforeAll(async () => {
    subgraph = await startHarness();
  });
  afterAll(async () => {
    await subgraph.stop();
  });

  it('streams AskCompleted with AIUnavailable INSUFFICIENT_CONTEXT to a valid token under `authorization`', async () => {
    expectInsufficientContext(await askStream({ authorization: `Bearer ${await tokenFor('ws-empty-a')}` }));
  });

  it('accepts the token under `Authorization` in the connection_init payload too', async () => {
    expectInsufficientContext(await askStream({ Authorization: `Bearer ${await tokenFor('ws-empty-b')}` }));
  });

  it('closes with 4401 when connection_init carries no payload', async () => {
    expectRefused(await askStream(undefined));
  });

  it('closes with 4401 when the payload names a tenant but carries no credential', async () => {
    expectRefused(await askStream({ tenantId: 'acme', headers: { 'x-tenant-id': 'acme' } }));
  });

  it('closes with 4401 for a garbage token', async () => {
    expectRefused(await askWithToken('not-a-jwt-at-all'));
  });

  it('closes with 4401 when authorization is not a string', async () => {
    expectRefused(await askStream({ authorization: 12345 }));
  });

  it('closes with 4401 for a token signed with another secret', async () => {
    expectRefused(await askWithToken(await signRaw(validClaims('acme'), { secret: OTHER_SECRET })));
  });

  it('closes with 4401 for an unsigned token with alg none', async () => {
    expectRefused(await askWithToken(unsignedToken(validClaims('acme'))));
  });

  it('closes with 4401 for HS512 when only HS256 is allowed', async () => {
    expectRefused(await askWithToken(await signRaw(validClaims('acme'), { alg: 'HS512' })));
  });

  it('closes with 4401 for a token expired beyond the clock tolerance', async () => {
    expectRefused(await askWithClaims({ ...validClaims('acme'), iat: now() - 600, exp: now() - 10 }));
  });

  it('serves a token that expired 2 s ago, within the default 5 s tolerance', async () => {
    expectInsufficientContext(
      await askWithClaims({ ...validClaims('ws-empty-c'), iat: now() - 600, exp: now() - 2 }),
    );
  });

  it('closes with 4401 for a token that is not yet valid', async () => {
    expectRefused(await askWithClaims({ ...validClaims('acme'), nbf: now() + 60 }));
  });

  it('serves a token issued 2 s in the future, within the clock tolerance', async () => {
    expectInsufficientContext(await askWithClaims({ ...validClaims('ws-empty-d'), iat: now() + 2 }));
  });

  it.each(REFUSED_CLAIMS)('closes with 4401 for %s', async (_name, claims) => {
    expectRefused(await askWithClaims(claims()));
  });
});

// Apollo Router (passthrough mode, Authorization propagated) sends the header's value as connection_init
// `{"token": "Bearer …"}` and the header itself on the upgrade request; other clients nest it in `headers`.
describe('Apollo Router authenticates its subscription connection', () => {
  let subgraph: TestSubgraph;
  const askStream = (options: {
    connectionParams?: Record<string, unknown>;
    headers?: Record<string, string>;
  }) =>
    subscribeOnce<AskStreamData>(subgraph.wsUrl, ASK_STREAM, {
      ...options,
      variables: { question: 'What did the quarterly report say about revenue?' },
    });

  function expectServed(outcome: WsOutcome<AskStreamData>): void {
    expect(outcome).toMatchObject({
      kind: 'results',
      results: [
        { data: { askStream: { __typename: 'AskCompleted', result: { reason: 'INSUFFICIENT_CONTEXT' } } } },
      ],
    });
  }

  function expectRefused(outcome: WsOutcome<AskStreamData>): void {
    expect(outcome).toEqual({ kind: 'closed', code: WS_UNAUTHORIZED, reason: 'Unauthorized' });
  }

  beforeAll(async () => {
    subgraph = await startHarness();
  });
  afterAll(async () => {
    await subgraph.stop();
  });

  it('serves the router\'s connection_init payload {"token": "Bearer …"} instead of closing with 4401', async () => {
    expectServed(await askStream({ connectionParams: { token: `Bearer ${await tokenFor('router-a')}` } }));
  });

  it('serves a connection_init `token` without the Bearer prefix', async () => {
    expectServed(await askStream({ connectionParams: { token: await tokenFor('router-b') } }));
  });

  it('serves a connection_init payload with the token under headers.authorization', async () => {
    const authorization = `Bearer ${await tokenFor('router-c')}`;
    expectServed(await askStream({ connectionParams: { headers: { authorization } } }));
  });

  it("serves a connection authenticated only by the upgrade request's Authorization header", async () => {
    const authorization = `Bearer ${await tokenFor('router-d')}`;
    expectServed(await askStream({ headers: { authorization } }));
  });

  it('serves the router shape: the same token in the upgrade header and as connection_init `token`', async () => {
    const authorization = `Bearer ${await tokenFor('router-e')}`;
    expectServed(await askStream({ headers: { authorization }, connectionParams: { token: authorization } }));
  });

  it('closes with 4401 for a token signed with another secret under connection_init `token`', async () => {
    const forged = await signRaw(validClaims('acme'), { secret: OTHER_SECRET });
    expectRefused(await askStream({ connectionParams: { token: `Bearer ${forged}` } }));
  });

  it('closes with 4401 for a token signed with another secret in the upgrade header', async () => {
    const forged = await signRaw(validClaims('acme'), { secret: OTHER_SECRET });
    expectRefused(await askStream({ headers: { authorization: `Bearer ${forged}` } }));
  });

  it('closes with 4401 when a bad payload credential sits beside a valid upgrade header: no fall-through', async () => {
    const authorization = `Bearer ${await tokenFor('acme')}`;
    expectRefused(await askStream({ headers: { authorization }, connectionParams: { token: 'not-a-jwt' } }));
  });
});
