// Verified tokens are cached for speed, but a cached token must never outlive its own expiry.
import { gql } from '../support/subgraph';
import type { TestSubgraph } from '../support/subgraph';
import { signRaw, validClaims } from '../support/tokens';
import { startHarness } from '../support/harness';
import { requirePostgres } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('verified-token cache', () => {
  let subgraph: TestSubgraph;

  beforeAll(async () => {
    subgraph = await startHarness({ env: { AUTH_CLOCK_TOLERANCE_SECONDS: '0' } });
  });
  afterAll(() => subgraph?.stop());

  it('refuses a token once it expires, even though it was accepted (and cached) moments before', async () => {
    const token = await signRaw({ ...validClaims('acme'), exp: Math.floor(Date.now() / 1000) + 2 });
    const query = '{ search(input: { query: "anything" }) { __typename } }';
    expect((await gql(subgraph.url, query, { token })).status).toBe(200);
    expect((await gql(subgraph.url, query, { token })).status).toBe(200);

    await sleep(2_300);
    const expired = await gql(subgraph.url, query, { token });
    expect(expired.status).toBe(401);
    expect(expired.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('does not let a tampered copy of a cached token through', async () => {
    const token = await signRaw(validClaims('acme'));
    const query = '{ search(input: { query: "anything" }) { __typename } }';
    expect((await gql(subgraph.url, query, { token })).status).toBe(200);
    const [header, , signature] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...validClaims('globex') })).toString('base64url');
    const forged = await gql(subgraph.url, query, { token: `${header}.${forgedPayload}.${signature}` });
    expect(forged.status).toBe(401);
  });
});
