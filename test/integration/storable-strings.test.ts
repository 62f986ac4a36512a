// Strings PostgreSQL cannot store as they were sent, through the public API: a NUL (text cannot hold one) and an
// unpaired surrogate (no UTF-8 form; the drivers would store U+FFFD, so two ids would become one). Each is a
// BAD_USER_INPUT naming the field as the client wrote it, over HTTP and graphql-ws, and nothing is stored,
// deleted, counted or sent to a model.
import { randomBytes } from 'node:crypto';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { member } from '../support/results';
import { ASK, ASK_STREAM, DELETE, INGEST, SEARCH, SUMMARIZE, SUMMARIZE_STREAM } from '../support/operations';
import { requirePostgres } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

const ENTITIES = `query($r: [_Any!]!) {
  _entities(representations: $r) { ... on Document { id aiSummary { __typename } } }
}`;

const VALID_DOC = { id: 'doc-ok', title: 'Albatross manual', body: 'The albatross glides over the ocean.' };

/** Where a client can put a string: the operation, its variables with `bad` in one field, and that field. */
interface StringField {
  field: string;
  operation: string;
  variables: (bad: string) => Record<string, unknown>;
}

const FIELDS: StringField[] = [
  { field: 'input.query', operation: SEARCH, variables: (bad) => ({ input: { query: bad } }) },
  { field: 'input.question', operation: ASK, variables: (bad) => ({ input: { question: bad } }) },
  { field: 'input.text', operation: SUMMARIZE, variables: (bad) => ({ input: { text: bad } }) },
  { field: 'input.documentId', operation: SUMMARIZE, variables: (bad) => ({ input: { documentId: bad } }) },
  { field: 'input.id', operation: INGEST, variables: (bad) => ({ input: { ...VALID_DOC, id: bad } }) },
  { field: 'input.title', operation: INGEST, variables: (bad) => ({ input: { ...VALID_DOC, title: bad } }) },
  { field: 'input.body', operation: INGEST, variables: (bad) => ({ input: { ...VALID_DOC, body: bad } }) },
  { field: 'id', operation: DELETE, variables: (bad) => ({ id: bad }) },
  {
    field: 'representations[0].id',
    operation: ENTITIES,
    variables: (bad) => ({ r: [{ __typename: 'Document', id: bad }] }),
  },
];

// Each bad value keeps the text around it, so only the one character makes it bad.
const UNSTORABLE = [
  ['a NUL byte', 'albatross \u0000 glides'],
  ['a lone high surrogate', 'albatross \ud800 glides'],
  ['a lone low surrogate', 'albatross \udc00 glides'],
  ['a reversed surrogate pair', 'albatross \udc00\ud800 glides'],
] as const;

const unique = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

describe('strings PostgreSQL cannot store', () => {
  let subgraph: Harness;

  beforeAll(async () => {
    subgraph = await startHarness({ providers: ['openai'] });
  });

  afterAll(async () => {
    await subgraph?.stop();
  });

  /** No document stored for the tenant, no use counted, no model asked. */
  async function expectNothingRecorded(tenantId: string, providerCalls: number): Promise<void> {
    const documents = subgraph.app.store.documents;
    expect(await documents.searchLexical(tenantId, 'albatross glides ocean', 50)).toEqual([]);
    expect(await documents.getDocuments(tenantId, [VALID_DOC.id, 'albatross \ufffd glides'])).toEqual([]);
    const usage = await subgraph.app.state.usage.read(tenantId, new Date());
    expect(usage.requestsToday).toBe(0);
    expect(subgraph.providers.requestCount()).toBe(providerCalls);
  }

  describe.each(UNSTORABLE)('%s', (what, bad) => {
    it.each(FIELDS.map((f) => [f.field, f] as const))(
      `in %s is BAD_USER_INPUT naming that field over HTTP, and nothing is stored, counted or sent`,
      async (field, { operation, variables }) => {
        const tenantId = unique('unstorable');
        const providerCalls = subgraph.providers.requestCount();
        const response = await subgraph.as(tenantId).request(operation, variables(bad));
        expect(response.status).toBe(200);
        expect(response.body.errors).toHaveLength(1);
        expect(response.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field });
        expect(response.body.errors?.[0]?.message).toMatch(
          what === 'a NUL byte' ? /must not contain NUL/ : /well-formed Unicode/,
        );
        await expectNothingRecorded(tenantId, providerCalls);
      },
    );

    it.each([
      ['input.question', ASK_STREAM, { question: bad }],
      ['input.text', SUMMARIZE_STREAM, { text: bad }],
    ] as const)(
      'in %s ends the subscription over graphql-ws with BAD_USER_INPUT naming that field',
      async (field, operation, input) => {
        const tenantId = unique('unstorable-ws');
        const providerCalls = subgraph.providers.requestCount();
        const outcome = await subgraph.as(tenantId).subscribe(operation, { input });
        if (outcome.kind !== 'results') throw new Error(`socket closed: ${outcome.code} ${outcome.reason}`);
        const errors = outcome.results.flatMap((result) => result.errors ?? []);
        expect(errors).toHaveLength(1);
        expect(errors[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field });
        expect(outcome.results.some((result) => result.data)).toBe(false);
        await expectNothingRecorded(tenantId, providerCalls);
      },
    );
  });

  it('a NUL byte in a search query is BAD_USER_INPUT naming input.query, not an INTERNAL_SERVER_ERROR', async () => {
    const client = subgraph.as(unique('nul-search'));
    await client.ingest(VALID_DOC);
    const response = await client.request(SEARCH, { input: { query: 'albatross\u0000' } });
    expect(response.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.query' });
    // The same search without the NUL finds the document: the refusal is the NUL, not the query.
    const found = member(await client.search('albatross'), 'DegradedSearchResults');
    expect(found.hits.map((hit) => hit.documentId)).toEqual([VALID_DOC.id]);
  });

  it('ids with lone surrogates do not collapse: "x\\ud800" and "x\\udbff" are both refused, not both stored as "x\\ufffd"', async () => {
    const client = subgraph.as(unique('surrogate-ids'));
    for (const id of ['x\ud800', 'x\udbff']) {
      const response = await client.request(INGEST, { input: { ...VALID_DOC, id } });
      expect(response.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.id' });
    }
    expect(await subgraph.app.store.documents.getDocuments(client.tenant, ['x\ufffd'])).toEqual([]);
  });

  it('a delete by an id with a lone surrogate is refused, leaving the document whose id holds U+FFFD', async () => {
    const client = subgraph.as(unique('surrogate-delete'));
    await client.ingest({ ...VALID_DOC, id: 'x\ufffd' });
    const response = await client.request(DELETE, { id: 'x\ud800' });
    expect(response.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
    const kept = await subgraph.app.store.documents.getDocuments(client.tenant, ['x\ufffd']);
    expect(kept.map((document) => document.id)).toEqual(['x\ufffd']);
  });

  it('keeps well-formed astral characters: ids differing only in an emoji are two documents', async () => {
    const client = subgraph.as(unique('astral-ids'));
    await client.ingest({ ...VALID_DOC, id: 'x\u{1F600}', body: 'The albatross glides.' });
    await client.ingest({ ...VALID_DOC, id: 'x\u{1F601}', body: 'The petrel dives.' });
    const stored = await subgraph.app.store.documents.getDocuments(client.tenant, [
      'x\u{1F600}',
      'x\u{1F601}',
    ]);
    expect(stored.map((document) => [document.id, document.body]).sort()).toEqual([
      ['x\u{1F600}', 'The albatross glides.'],
      ['x\u{1F601}', 'The petrel dives.'],
    ]);
  });
});
