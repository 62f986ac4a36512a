// The embedding sweep never writes a document's old vectors onto the document deleted and created again under
// the same id while its embedding was in flight. A re-created document starts again at version 1, so the
// version the sweep read cannot tell the two apart: the store writes the vectors only onto the chunks they
// were made from. The new document stays pending, found by keywords, and the next run embeds its own text.
// On PGlite, whose pgvector makes the sweep run.
import { randomBytes } from 'node:crypto';
import { CIRCUITS_STAY_CLOSED, FAST_RETRIES } from '../support/harness';
import { OPENAI_EMBEDDING_SPACE, pendingEmbeddingOf, useHybridHarness } from '../support/hybrid-harness';
import { hashEmbedding } from '../support/providers/vectors';
import { waitFor } from '../support/wait-for';

jest.setTimeout(60_000);

const EMBEDDINGS = '/v1/embeddings';
const DIMENSIONS = 256;
const OLD = {
  id: 'notice',
  title: 'Notice',
  body: 'The walrus colony nests on the northern cliffs every spring.',
};
const NEW = {
  id: 'notice',
  title: 'Notice',
  body: 'Parking permits are renewed at the town hall each January.',
};

describe('the embedding sweep and a document deleted and re-created while it embeds', () => {
  const harness = useHybridHarness({ ...FAST_RETRIES, ...CIRCUITS_STAY_CLOSED });

  it('does not write the old body’s vectors onto the re-created document, and embeds the new body next run', async () => {
    const client = harness.as(`sweep-recreated-${randomBytes(4).toString('hex')}`);
    const { documents } = harness.app.store;
    const openai = harness.providers.openai;
    const pending = () => pendingEmbeddingOf(harness, client.tenant);
    const nearest = async (text: string) =>
      documents.searchSemantic(
        client.tenant,
        { model: OPENAI_EMBEDDING_SPACE, vector: hashEmbedding(text, DIMENSIONS), text },
        5,
      );

    // Ingested while embeddings are down: stored at version 1, not embedded.
    openai.faults.always({ kind: 'status', status: 503 }, { path: EMBEDDINGS });
    expect(await client.ingest(OLD)).toMatchObject({ embedded: false });
    expect(await pending()).toHaveLength(1);

    // The sweep reads the old body's chunks at version 1 and waits on the provider.
    openai.faults.clear();
    openai.faults.once({ kind: 'latency', ms: 1_500 }, { path: EMBEDDINGS });
    const before = openai.requestCount(EMBEDDINGS);
    const run = harness.app.embeddingSweep.runOnce();
    await waitFor(
      () => (openai.requestCount(EMBEDDINGS) > before ? true : undefined),
      10_000,
      'the sweep’s embedding request',
    );

    // Meanwhile the client deletes the document and ingests it again (embeddings down): version 1 again.
    openai.faults.always({ kind: 'status', status: 503 }, { path: EMBEDDINGS });
    expect(await client.deleteDocument(OLD.id)).toBe(true);
    expect(await client.ingest(NEW)).toMatchObject({ embedded: false });
    expect((await documents.chunksOf(client.tenant, NEW.id))?.version).toBe(1);

    const report = await run;
    // No vector on the new chunks: semantic search finds nothing for the deleted text, and it is still pending.
    expect(await nearest(OLD.body)).toEqual([]);
    expect(report).toEqual({ embedded: 0, skipped: 1, failed: false });
    expect(await pending()).toEqual([{ tenantId: client.tenant, documentId: NEW.id }]);

    // The next run embeds the new body, in its own vectors.
    openai.faults.clear();
    expect(await harness.app.embeddingSweep.runOnce()).toMatchObject({ embedded: 1, failed: false });
    expect(await pending()).toEqual([]);
    const [hit] = await nearest(NEW.body);
    expect(hit).toMatchObject({ documentId: NEW.id, content: NEW.body });
    expect(hit?.score).toBeCloseTo(1, 5);
  });
});
