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

  it('closes with 4401 when the payload has no authorization', async () => {
    expectRefused(await askStream({ token: await tokenFor('acme'), tenantId: 'acme' }));
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
