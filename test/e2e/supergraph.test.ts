// The AI subgraph composed with another team's `documents` subgraph behind @apollo/gateway: a client asks the
// supergraph for documents with their aiSummary, and the AI subgraph's tenant isolation and its per-operation
// AI budget hold through it. The gateway refuses a supergraph that links @authenticated/@requiresScopes
// (router-composition.test.ts shows it), so the AI subgraph runs with FEDERATION_SDL_WITHOUT_SECURITY_DIRECTIVES,
// and still enforces them itself.
import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from '@apollo/gateway';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { startDocumentsSubgraph } from '../support/documents-subgraph';
import type { DocumentCatalog, DocumentsSubgraph } from '../support/documents-subgraph';
import { gql } from '../support/subgraph';
import type { TestSubgraph } from '../support/subgraph';
import { signRaw, tokenFor, validClaims } from '../support/tokens';
import { startHarness } from '../support/harness';
import { requirePostgres } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

interface GatewayContext {
  authorization?: string;
}

/** Forwards the client's Authorization header to every subgraph fetch the query plan makes. */
class AuthForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const authorization = (context as GatewayContext | undefined)?.authorization;
    if (authorization) request.http?.headers.set('authorization', authorization);
  }
}

const ACME_DOCUMENTS = [
  {
    id: 'doc-kestrel',
    title: 'Kestrel migration plan',
    body: [
      'The Kestrel migration moves every billing tenant to the new ledger database in three waves.',
      'Each Kestrel wave starts on a Monday so that the billing team can watch the ledger totals all week.',
      'Kestrel rollback keeps the old ledger writable for fourteen days after each wave completes.',
      'The Kestrel steering group signs off a wave only when ledger totals match to the cent.',
      'Kestrel will finish before the end of the fiscal year if no wave needs a rollback.',
    ].join(' '),
  },
  {
    id: 'doc-osprey',
    title: 'Osprey incident review',
    body: [
      'The Osprey incident began when a certificate on the Osprey edge proxies expired at midnight.',
      'Osprey customers saw failed logins for forty minutes until the Osprey certificate was renewed.',
      'The Osprey review found that the certificate expiry alert was routed to a retired mailbox.',
      'Osprey alerts now page the on-call engineer thirty days and again seven days before any expiry.',
    ].join(' '),
  },
];

const GLOBEX_OWN = {
  id: 'doc-heron',
  title: 'Heron hiring plan',
  body: [
    'The Heron hiring plan adds four support engineers in the Heron region before the summer peak.',
    'Heron candidates pair with a senior engineer for two weeks before taking tickets alone.',
    'Heron hiring is reviewed monthly against ticket backlog and customer satisfaction.',
  ].join(' '),
};

// More documents than one operation's AI budget (MAX_AI_FIELDS_PER_OPERATION, 20 by default): the router
// fetches all their summaries in one `_entities` request.
const INITECH_DOCUMENTS = Array.from({ length: 25 }, (_, i) => ({
  id: `doc-initech-${i}`,
  title: `Initech memo ${i}`,
  body: `Initech memo ${i} moves the stapler inventory to basement room ${i}. The stapler audit follows in a week.`,
}));
const MAX_AI_FIELDS_PER_OPERATION = 20;

// Umbrella's catalog lists a document the AI subgraph never ingested, between two it did: one `_entities`
// fetch carries all three, and the missing one must not cost the others their summaries.
const umbrellaDocument = (codename: string) => ({
  id: `doc-${codename}`,
  title: `The ${codename} count`,
  body: `The ${codename} count covers every ${codename} in the marsh. Each ${codename} roost is logged at dusk.`,
});
const EGRET = umbrellaDocument('egret');
const BITTERN = umbrellaDocument('bittern');
const UMBRELLA_MISSING = { id: 'doc-never-ingested', title: 'A document the AI subgraph lacks' };

