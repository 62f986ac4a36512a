// Authentication and authorization over HTTP: every kind of bad token is refused with the same 401
// UNAUTHENTICATED answer, scopes gate the admin and ingest fields before they run, and the tenant is read
// from the verified token alone.
import { unauthenticatedError } from '../../subgraph/errors/graphql-errors';
import { ConfigError } from '../../subgraph/errors/config-error';
import { loadConfig } from '../../subgraph/config';
import { gql, TEST_AUDIENCE, TEST_ISSUER, TEST_JWT_SECRET } from '../support/subgraph';
import type { GraphQLResponse, TestSubgraph } from '../support/subgraph';
import { REFUSED_CLAIMS, signRaw, tokenFor, unsignedToken, validClaims, without } from '../support/tokens';
import type { ClaimsCase } from '../support/tokens';
import { startHarness } from '../support/harness';
import { requirePostgres } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

const SEARCH = `query Search($query: String!) {
  search(input: { query: $query }) {
    __typename
    ... on SearchResults { hits { documentId } }
    ... on DegradedSearchResults { hits { documentId } }
  }
}`;
const USAGE = '{ usage { tenantId } }';
const INGEST = `mutation Ingest($input: IngestDocumentInput!) {
  ingestDocument(input: $input) { documentId chunks }
}`;
const DELETE = 'mutation Delete($id: ID!) { deleteDocument(id: $id) }';

interface SearchData {
  search: { __typename: string; hits?: { documentId: string }[] };
}

const PUBLIC_MESSAGE = unauthenticatedError().message;
/** Words that would tell a caller why its token was refused; the public message must contain none. */
const CAUSE_WORDS =
  /expir|signature|issuer|audience|tenant|algorithm|alg\b|malformed|nbf|not.?before|claim|secret|kid|scope/i;
const OTHER_SECRET = 'another-secret-that-is-also-long-enough-for-hs256-98765';
const now = () => Math.floor(Date.now() / 1000);

/** A copy of the claims with some left out. */
function expectUnauthenticated<Data>(response: GraphQLResponse<Data>): void {
  expect(response.status).toBe(401);
  expect(response.body.data ?? null).toBeNull();
  expect(response.body.errors).toHaveLength(1);
  const [error] = response.body.errors ?? [];
  expect(error?.extensions?.code).toBe('UNAUTHENTICATED');
  expect(error?.message).toBe(PUBLIC_MESSAGE);
  expect(error?.message).not.toMatch(CAUSE_WORDS);
}

function hitsOf(response: GraphQLResponse<SearchData>): string[] {
  expect(response.status).toBe(200);
  expect(response.body.errors).toBeUndefined();
  return (response.body.data?.search.hits ?? []).map((hit) => hit.documentId);
}

