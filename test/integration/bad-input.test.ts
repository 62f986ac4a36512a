// Bad input through the public API: each out-of-bounds argument is a BAD_USER_INPUT naming its field, and
// nothing is stored or counted; oversized bodies get HTTP 413, and over-deep or over-aliased operations are
// refused before any resolver runs.
import { randomBytes } from 'node:crypto';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { ASK, INGEST, SEARCH, SUMMARIZE } from '../support/operations';
import { requirePostgres } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

// The limits, set here rather than read from the subgraph's config (these are the defaults).
const MAX_REQUEST_BYTES = 3_100_000;
const MAX_QUERY_DEPTH = 10;
const MAX_QUERY_ALIASES = 10;

interface BadInputCase {
  name: string;
  query: string;
  input: Record<string, unknown>;
  field: string;
}

const VALID_DOC = { id: 'doc-bad', title: 'Albatross manual', body: 'The albatross glides over the ocean.' };

/** One operation's bad inputs, each row [case name, input, the field the error names]. */
const refusals = (query: string, rows: [string, Record<string, unknown>, string][]): BadInputCase[] =>
  rows.map(([name, input, field]) => ({ name, query, input, field }));

const cases: BadInputCase[] = [
  ...refusals(SEARCH, [
    ['an empty search query', { query: '' }, 'input.query'],
    ['a whitespace-only search query', { query: ' \n\t ' }, 'input.query'],
    ['a search query of 1001 characters', { query: 'a'.repeat(1001) }, 'input.query'],
    ['a search limit of 0', { query: 'albatross', limit: 0 }, 'input.limit'],
    ['a search limit of 51', { query: 'albatross', limit: 51 }, 'input.limit'],
  ]),
  ...refusals(ASK, [
    ['an empty question', { question: '   ' }, 'input.question'],
    ['a question of 2001 characters', { question: 'q'.repeat(2001) }, 'input.question'],
    ['an ask limit of 0', { question: 'albatross?', limit: 0 }, 'input.limit'],
    ['an ask limit of 51', { question: 'albatross?', limit: 51 }, 'input.limit'],
  ]),
  ...refusals(SUMMARIZE, [
    ['an empty text to summarize', { text: '' }, 'input.text'],
    ['a text to summarize of 100001 characters', { text: 'word '.repeat(20_000) + 'x' }, 'input.text'],
    [
      'both documentId and text',
      { documentId: 'doc-bad', text: 'Some text to summarize.' },
      'input.documentId',
    ],
    ['neither documentId nor text', {}, 'input.documentId'],
    ['maxWords of 9', { text: 'A sentence to summarize.', maxWords: 9 }, 'input.maxWords'],
    ['maxWords of 1001', { text: 'A sentence to summarize.', maxWords: 1001 }, 'input.maxWords'],
  ]),
  ...refusals(INGEST, [
    ['an empty body to ingest', { ...VALID_DOC, body: '' }, 'input.body'],
    [
      'a body to ingest of 1000001 characters',
      { ...VALID_DOC, body: 'albatross '.repeat(100_000) + 'x' },
      'input.body',
    ],
    ['an empty title to ingest', { ...VALID_DOC, title: ' ' }, 'input.title'],
  ]),
];

