// The AI subgraph composed with another team's `documents` subgraph behind @apollo/gateway: a client asks the
// supergraph for documents with their aiSummary, and the AI subgraph's tenant isolation and its per-operation
// AI budget hold through it.
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

// @apollo/gateway refuses a supergraph that links a `for: SECURITY` feature it cannot enforce (@authenticated and
// @requiresScopes are enforced by Apollo Router). The test gateway drops only that purpose marker and keeps the
// directives; the AI subgraph enforces them itself, which the forged-token case below shows through the gateway.
const SECURITY_LINK =
  /(@link\(url: "https:\/\/specs\.apollo\.dev\/(?:authenticated|requiresScopes)\/v[\d.]+"), for: SECURITY\)/g;

function forGateway(supergraphSdl: string): string {
  return supergraphSdl.replace(SECURITY_LINK, '$1)');
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

// The documents subgraph lists acme's ids for globex too: only the AI subgraph's own isolation stands between
// globex and acme's ingested text.
const CATALOG: DocumentCatalog = {
  acme: ACME_DOCUMENTS.map(({ id, title }) => ({ id, title })),
  globex: [
    ...ACME_DOCUMENTS.map(({ id, title }) => ({ id, title })),
    { id: GLOBEX_OWN.id, title: GLOBEX_OWN.title },
  ],
  initech: INITECH_DOCUMENTS.map(({ id, title }) => ({ id, title })),
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
  let composedSdl = '';

  beforeAll(async () => {
    [ai, documents, acmeToken, globexToken, initechToken] = await Promise.all([
      startHarness(),
      startDocumentsSubgraph(CATALOG),
      tokenFor('acme'),
      tokenFor('globex'),
      tokenFor('initech'),
    ]);
    for (const [token, document] of [
      ...ACME_DOCUMENTS.map((d) => [acmeToken, d] as const),
      [globexToken, GLOBEX_OWN] as const,
      ...INITECH_DOCUMENTS.map((d) => [initechToken, d] as const),
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
          const { supergraphSdl, cleanup } = await compose.initialize({
            ...options,
            update: (sdl) => options.update(forGateway(sdl)),
          });
          composedSdl = supergraphSdl;
          return { supergraphSdl: forGateway(supergraphSdl), cleanup };
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
    // The composed supergraph carries our access directives and joins both subgraphs' Document on its key.
    expect(composedSdl).toMatch(
      /ask\(input: AskInput!\): AskResult! @join__field\(graph: AI\) @authenticated/,
    );
    expect(composedSdl).toMatch(/usage: TenantUsage! .*@requiresScopes\(scopes: \[\["ai:admin"\]\]\)/);
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
});
