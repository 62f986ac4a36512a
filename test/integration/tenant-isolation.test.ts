// Tenant isolation through the public API: one tenant's documents never reach another tenant's search, ask,
// summarize or Document.aiSummary, ids do not collide across tenants, and entity summaries load in one batch.
import { dropPostgresSchema, POSTGRES_URL, uniqueSchemaName } from '../support/stores';
import { gql, startTestSubgraph } from '../support/subgraph';
import type { TestSubgraph } from '../support/subgraph';
import { tokenFor } from '../support/tokens';
import { requirePostgres } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

const INGEST = `mutation($input: IngestDocumentInput!) { ingestDocument(input: $input) { documentId chunks } }`;
const DELETE = `mutation($id: ID!) { deleteDocument(id: $id) }`;
const SEARCH = `query($q: String!) {
  search(input: { query: $q }) {
    __typename
    ... on DegradedSearchResults { hits { documentId title snippet } }
    ... on SearchResults { hits { documentId title snippet } }
    ... on AIUnavailable { reason }
  }
}`;
const ASK = `query($q: String!) {
  ask(input: { question: $q }) {
    __typename
    ... on DegradedAnswer { passages { documentId snippet } }
    ... on Answer { citations { documentId snippet } }
    ... on AIUnavailable { reason }
  }
}`;
const SUMMARIZE = `query($id: ID!) {
  summarize(input: { documentId: $id }) {
    __typename
    ... on DegradedSummary { text }
    ... on Summary { text }
    ... on AIUnavailable { reason }
  }
}`;
const ENTITIES = `query($r: [_Any!]!) {
  _entities(representations: $r) {
    ... on Document {
      id
      aiSummary {
        __typename
        ... on DegradedSummary { text }
        ... on AIUnavailable { reason }
      }
    }
  }
}`;

interface Hit {
  documentId: string;
  title: string;
  snippet: string;
}
interface SearchData {
  search: { __typename: string; hits?: Hit[]; reason?: string };
}
interface AskData {
  ask: { __typename: string; passages?: { documentId: string; snippet: string }[]; reason?: string };
}
interface SummaryResult {
  __typename: string;
  text?: string;
  reason?: string;
}
interface EntitiesData {
  _entities: { id: string; aiSummary: SummaryResult }[];
}

const A_SECRET = {
  id: 'shared-id',
  title: 'Quokka ledger',
  body:
    'The zanzibar quokka ledger records every marmalade shipment to the observatory. ' +
    'Each quokka crate is weighed twice before the marmalade leaves the harbour.',
};
const A_OTHER = {
  id: 'a-only',
  title: 'Xylophone inventory',
  body: 'Our xylophone inventory lists forty brass xylophone mallets kept in the vault beneath the quokka pen.',
};
const B_SAME_ID = {
  id: 'shared-id',
  title: 'Glacier survey',
  body: 'The glacier survey measured crevasse depth along the northern moraine during the thaw.',
};