describe('bad input through GraphQL', () => {
  let subgraph: Harness;

  beforeAll(async () => {
    // Fake providers are configured so that "no provider was called" below is a real check.
    subgraph = await startHarness({
      providers: ['openai', 'anthropic'],
      env: {
        MAX_REQUEST_BYTES: String(MAX_REQUEST_BYTES),
        MAX_QUERY_DEPTH: String(MAX_QUERY_DEPTH),
        MAX_QUERY_ALIASES: String(MAX_QUERY_ALIASES),
      },
    });
  });

  afterAll(async () => {
    await subgraph?.stop();
  });

  /** Nothing was stored for the tenant and no feature use was counted. */
  async function expectNothingRecorded(tenantId: string): Promise<void> {
    expect(await subgraph.app.store.documents.getDocuments(tenantId, [VALID_DOC.id])).toEqual([]);
    expect(await subgraph.app.store.documents.searchLexical(tenantId, 'albatross', 10)).toEqual([]);
    const usage = await subgraph.app.state.usage.read(tenantId, new Date());
    expect(usage.requestsToday).toBe(0);
    expect(usage.byFeature).toEqual([]);
  }

  it.each(cases.map((c, index) => [c.name, c, `bad-${index}`] as const))(
    'refuses %s with BAD_USER_INPUT naming the field, storing nothing',
    async (_name, c, tenantId) => {
      const response = await subgraph.as(tenantId).request(c.query, { input: c.input });
      expect(response.body.data ?? null).toBeNull();
      expect(response.body.errors).toHaveLength(1);
      expect(response.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: c.field });
      await expectNothingRecorded(tenantId);
    },
  );

  it('accepts the same inputs at their bounds, so the refusals above are the bounds and not the shapes', async () => {
    const tenantId = 'bounds';
    const ok = async (query: string, input: Record<string, unknown>) => {
      await subgraph.as(tenantId).data(query, { input });
    };
    await ok(INGEST, { ...VALID_DOC, body: 'albatross '.repeat(100_000) });
    await ok(SEARCH, { query: 'a'.repeat(1000), limit: 1 });
    await ok(SEARCH, { query: 'albatross', limit: 50 });
    await ok(ASK, { question: 'q'.repeat(2000), limit: 50 });
    await ok(SUMMARIZE, { text: 'word '.repeat(20_000), maxWords: 10 });
    await ok(SUMMARIZE, { documentId: VALID_DOC.id, maxWords: 1000 });
    expect(await subgraph.app.store.documents.getDocuments(tenantId, [VALID_DOC.id])).toHaveLength(1);
  });

  it('answers a body over MAX_REQUEST_BYTES with HTTP 413 and a JSON errors body, storing nothing', async () => {
    const tenantId = 'too-large';
    const token = await subgraph.token(tenantId);
    const limit = MAX_REQUEST_BYTES;
    const response = await fetch(subgraph.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: INGEST,
        variables: { input: { ...VALID_DOC, body: 'albatross '.repeat(Math.ceil(limit / 10) + 1) } },
      }),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as {
      errors?: { message: string; extensions?: { code?: string } }[];
    };
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.message).toContain(String(limit));
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    await expectNothingRecorded(tenantId);
  });

  describe('operation depth', () => {
    // __type -> fields -> type -> ofType ... -> name: a chain whose depth is set by the number of ofType levels.
    const nestedTypeQuery = (depth: number) => {
      const ofTypes = depth - 4;
      return `{ __type(name: "Query") { fields { type { ${'ofType { '.repeat(ofTypes)}name${' }'.repeat(ofTypes)} } } } }`;
    };

    it('allows an operation exactly MAX_QUERY_DEPTH deep', async () => {
      const data = await subgraph
        .as('deep')
        .data<{ __type: { fields: unknown[] } }>(nestedTypeQuery(MAX_QUERY_DEPTH));
      expect(data.__type.fields.length).toBeGreaterThan(0);
    });

    it('refuses an operation deeper than MAX_QUERY_DEPTH with GRAPHQL_VALIDATION_FAILED', async () => {
      const response = await subgraph.as('deep').request(nestedTypeQuery(MAX_QUERY_DEPTH + 1));
      expect(response.status).toBe(400);
      expect(response.body.data ?? null).toBeNull();
      expect(response.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(response.body.errors?.[0]?.message).toMatch(/depth/i);
    });
  });
  describe('operation aliases (MAX_QUERY_ALIASES)', () => {
    const aliased = (count: number): string =>
      `{ ${Array.from({ length: count }, (_, i) => `s${i}: search(input: { query: "cobalt ${i}" }) { __typename }`).join(' ')} }`;
    const unique = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

    it(`refuses ${MAX_QUERY_ALIASES + 1} aliased fields with HTTP 400 GRAPHQL_VALIDATION_FAILED before any resolver runs`, async () => {
      const client = subgraph.as(unique('aliases'));
      const providerCalls = subgraph.providers.requestCount();
      const response = await client.request(aliased(MAX_QUERY_ALIASES + 1));
      expect(response.status).toBe(400);
      expect(response.body.data).toBeUndefined();
      expect(response.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(response.body.errors?.[0]?.message).toMatch(/alias/i);
      expect(subgraph.providers.requestCount()).toBe(providerCalls);
      expect(await client.usage()).toMatchObject({
        tenantId: client.tenant,
        requestsToday: 0,
        byFeature: [],
      });
    });

    it(`accepts ${MAX_QUERY_ALIASES} aliased fields, and each is a counted search`, async () => {
      const client = subgraph.as(unique('aliases'));
      const data = await client.data<Record<string, { __typename: string }>>(aliased(MAX_QUERY_ALIASES));
      expect(Object.keys(data)).toHaveLength(MAX_QUERY_ALIASES);
      for (const result of Object.values(data))
        expect(['SearchResults', 'DegradedSearchResults']).toContain(result.__typename);

      const usage = await client.usage();
      expect(usage.requestsToday).toBe(MAX_QUERY_ALIASES);
      expect(usage.byFeature).toEqual([
        expect.objectContaining({ feature: 'search', requests: MAX_QUERY_ALIASES }),
      ]);
    });
  });
});