// The documents subgraph lists acme's ids for globex too: only the AI subgraph's own isolation stands between
// globex and acme's ingested text.
const CATALOG: DocumentCatalog = {
  acme: ACME_DOCUMENTS.map(({ id, title }) => ({ id, title })),
  globex: [
    ...ACME_DOCUMENTS.map(({ id, title }) => ({ id, title })),
    { id: GLOBEX_OWN.id, title: GLOBEX_OWN.title },
  ],
  initech: INITECH_DOCUMENTS.map(({ id, title }) => ({ id, title })),
  umbrella: [EGRET, UMBRELLA_MISSING, BITTERN].map(({ id, title }) => ({ id, title })),
};

const DOCUMENTS_QUERY = `{
  documents {
    id
    title
    aiSummary(maxWords: 30) {
      __typename
      ... on DegradedSummary { text reason }
      ... on AIUnavailable { reason }
    }
  }
}`;

interface DocumentsData {
  documents: {
    id: string;
    title: string;
    aiSummary: {
      __typename: string;
      text?: string;
      reason?: string;
      message?: string;
      retryAfterSeconds?: null;
    };
  }[];
}

const INGEST = `mutation Ingest($input: IngestDocumentInput!) {
  ingestDocument(input: $input) { documentId chunks }
}`;

function words(text: string): string[] {
  return text.split(/\s+/).filter((word) => word !== '');
}

