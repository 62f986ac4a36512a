// Who may introspect the schema. In production no one, over HTTP or graphql-ws alike (the socket once answered
// `__schema` to any valid token while HTTP refused it). Outside production a caller with a token may; an
// anonymous one may read only `_service { sdl }` (and `__typename`), as the README says, like in production.
import { randomBytes } from 'node:crypto';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { gql } from '../support/subgraph';

const INTROSPECTION = '{ __schema { queryType { name } } }';
const TYPE_INTROSPECTION = '{ __type(name: "Query") { name } }';

/** How Apollo Server refuses introspection over HTTP; graphql-ws refuses it with the same extensions. */
const INTROSPECTION_DISABLED = {
  code: 'GRAPHQL_VALIDATION_FAILED',
  validationErrorCode: 'INTROSPECTION_DISABLED',
};

const tenant = () => `introspection-${randomBytes(4).toString('hex')}`;

describe('introspection in production', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ env: { NODE_ENV: 'production' } });
  });
  afterAll(() => harness?.stop());

  it.each([INTROSPECTION, TYPE_INTROSPECTION])(
    'refuses %s over HTTP and over graphql-ws with a valid token: an error, no data',
    async (query) => {
      const client = harness.as(tenant());
      const overHttp = await client.request(query);
      expect(overHttp.status).toBe(400);
      expect(overHttp.body.data).toBeUndefined();
      expect(overHttp.body.errors?.map((error) => error.extensions)).toEqual([INTROSPECTION_DISABLED]);

      const overWs = await client.subscribe(query, {});
      expect(overWs.kind).toBe('results');
      const results = overWs.kind === 'results' ? overWs.results : [];
      expect(results).toHaveLength(1);
      expect(results[0]?.data).toBeUndefined();
      expect(results[0]?.errors?.map((error) => error.extensions)).toEqual([INTROSPECTION_DISABLED]);
    },
  );

  it('still answers __typename over graphql-ws', async () => {
    const outcome = await harness.as(tenant()).subscribe('{ __typename }', {});
    expect(outcome).toEqual({ kind: 'results', results: [{ data: { __typename: 'Query' } }] });
  });
});

describe('introspection outside production', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ env: { NODE_ENV: 'development' } });
  });
  afterAll(() => harness?.stop());

  it('is open to a caller with a token, over HTTP and graphql-ws', async () => {
    const client = harness.as(tenant());
    expect(await client.data(INTROSPECTION)).toEqual({ __schema: { queryType: { name: 'Query' } } });
    expect(await client.subscribe(INTROSPECTION, {})).toEqual({
      kind: 'results',
      results: [{ data: { __schema: { queryType: { name: 'Query' } } } }],
    });
  });

  it.each([INTROSPECTION, TYPE_INTROSPECTION])(
    'refuses %s to an anonymous caller with 401 UNAUTHENTICATED, who may still read _service { sdl }',
    async (query) => {
      const anonymous = await gql(harness.url, query);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.data).toBeUndefined();
      expect(anonymous.body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);

      const sdl = await gql<{ _service: { sdl: string } }>(harness.url, '{ _service { sdl } }');
      expect(sdl.status).toBe(200);
      expect(sdl.body.data?._service.sdl).toContain('aiSummary');
    },
  );
});