describe('HTTP with the HS256 test secret', () => {
  let subgraph: TestSubgraph;

  beforeAll(async () => {
    subgraph = await startHarness();
  });
  afterAll(async () => {
    await subgraph.stop();
  });

  describe('HTTP refuses every bad token with one indistinct 401', () => {
    const search = (token: string | undefined, headers?: Record<string, string>) =>
      gql<SearchData>(subgraph.url, SEARCH, { token, headers, variables: { query: 'quarterly report' } });
    const searchWithClaims = async (claims: Record<string, unknown>) => search(await signRaw(claims));

    it('serves search to a valid token (the control every refusal below differs from by one thing)', async () => {
      const response = await search(await signRaw(validClaims('acme')));
      expect(response.status).toBe(200);
      expect(response.body.data?.search.__typename).toBe('DegradedSearchResults');
    });

    it('refuses a request without an Authorization header', async () => {
      expectUnauthenticated(await search(undefined));
    });

    it('refuses an empty Authorization header', async () => {
      expectUnauthenticated(await search(undefined, { authorization: '' }));
    });

    it('refuses a bearer token that is garbage', async () => {
      expectUnauthenticated(await search('not-a-jwt-at-all'));
    });

    it('refuses a token of three segments that are not base64url JSON', async () => {
      expectUnauthenticated(await search('abc.def.ghi'));
    });

    it('refuses a valid token sent with the Basic scheme instead of Bearer', async () => {
      const token = await signRaw(validClaims('acme'));
      expectUnauthenticated(await search(undefined, { authorization: `Basic ${token}` }));
    });

    it('refuses a valid token sent with no scheme at all', async () => {
      const token = await signRaw(validClaims('acme'));
      expectUnauthenticated(await search(undefined, { authorization: token }));
    });

    it('refuses a token signed with another secret', async () => {
      expectUnauthenticated(await search(await signRaw(validClaims('acme'), { secret: OTHER_SECRET })));
    });

    it('refuses a token whose payload was changed after signing (tenant swapped)', async () => {
      const [header, , signature] = (await signRaw(validClaims('acme'))).split('.');
      const payload = Buffer.from(JSON.stringify(validClaims('globex'))).toString('base64url');
      expectUnauthenticated(await search(`${header}.${payload}.${signature}`));
    });

    it('refuses an unsigned token with alg none', async () => {
      expectUnauthenticated(await search(unsignedToken(validClaims('acme'))));
    });

    it('refuses HS512 signed with the right secret when only HS256 is allowed (the default)', async () => {
      expectUnauthenticated(await search(await signRaw(validClaims('acme'), { alg: 'HS512' })));
    });

    it('refuses a token that expired beyond the clock tolerance', async () => {
      const expired = { ...validClaims('acme'), iat: now() - 600, exp: now() - 10 };
      expectUnauthenticated(await searchWithClaims(expired));
    });

    it('accepts a token that expired 2 s ago, within the default 5 s clock tolerance', async () => {
      const justExpired = { ...validClaims('acme'), iat: now() - 600, exp: now() - 2 };
      expect(hitsOf(await searchWithClaims(justExpired))).toEqual([]);
    });

    it('refuses a token that is not yet valid (nbf beyond the clock tolerance)', async () => {
      expectUnauthenticated(await searchWithClaims({ ...validClaims('acme'), nbf: now() + 60 }));
    });

    it('accepts a token whose nbf is 2 s ahead, within the clock tolerance', async () => {
      expect(hitsOf(await searchWithClaims({ ...validClaims('acme'), nbf: now() + 2 }))).toEqual([]);
    });

    it('accepts a token issued 2 s in the future, within the clock tolerance', async () => {
      expect(hitsOf(await searchWithClaims({ ...validClaims('acme'), iat: now() + 2 }))).toEqual([]);
    });

    it.each<ClaimsCase>([
      ...REFUSED_CLAIMS,
      ['a token with no issuer when one is configured', () => without(validClaims('acme'), 'iss')],
      ['a tenant id that is an array', () => ({ ...validClaims(), tenant_id: ['acme'] })],
    ])('refuses %s', async (_name, claims) => {
      expectUnauthenticated(await searchWithClaims(claims()));
    });

    it('accepts a tenant id of exactly 64 characters', async () => {
      expect(hitsOf(await searchWithClaims({ ...validClaims(), tenant_id: 'a'.repeat(64) }))).toEqual([]);
    });
  });

  describe('HTTP scopes: ai:admin for usage, ai:ingest for ingest and delete', () => {
    const call = <Data = Record<string, unknown>>(
      token: string,
      query: string,
      variables?: Record<string, unknown>,
    ) => gql<Data>(subgraph.url, query, { token, variables });
    const searchFor = async (tenant: string, query: string) =>
      hitsOf(await call<SearchData>(await tokenFor(tenant, []), SEARCH, { query }));
    const ingest = (token: string, id: string, body: string) =>
      call(token, INGEST, { input: { id, title: `Document ${id}`, body } });

    function expectForbidden<Data>(response: GraphQLResponse<Data>, path: string): void {
      expect(response.status).toBe(403);
      expect(response.body.data ?? null).toBeNull();
      expect(response.body.errors).toHaveLength(1);
      expect(response.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(response.body.errors?.[0]?.path).toEqual([path]);
    }

    it('refuses usage with FORBIDDEN to a token without ai:admin', async () => {
      expectForbidden(await call(await tokenFor('scopes-a', ['ai:ingest']), USAGE), 'usage');
    });

    it('serves usage to a token with ai:admin in its scope string', async () => {
      const response = await call<{ usage: { tenantId: string } }>(
        await tokenFor('scopes-a', ['ai:admin']),
        USAGE,
      );
      expect(response.status).toBe(200);
      expect(response.body.data?.usage.tenantId).toBe('scopes-a');
    });

    it('refuses ingestDocument without ai:ingest and does not store the document', async () => {
      const response = await ingest(
        await tokenFor('scopes-b', ['ai:admin']),
        'doc-1',
        'The zephyrquartz ledger.',
      );
      expectForbidden(response, 'ingestDocument');
      expect(await searchFor('scopes-b', 'zephyrquartz')).toEqual([]);

      // The same call with the scope stores it, so the empty search above was not a search that cannot find.
      const allowed = await ingest(
        await tokenFor('scopes-b', ['ai:ingest']),
        'doc-1',
        'The zephyrquartz ledger.',
      );
      expect(allowed.status).toBe(200);
      expect(allowed.body.data).toEqual({ ingestDocument: { documentId: 'doc-1', chunks: 1 } });
      expect(await searchFor('scopes-b', 'zephyrquartz')).toEqual(['doc-1']);
    });

    it('refuses deleteDocument without ai:ingest and leaves the document in place', async () => {
      const ingested = await ingest(
        await tokenFor('scopes-c', ['ai:ingest']),
        'doc-2',
        'The obsidianfalcon memo.',
      );
      expect(ingested.status).toBe(200);

      const refused = await call(await tokenFor('scopes-c', ['ai:admin']), DELETE, { id: 'doc-2' });
      expectForbidden(refused, 'deleteDocument');
      expect(await searchFor('scopes-c', 'obsidianfalcon')).toEqual(['doc-2']);

      const deleted = await call(await tokenFor('scopes-c', ['ai:ingest']), DELETE, { id: 'doc-2' });
      expect(deleted.body.data).toEqual({ deleteDocument: true });
      expect(await searchFor('scopes-c', 'obsidianfalcon')).toEqual([]);
    });

    it('honours scopes given as an scp array', async () => {
      const claims = without({ ...validClaims('scopes-d'), scp: ['ai:admin', 'ai:ingest'] }, 'scope');
      const token = await signRaw(claims);

      const usage = await call<{ usage: { tenantId: string } }>(token, USAGE);
      expect(usage.status).toBe(200);
      expect(usage.body.data?.usage.tenantId).toBe('scopes-d');
      const ingested = await ingest(token, 'doc-3', 'The cobaltmarmot notes.');
      expect(ingested.status).toBe(200);
      expect(await searchFor('scopes-d', 'cobaltmarmot')).toEqual(['doc-3']);
    });

    it('does not read scopes from an scp array when they are not in it', async () => {
      const claims = without({ ...validClaims('scopes-e'), scp: ['ai:ingest'] }, 'scope');
      expectForbidden(await call(await signRaw(claims), USAGE), 'usage');
    });
  });

  describe('HTTP: the tenant is the token’s, never the caller’s choice', () => {
    const searchAs = async (tenant: string, headers?: Record<string, string>) =>
      hitsOf(
        await gql<SearchData>(subgraph.url, SEARCH, {
          token: await tokenFor(tenant),
          headers,
          variables: { query: 'saffronpelican' },
        }),
      );

    it('stores a document under the token’s tenant even when a header and a variable claim another', async () => {
      const response = await gql(subgraph.url, INGEST, {
        token: await tokenFor('tenant-a'),
        headers: { 'x-tenant-id': 'tenant-b', 'x-tenant': 'tenant-b' },
        variables: {
          input: { id: 'shared-id', title: 'Plan', body: 'The saffronpelican plan.' },
          tenantId: 'tenant-b',
          tenant: 'tenant-b',
        },
      });
      expect(response.status).toBe(200);
      expect(response.body.errors).toBeUndefined();

      expect(await searchAs('tenant-b')).toEqual([]);
      expect(await searchAs('tenant-b', { 'x-tenant-id': 'tenant-a' })).toEqual([]);
      expect(await searchAs('tenant-a')).toEqual(['shared-id']);
    });

    it('reports usage of the token’s tenant whatever x-tenant-id says', async () => {
      const response = await gql<{ usage: { tenantId: string } }>(subgraph.url, USAGE, {
        token: await tokenFor('tenant-a'),
        headers: { 'x-tenant-id': 'tenant-b' },
      });
      expect(response.status).toBe(200);
      expect(response.body.data?.usage.tenantId).toBe('tenant-a');
    });

    it('has no argument through which a tenant can be chosen', async () => {
      const response = await gql(
        subgraph.url,
        '{ search(input: { query: "saffronpelican", tenantId: "tenant-a" }) { __typename } }',
        { token: await tokenFor('tenant-b') },
      );
      expect(response.status).toBe(400);
      expect(response.body.data ?? null).toBeNull();
      expect(response.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(response.body.errors?.[0]?.message).toMatch(/tenantId/);
    });
  });

  describe('HTTP anonymous operations: only _service is public', () => {
    it('serves { _service { sdl } } without a token, for supergraph composition', async () => {
      const response = await gql<{ _service: { sdl: string } }>(subgraph.url, '{ _service { sdl } }');
      expect(response.status).toBe(200);
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data?._service.sdl).toContain('search(input: SearchInput!): SearchResult!');
    });

    it('refuses anonymous search', async () => {
      expectUnauthenticated(await gql(subgraph.url, '{ search(input: { query: "x" }) { __typename } }'));
    });

    it('refuses anonymous search hidden in a named fragment spread', async () => {
      const query = `query { ...Hidden }
        fragment Hidden on Query { search(input: { query: "x" }) { __typename } }`;
      expectUnauthenticated(await gql(subgraph.url, query));
    });

    it('refuses anonymous search hidden in an inline fragment', async () => {
      const query = '{ ... on Query { search(input: { query: "x" }) { __typename } } }';
      expectUnauthenticated(await gql(subgraph.url, query));
    });

    it('refuses an anonymous operation that pairs _service with search in a fragment', async () => {
      const query = `{ _service { sdl } ... on Query { ...Hidden } }
        fragment Hidden on Query { search(input: { query: "x" }) { __typename } }`;
      expectUnauthenticated(await gql(subgraph.url, query));
    });

    it('refuses anonymous ingestDocument', async () => {
      const response = await gql(subgraph.url, INGEST, {
        variables: { input: { id: 'anon', title: 'Anonymous', body: 'Nobody wrote this.' } },
      });
      expectUnauthenticated(response);
    });
  });
});

describe('HTTP with AUTH_TENANT_CLAIM set to a custom claim name', () => {
  const CLAIM = 'https://claims.example.com/org';
  let subgraph: TestSubgraph;

  beforeAll(async () => {
    subgraph = await startHarness({ env: { AUTH_TENANT_CLAIM: CLAIM } });
  });
  afterAll(async () => {
    await subgraph.stop();
  });

  it('reads the tenant from the configured claim', async () => {
    const claims = without({ ...validClaims(), [CLAIM]: 'custom-org' }, 'tenant_id');
    const response = await gql<{ usage: { tenantId: string } }>(subgraph.url, USAGE, {
      token: await signRaw(claims),
    });
    expect(response.status).toBe(200);
    expect(response.body.data?.usage.tenantId).toBe('custom-org');
  });

  it('refuses a token that carries only the default tenant_id claim', async () => {
    expectUnauthenticated(await gql(subgraph.url, USAGE, { token: await signRaw(validClaims('acme')) }));
  });

  it('validates the custom claim’s value like any tenant id', async () => {
    const claims = without({ ...validClaims(), [CLAIM]: 'custom org' }, 'tenant_id');
    expectUnauthenticated(await gql(subgraph.url, USAGE, { token: await signRaw(claims) }));
  });
});

describe('HTTP with AUTH_ALGORITHMS=HS512', () => {
  let subgraph: TestSubgraph;

  beforeAll(async () => {
    subgraph = await startHarness({ env: { AUTH_ALGORITHMS: 'HS512' } });
  });
  afterAll(async () => {
    await subgraph.stop();
  });

  it('accepts an HS512 token', async () => {
    const response = await gql(subgraph.url, USAGE, {
      token: await signRaw(validClaims('acme'), { alg: 'HS512' }),
    });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ usage: { tenantId: 'acme' } });
  });

  it('refuses an HS256 token signed with the same secret, as HS256 is no longer allowed', async () => {
    expectUnauthenticated(await gql(subgraph.url, USAGE, { token: await signRaw(validClaims('acme')) }));
  });
});

describe('config: clock tolerance', () => {
  const base = {
    NODE_ENV: 'test',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    AUTH_ISSUER: TEST_ISSUER,
    AUTH_AUDIENCE: TEST_AUDIENCE,
  };

  it('defaults AUTH_CLOCK_TOLERANCE_SECONDS to 5', () => {
    expect(loadConfig(base).auth.clockToleranceSeconds).toBe(5);
  });

  it('accepts AUTH_CLOCK_TOLERANCE_SECONDS=30', () => {
    expect(loadConfig({ ...base, AUTH_CLOCK_TOLERANCE_SECONDS: '30' }).auth.clockToleranceSeconds).toBe(30);
  });

  it('refuses AUTH_CLOCK_TOLERANCE_SECONDS above 30 with a ConfigError naming it', () => {
    const load = () => loadConfig({ ...base, AUTH_CLOCK_TOLERANCE_SECONDS: '31' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/AUTH_CLOCK_TOLERANCE_SECONDS/);
  });
});