describe.each([
  ['pglite', () => ({})],
  ['postgres', () => ({ DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: uniqueSchemaName() })],
] as const)('tenant isolation through GraphQL on %s', (backend, envOf) => {
  const env: Record<string, string> = envOf();
  let subgraph: TestSubgraph;
  let tokenA: string;
  let tokenB: string;

  const search = async (token: string, q: string) =>
    (await gql<SearchData>(subgraph.url, SEARCH, { token, variables: { q } })).body;
  const ask = async (token: string, q: string) =>
    (await gql<AskData>(subgraph.url, ASK, { token, variables: { q } })).body;
  const summarize = async (token: string, id: string) =>
    (await gql<{ summarize: SummaryResult }>(subgraph.url, SUMMARIZE, { token, variables: { id } })).body;
  const entities = async (token: string, ids: string[]) =>
    (
      await gql<EntitiesData>(subgraph.url, ENTITIES, {
        token,
        variables: { r: ids.map((id) => ({ __typename: 'Document', id })) },
      })
    ).body;
  const ingest = async (token: string, input: { id: string; title: string; body: string }) => {
    const response = await gql(subgraph.url, INGEST, { token, variables: { input } });
    expect(response.body.errors).toBeUndefined();
  };

  beforeAll(async () => {
    subgraph = await startTestSubgraph(env);
    [tokenA, tokenB] = await Promise.all([tokenFor('tenant-a'), tokenFor('tenant-b')]);
    await ingest(tokenA, A_SECRET);
    await ingest(tokenA, A_OTHER);
  });

  afterAll(async () => {
    await subgraph?.stop();
    if (backend === 'postgres' && env.DATABASE_SCHEMA) await dropPostgresSchema(env.DATABASE_SCHEMA);
  });

  it("search finds tenant A's documents for A and nothing for B", async () => {
    const forA = await search(tokenA, 'quokka marmalade xylophone');
    expect(forA.errors).toBeUndefined();
    expect(forA.data?.search.hits?.map((hit) => hit.documentId).sort()).toEqual(['a-only', 'shared-id']);

    const forB = await search(tokenB, 'quokka marmalade xylophone');
    expect(forB.errors).toBeUndefined();
    expect(forB.data?.search.__typename).toBe('DegradedSearchResults');
    expect(forB.data?.search.hits).toEqual([]);
  });

  it("ask grounds A's question in A's documents and gives B INSUFFICIENT_CONTEXT", async () => {
    const forA = await ask(tokenA, 'How is each quokka crate handled before the marmalade leaves?');
    expect(forA.data?.ask.__typename).toBe('DegradedAnswer');
    expect(forA.data?.ask.passages?.[0]?.documentId).toBe('shared-id');

    const forB = await ask(tokenB, 'How is each quokka crate handled before the marmalade leaves?');
    expect(forB.errors).toBeUndefined();
    expect(forB.data?.ask).toEqual({ __typename: 'AIUnavailable', reason: 'INSUFFICIENT_CONTEXT' });
  });

  it("summarize by A's document id is NOT_FOUND for B and a summary for A", async () => {
    const forA = await summarize(tokenA, 'a-only');
    expect(forA.data?.summarize.__typename).toBe('DegradedSummary');
    expect(forA.data?.summarize.text).toMatch(/xylophone/i);

    const forB = await summarize(tokenB, 'a-only');
    expect(forB.errors).toBeUndefined();
    expect(forB.data?.summarize).toEqual({ __typename: 'AIUnavailable', reason: 'NOT_FOUND' });
  });

  it("Document.aiSummary of A's id is NOT_FOUND for B and a summary for A", async () => {
    const forA = await entities(tokenA, ['a-only']);
    expect(forA.data?._entities[0]?.aiSummary.__typename).toBe('DegradedSummary');
    expect(forA.data?._entities[0]?.aiSummary.text).toMatch(/xylophone/i);

    const forB = await entities(tokenB, ['a-only']);
    expect(forB.errors).toBeUndefined();
    expect(forB.data?._entities).toEqual([
      { id: 'a-only', aiSummary: { __typename: 'AIUnavailable', reason: 'NOT_FOUND' } },
    ]);
  });

  it("B ingesting the same document id keeps its own copy and leaves A's untouched", async () => {
    await ingest(tokenB, B_SAME_ID);

    const aSummary = await summarize(tokenA, 'shared-id');
    expect(aSummary.data?.summarize.text).toMatch(/quokka/i);
    expect(aSummary.data?.summarize.text).not.toMatch(/glacier/i);
    const bSummary = await summarize(tokenB, 'shared-id');
    expect(bSummary.data?.summarize.text).toMatch(/glacier/i);
    expect(bSummary.data?.summarize.text).not.toMatch(/quokka/i);

    expect((await search(tokenA, 'glacier crevasse moraine')).data?.search.hits).toEqual([]);
    expect((await search(tokenB, 'quokka marmalade')).data?.search.hits).toEqual([]);
    const [aDoc] = await subgraph.app.store.documents.getDocuments('tenant-a', ['shared-id']);
    expect(aDoc).toMatchObject({ title: A_SECRET.title, body: A_SECRET.body, version: 1 });
  });

  it("B deleting A's document id returns false and A still has it", async () => {
    const deleted = await gql<{ deleteDocument: boolean }>(subgraph.url, DELETE, {
      token: tokenB,
      variables: { id: 'a-only' },
    });
    expect(deleted.body.errors).toBeUndefined();
    expect(deleted.body.data?.deleteDocument).toBe(false);

    expect((await summarize(tokenA, 'a-only')).data?.summarize.__typename).toBe('DegradedSummary');
    const stillThere = await subgraph.app.store.documents.getDocuments('tenant-a', ['a-only']);
    expect(stillThere.map((doc) => doc.id)).toEqual(['a-only']);
  });

  describe('Document entities load in one batch', () => {
    const ids = ['batch-1', 'batch-2', 'batch-3', 'batch-4', 'batch-5'];
    let calls: { tenantId: string; ids: string[] }[];
    let restore: () => void;

    beforeAll(async () => {
      for (const id of ids) {
        await ingest(tokenA, {
          id,
          title: `Batch ${id}`,
          body: `Pelican report ${id}. Pelicans nest on the pier.`,
        });
      }
    });

    beforeEach(() => {
      // Instruments the running store: every call is counted and passed through to the real method.
      const documents = subgraph.app.store.documents;
      const original = documents.getDocuments.bind(documents);
      calls = [];
      documents.getDocuments = (tenantId, requested) => {
        calls.push({ tenantId, ids: [...requested] });
        return original(tenantId, requested);
      };
      restore = () => {
        documents.getDocuments = original;
      };
    });

    afterEach(() => restore());

    it('_entities for five documents makes one store query with all five ids', async () => {
      const response = await entities(tokenA, ids);
      expect(response.errors).toBeUndefined();
      expect(response.data?._entities.map((entity) => entity.aiSummary.__typename)).toEqual(
        ids.map(() => 'DegradedSummary'),
      );
      response.data?._entities.forEach((entity, index) => {
        expect(entity.id).toBe(ids[index]);
        expect(entity.aiSummary.text).toContain(ids[index]);
      });
      expect(calls).toHaveLength(1);
      expect(calls[0]?.tenantId).toBe('tenant-a');
      expect([...(calls[0]?.ids ?? [])].sort()).toEqual(ids);
    });

    it('an unknown id in the batch is NOT_FOUND while the others are summarized', async () => {
      const requested = ['batch-1', 'no-such-document', 'batch-3'];
      const response = await entities(tokenA, requested);
      expect(response.errors).toBeUndefined();
      expect(response.data?._entities.map((entity) => [entity.id, entity.aiSummary.__typename])).toEqual([
        ['batch-1', 'DegradedSummary'],
        ['no-such-document', 'AIUnavailable'],
        ['batch-3', 'DegradedSummary'],
      ]);
      expect(response.data?._entities[1]?.aiSummary.reason).toBe('NOT_FOUND');
      expect(calls).toHaveLength(1);
    });
  });
});
