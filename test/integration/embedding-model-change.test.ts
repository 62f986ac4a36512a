// A change of embedding model re-embeds instead of mixing vector spaces: after a restart on the same data with
// another model at the head of the embed route, the documents embedded in the old model are listed for the
// sweep, searched meanwhile by keywords plus whatever the new model already covers, and re-embedded a bounded
// number per run until none is left. The old model's vectors are never compared with the new model's query.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeProviders } from '../support/harness';
import type { FakeProviders } from '../support/harness';
import { startTestSubgraph } from '../support/subgraph';
import type { TestSubgraph } from '../support/subgraph';
import { gql } from '../support/subgraph';
import { tokenFor } from '../support/tokens';
import { INGEST, SEARCH } from '../support/operations';
import type { SearchResult } from '../support/results';

const TENANT = 'model-change';
const SMALL = 'openai:text-embedding-3-small';
const LARGE = 'openai:text-embedding-3-large';

describe('a change of embedding model', () => {
  let providers: FakeProviders;
  let dataDir: string;
  let subgraph: TestSubgraph | undefined;

  const start = (model: string) =>
    startTestSubgraph({
      ...providers.env,
      DATA_DIR: dataDir,
      OPENAI_EMBEDDING_MODEL: model,
      EMBED_SWEEP_INTERVAL_MS: '0',
      EMBED_SWEEP_DOCUMENTS: '2',
    });

  beforeAll(async () => {
    providers = await startFakeProviders(['openai']);
    dataDir = mkdtempSync(join(tmpdir(), 'ai-model-change-'));
  });

  afterAll(async () => {
    await subgraph?.stop();
    await providers?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the old model’s documents for the sweep and re-embeds them, a bounded number per run', async () => {
    subgraph = await start('text-embedding-3-small');
    const token = await tokenFor(TENANT);
    for (let i = 0; i < 5; i++) {
      const input = {
        id: `doc-${i}`,
        title: `Note ${i}`,
        body: `Pier ${i} holds the mooring ropes of boat ${i}.`,
      };
      const ingested = await gql(subgraph.url, INGEST, { token, variables: { input } });
      expect(ingested.body.data).toMatchObject({ ingestDocument: { embedded: true } });
    }
    expect(await subgraph.app.store.documents.pendingEmbedding(SMALL, 100)).toEqual([]);
    await subgraph.stop();
    subgraph = undefined;

    subgraph = await start('text-embedding-3-large');
    const { documents } = subgraph.app.store;
    const pendingOf = async () =>
      (await documents.pendingEmbedding(LARGE, 100)).filter((doc) => doc.tenantId === TENANT);
    expect(await pendingOf()).toHaveLength(5);

    // Searching meanwhile still works; the small model's vectors are not in the large model's space.
    const search = await gql<{ search: SearchResult }>(subgraph.url, SEARCH, {
      token,
      variables: { input: { query: 'mooring ropes', limit: 10 } },
    });
    const hits = search.body.data?.search;
    expect(hits && hits.__typename !== 'AIUnavailable' && hits.hits.length).toBe(5);

    // Two documents per run (EMBED_SWEEP_DOCUMENTS): 5 → 3 → 1 → 0.
    expect(await subgraph.app.embeddingSweep.runOnce()).toMatchObject({ embedded: 2, failed: false });
    expect(await pendingOf()).toHaveLength(3);
    await subgraph.app.embeddingSweep.runOnce();
    await subgraph.app.embeddingSweep.runOnce();
    expect(await pendingOf()).toEqual([]);
    expect(await documents.pendingEmbedding(SMALL, 100)).toHaveLength(5);
  });
});