describe('supergraph: the AI subgraph composed with a documents subgraph through @apollo/gateway', () => {
  let ai: TestSubgraph;
  let documents: DocumentsSubgraph;
  let gateway: ApolloServer<GatewayContext>;
  let gatewayUrl: string;
  let acmeToken: string;
  let globexToken: string;
  let initechToken: string;
  let umbrellaToken: string;
  let composedSdl = '';

  beforeAll(async () => {
    [ai, documents, acmeToken, globexToken, initechToken, umbrellaToken] = await Promise.all([
      startHarness({ env: { FEDERATION_SDL_WITHOUT_SECURITY_DIRECTIVES: 'true' } }),
      startDocumentsSubgraph(CATALOG),
      tokenFor('acme'),
      tokenFor('globex'),
      tokenFor('initech'),
      tokenFor('umbrella'),
    ]);
    for (const [token, document] of [
      ...ACME_DOCUMENTS.map((d) => [acmeToken, d] as const),
      [globexToken, GLOBEX_OWN] as const,
      ...INITECH_DOCUMENTS.map((d) => [initechToken, d] as const),
      [umbrellaToken, EGRET] as const,
      [umbrellaToken, BITTERN] as const,
    ]) {
      const ingested = await gql(ai.url, INGEST, { token, variables: { input: document } });
      expect(ingested.body.errors).toBeUndefined();
    }
    gateway = new ApolloServer<GatewayContext>({
      gateway: new ApolloGateway({
        supergraphSdl: async (options) => {
          const compose = new IntrospectAndCompose({
            subgraphs: [
              { name: 'documents', url: documents.url },
              { name: 'ai', url: ai.url },
            ],
          });
          const composed = await compose.initialize(options);
          composedSdl = composed.supergraphSdl;
          return composed;
        },
        buildService: ({ url }) => new AuthForwardingDataSource({ url }),
      }),
      introspection: true,
      stopOnTerminationSignals: false,
    });
    ({ url: gatewayUrl } = await startStandaloneServer(gateway, {
      listen: { port: 0, host: '127.0.0.1' },
      context: async ({ req }) => ({ authorization: req.headers.authorization }),
    }));
  });

  afterAll(async () => {
    await Promise.allSettled([gateway?.stop()]);
    await Promise.allSettled([documents?.stop(), ai?.stop()]);
  });

  it('composes the supergraph from our schema: Query.ask, search and summarize and Document.aiSummary', async () => {
    const response = await gql<{
      __schema: { queryType: { fields: { name: string }[] } };
      __type: { fields: { name: string }[] } | null;
    }>(
      gatewayUrl,
      '{ __schema { queryType { fields { name } } } __type(name: "Document") { fields { name } } }',
    );
    expect(response.body.errors).toBeUndefined();
    const queryFields = response.body.data?.__schema.queryType.fields.map((field) => field.name);
    expect(queryFields).toEqual(expect.arrayContaining(['ask', 'search', 'summarize', 'usage', 'documents']));
    expect(response.body.data?.__type?.fields.map((field) => field.name).sort()).toEqual([
      'aiSummary',
      'id',
      'title',
    ]);
    // The opt-in leaves the security directives out of the supergraph (the router's supergraph keeps them:
    // router-composition.test.ts); both subgraphs' Document is joined on its key.
    expect(composedSdl).toMatch(/ask\(input: AskInput!\): AskResult! @join__field\(graph: AI\)\n/);
    expect(composedSdl).not.toMatch(/@authenticated|@requiresScopes|for: SECURITY/);
    expect(composedSdl).toMatch(
      /type Document\s+@join__type\(graph: AI, key: "id"\)\s+@join__type\(graph: DOCUMENTS, key: "id"\)/,
    );
  });

  it("gives acme each of its documents' extractive summary through the gateway, within maxWords", async () => {
    const response = await gql<DocumentsData>(gatewayUrl, DOCUMENTS_QUERY, { token: acmeToken });
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    const listed = response.body.data?.documents ?? [];
    expect(listed.map((document) => document.id)).toEqual(ACME_DOCUMENTS.map((document) => document.id));
    for (const [index, document] of listed.entries()) {
      const source = ACME_DOCUMENTS[index];
      expect(document.title).toBe(source?.title);
      expect(document.aiSummary.__typename).toBe('DegradedSummary');
      expect(document.aiSummary.reason).toBe('NO_PROVIDER_CONFIGURED');
      const summary = document.aiSummary.text ?? '';
      expect(words(summary).length).toBeGreaterThan(0);
      expect(words(summary).length).toBeLessThanOrEqual(30);
      // Every sentence of a document names its codename, so its summary must too: the right document was read.
      const codename = source?.id.replace('doc-', '') ?? '';
      expect(summary.toLowerCase()).toContain(codename);
    }
  });

  it("answers NOT_FOUND to another tenant for acme's ids while summarizing its own, so isolation holds", async () => {
    const response = await gql<DocumentsData>(gatewayUrl, DOCUMENTS_QUERY, { token: globexToken });
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    const byId = new Map((response.body.data?.documents ?? []).map((document) => [document.id, document]));
    expect([...byId.keys()]).toEqual([...ACME_DOCUMENTS.map((d) => d.id), GLOBEX_OWN.id]);
    for (const { id } of ACME_DOCUMENTS) {
      expect(byId.get(id)?.aiSummary).toEqual({ __typename: 'AIUnavailable', reason: 'NOT_FOUND' });
    }
    const own = byId.get(GLOBEX_OWN.id)?.aiSummary;
    expect(own?.__typename).toBe('DegradedSummary');
    expect(own?.text?.toLowerCase()).toContain('heron');
    expect(JSON.stringify(response.body)).not.toMatch(/kestrel .*ledger|osprey .*certificate/i);
  });

  it(`summarizes the first ${MAX_AI_FIELDS_PER_OPERATION} of 25 listed documents and answers RATE_LIMITED naming MAX_AI_FIELDS_PER_OPERATION for the rest, in one answered operation`, async () => {
    const query = DOCUMENTS_QUERY.replace(
      '... on AIUnavailable { reason }',
      '... on AIUnavailable { reason message retryAfterSeconds }',
    );
    const response = await gql<DocumentsData>(gatewayUrl, query, { token: initechToken });
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    const listed = response.body.data?.documents ?? [];
    expect(listed.map(({ id, title }) => ({ id, title }))).toEqual(CATALOG.initech);
    const summarized = listed.filter((document) => document.aiSummary.__typename === 'DegradedSummary');
    expect(summarized).toHaveLength(MAX_AI_FIELDS_PER_OPERATION);
    for (const document of summarized) expect(document.aiSummary.text).toContain('stapler');
    for (const document of listed.filter((d) => d.aiSummary.__typename !== 'DegradedSummary')) {
      expect(document.aiSummary).toEqual({
        __typename: 'AIUnavailable',
        reason: 'RATE_LIMITED',
        retryAfterSeconds: null,
        message: expect.stringContaining(
          `budget of ${MAX_AI_FIELDS_PER_OPERATION} AI fields (MAX_AI_FIELDS_PER_OPERATION)`,
        ),
      });
    }
  });

  it('a documents list with one document the AI subgraph lacks answers NOT_FOUND for that one and summarizes the rest, with no error, through the gateway', async () => {
    const response = await gql<DocumentsData>(gatewayUrl, DOCUMENTS_QUERY, { token: umbrellaToken });
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    const listed = response.body.data?.documents ?? [];
    expect(listed.map(({ id, title }) => ({ id, title }))).toEqual(CATALOG.umbrella);
    expect(listed[1]?.aiSummary).toEqual({ __typename: 'AIUnavailable', reason: 'NOT_FOUND' });
    for (const [index, codename] of [
      [0, 'egret'],
      [2, 'bittern'],
    ] as const) {
      expect(listed[index]?.aiSummary.__typename).toBe('DegradedSummary');
      expect(listed[index]?.aiSummary.text?.toLowerCase()).toContain(codename);
    }
  });

  it('refuses a forged acme token that the documents subgraph trusts: no acme summary leaves the AI subgraph', async () => {
    const forged = await signRaw(validClaims('acme'), {
      secret: 'not-the-test-secret-but-long-enough-0123456789',
    });
    const response = await gql<DocumentsData>(gatewayUrl, DOCUMENTS_QUERY, { token: forged });
    // The unverified documents subgraph lists acme's documents; the AI subgraph refuses the entity fetch.
    expect(response.body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(response.body.data?.documents ?? null).toBeNull();
    expect(JSON.stringify(response.body)).not.toMatch(/kestrel|osprey/i);
  });

  describe('FEDERATION_SDL_WITHOUT_SECURITY_DIRECTIVES: the gateway never sees the directives, the subgraph enforces them', () => {
    const ASK_QUERY = '{ ask(input: { question: "What does the Kestrel rollback keep?" }) { __typename } }';
    const USAGE_QUERY = '{ usage { tenantId requestsToday } }';
    const INGEST_WITHOUT_SCOPE = `mutation { ingestDocument(input: { id: "doc-unscoped", title: "T", body: "Kestrel body." }) { documentId } }`;

    it('refuses ask through the gateway without a token: UNAUTHENTICATED (@authenticated)', async () => {
      const response = await gql(gatewayUrl, ASK_QUERY);
      expect(response.body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
      expect(response.body.data ?? null).toBeNull();
    });

    it('serves ask through the gateway with a valid token', async () => {
      const response = await gql<{ ask: { __typename: string } }>(gatewayUrl, ASK_QUERY, {
        token: acmeToken,
      });
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data?.ask.__typename).toMatch(/Answer|AIUnavailable/);
    });

    it('refuses usage through the gateway to a token without ai:admin: FORBIDDEN (@requiresScopes)', async () => {
      const response = await gql(gatewayUrl, USAGE_QUERY, { token: await tokenFor('acme', ['ai:ingest']) });
      expect(response.body.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(response.body.data ?? null).toBeNull();
    });

    it('serves usage through the gateway to a token with ai:admin', async () => {
      const response = await gql<{ usage: { tenantId: string } }>(gatewayUrl, USAGE_QUERY, {
        token: await tokenFor('acme', ['ai:admin']),
      });
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data?.usage.tenantId).toBe('acme');
    });

    it('refuses ingestDocument through the gateway to a token without ai:ingest, and stores nothing', async () => {
      const response = await gql(gatewayUrl, INGEST_WITHOUT_SCOPE, {
        token: await tokenFor('acme', ['ai:admin']),
      });
      expect(response.body.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
      const search = await gql<{ search: { hits?: { documentId: string }[] } }>(
        ai.url,
        '{ search(input: { query: "Kestrel body" }) { ... on DegradedSearchResults { hits { documentId } } ... on SearchResults { hits { documentId } } } }',
        { token: acmeToken },
      );
      expect(search.body.data?.search.hits?.map((hit) => hit.documentId)).not.toContain('doc-unscoped');
    });
  });
});
