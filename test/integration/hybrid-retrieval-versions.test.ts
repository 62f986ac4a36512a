// Hybrid retrieval reads its two lists in two transactions: the lexical one, then the semantic one. A re-ingest
// committed between them used to leave both versions of the document in the fused list (the old text's chunk
// #0, and chunks #1 and #2 that no longer exist), and ask grounded its answer on that mix. Now a document comes
// back in one version only: the one the semantic search, read last, saw. On PGlite, whose pgvector makes
// retrieval hybrid, with the real store wrapped so that the re-ingest lands between the two searches.
import { randomBytes } from 'node:crypto';
import type { FeatureCall } from '../../subgraph/features/feature-call';
import type { FeatureDeps } from '../../subgraph/features/feature-deps';
import { retrieve } from '../../subgraph/features/hybrid-retrieval';
import { createOperationBudget } from '../../subgraph/features/operation-budget';
import { NEVER_SHED } from '../../subgraph/limits/load-shed';
import type { DocumentStore } from '../../subgraph/retrieval/store/document-store';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

jest.setTimeout(60_000);

// Three paragraphs, each too long to share a chunk of CHUNK_MAX_CHARS with another: three chunks. The new version is one of them, reworded.
const OLD = [
  'The lighthouse keeper trims the lamp wick at dusk, in the old wording of the keeper rules, and fills the oil reservoir before the first ship of the evening comes by.',
  'The lighthouse keeper logs every passing ship in the night book before the lamp is lit, with its flag, its heading and the hour at which it rounded the point.',
  'The lighthouse keeper polishes the lamp lens each morning once the ships have passed, sweeps the gallery floor and winds the clockwork that turns the light.',
];
const NEW = 'The lighthouse keeper now checks the electric lamp at dusk, in the new wording.';

describe('hybrid retrieval while a document is re-ingested between its two searches', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({
      store: 'pglite',
      providers: ['openai'],
      env: { EMBED_SWEEP_INTERVAL_MS: '0', CHUNK_MAX_CHARS: '200', CHUNK_OVERLAP_CHARS: '0' },
    });
  });

  afterAll(() => harness?.stop());

  it('returns the document in one version: every chunk of it from the version the semantic search read', async () => {
    const tenantId = `versions-${randomBytes(4).toString('hex')}`;
    const client = harness.as(tenantId);
    const document = { id: 'rules', title: 'Keeper rules' };
    expect(await client.ingest({ ...document, body: OLD.join('\n\n') })).toMatchObject({
      chunks: 3,
      embedded: true,
    });

    const { app } = harness;
    const store = app.store.documents;
    // The real store, but the semantic search first commits a re-ingest: the lexical search has read v1 by then.
    const documents: DocumentStore = {
      ...store,
      searchSemantic: async (...args) => {
        expect(await client.ingest({ ...document, body: NEW })).toMatchObject({ chunks: 1, embedded: true });
        return store.searchSemantic(...args);
      },
    };
    const deps: FeatureDeps = {
      documents,
      usage: app.state.usage,
      streamLeases: app.state.streamLeases,
      metrics: app.metrics,
      logger: app.logger,
      chunking: app.config.retrieval.chunking,
      rrfK: app.config.retrieval.rrfK,
      askMinSimilarity: app.config.retrieval.askMinSimilarity,
      summaryDefaultWords: app.config.features.summaryDefaultWords,
      gateway: app.gateway,
      quality: app.quality,
      samples: app.samples,
      loadShed: NEVER_SHED,
    };
    const call: FeatureCall = {
      tenant: {
        tenantId,
        subject: null,
        scopes: new Set(),
        policy: app.config.tenants.forTenant(tenantId),
      },
      requestId: 'versions-1',
      loadDocument: () => Promise.resolve(null),
      budget: createOperationBudget(10),
    };

    const retrieved = await retrieve(deps, call, 'lighthouse keeper lamp at dusk', 5);
    expect(retrieved.kind).toBe('hybrid');
    const chunks = retrieved.chunks.filter((chunk) => chunk.documentId === 'rules');
    expect(new Set(chunks.map((chunk) => chunk.documentVersion)).size).toBe(1);
    expect(chunks.map((chunk) => [chunk.chunkId, chunk.documentVersion, chunk.content])).toEqual([
      ['rules#0', 2, NEW],
    ]);
  });
});
