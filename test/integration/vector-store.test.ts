// The document store's vectors on PGlite (with pgvector): documents stored with their chunks' embeddings,
// semantic search by cosine within one model and one tenant, the sweep's backlog of documents to embed, and
// the sweep's write refused when the document changed meanwhile.
import type { DocumentStore } from '../../subgraph/retrieval/store/document-store';
import { asRole, chunksOf, openTestStore } from '../support/stores';
import type { TestStore } from '../support/stores';
import { cosine, normalized } from '../support/vectors';

const MODEL_A = 'embed-a';
const MODEL_B = 'embed-b';

/** A unit vector pointing mostly along axis `axis` of 4, with a little of the next axis. */
const along = (axis: number, tilt = 0): number[] =>
  normalized([0, 1, 2, 3].map((i) => (i === axis ? 1 : i === (axis + 1) % 4 ? tilt : 0)));

describe('vector store on pglite', () => {
  let handle: TestStore;
  const documents = (): DocumentStore => handle.current.documents;
  const embeddedState = (tenantId: string, id: string) =>
    asRole(handle.current, handle.appRole, tenantId, (tx) =>
      tx.query<{ embedded: boolean; embedding_model: string | null }>(
        `SELECT embedded, embedding_model FROM ${handle.schema}.documents WHERE id = $1`,
        [id],
      ),
    ).then((result) => result.rows[0]);

  beforeAll(async () => {
    handle = await openTestStore('pglite');
  });

  afterAll(async () => {
    await handle?.dispose();
  });

  it('opens with semantic search available', () => {
    expect(documents().semantic).toEqual({ available: true, reason: null });
    expect(handle.current.semantic).toEqual({ available: true, reason: null });
    expect(handle.current.migrationsPending).toEqual([]);
  });

  it('returns the tenant’s chunks nearest by cosine, scored by cosine similarity, with a snippet', async () => {
    const tenant = 'near';
    await documents().putDocument(
      tenant,
      { id: 'axes', title: 'Axes', body: 'x' },
      chunksOf('Along the first axis.', 'Mostly first, a little second.', 'Along the third axis.'),
      { model: MODEL_A, vectors: [along(0), along(0, 0.5), along(2)] },
    );
    const query = along(0, 0.2);
    const hits = await documents().searchSemantic(
      tenant,
      { model: MODEL_A, vector: query, text: 'first' },
      3,
    );
    expect(hits.map((hit) => hit.chunkId)).toEqual(['axes#0', 'axes#1', 'axes#2']);
    expect(hits.map((hit) => hit.score)).toEqual(
      [along(0), along(0, 0.5), along(2)].map((vector) => expect.closeTo(cosine(vector, query), 5)),
    );
    expect(hits[0]).toMatchObject({
      documentId: 'axes',
      documentVersion: 1,
      title: 'Axes',
      content: 'Along the first axis.',
      snippet: 'Along the first axis.',
    });
    expect(await documents().searchSemantic(tenant, { model: MODEL_A, vector: query }, 1)).toHaveLength(1);
    expect(await embeddedState(tenant, 'axes')).toEqual({ embedded: true, embedding_model: MODEL_A });
  });

  it('compares vectors of the query’s model only: a chunk embedded in model B is never returned for model A', async () => {
    const tenant = 'models';
    await documents().putDocument(tenant, { id: 'in-a', title: 'A', body: 'x' }, chunksOf('model a text'), {
      model: MODEL_A,
      vectors: [along(1)],
    });
    // Exactly the query's direction, but made by another model: its numbers mean something else.
    await documents().putDocument(tenant, { id: 'in-b', title: 'B', body: 'x' }, chunksOf('model b text'), {
      model: MODEL_B,
      vectors: [along(3)],
    });
    const forA = await documents().searchSemantic(tenant, { model: MODEL_A, vector: along(3) }, 10);
    expect(forA.map((hit) => hit.documentId)).toEqual(['in-a']);
    const forB = await documents().searchSemantic(tenant, { model: MODEL_B, vector: along(1) }, 10);
    expect(forB.map((hit) => hit.documentId)).toEqual(['in-b']);
  });

  it('never returns another tenant’s chunks, even ones identical to the query', async () => {
    await documents().putDocument('mine', { id: 'm', title: 'Mine', body: 'x' }, chunksOf('mine'), {
      model: MODEL_A,
      vectors: [along(2)],
    });
    await documents().putDocument('theirs', { id: 't', title: 'Theirs', body: 'x' }, chunksOf('theirs'), {
      model: MODEL_A,
      vectors: [along(0)],
    });
    const hits = await documents().searchSemantic('mine', { model: MODEL_A, vector: along(0) }, 10);
    expect(hits.map((hit) => hit.documentId)).toEqual(['m']);
    expect(await documents().searchSemantic('nobody', { model: MODEL_A, vector: along(0) }, 10)).toEqual([]);
  });

  it('stores a document without vectors as not embedded, and a re-ingest without vectors drops the old ones', async () => {
    const tenant = 'reingest';
    await documents().putDocument(tenant, { id: 'r', title: 'R', body: 'x' }, chunksOf('old text'), {
      model: MODEL_A,
      vectors: [along(0)],
    });
    await documents().putDocument(tenant, { id: 'r', title: 'R', body: 'y' }, chunksOf('new text'));
    expect(await embeddedState(tenant, 'r')).toEqual({ embedded: false, embedding_model: null });
    expect(await documents().searchSemantic(tenant, { model: MODEL_A, vector: along(0) }, 10)).toEqual([]);
    expect(await documents().searchLexical(tenant, 'new text', 10)).toHaveLength(1);
  });

  it('refuses vectors that do not match the chunks, writing nothing', async () => {
    const tenant = 'mismatch';
    await expect(
      documents().putDocument(tenant, { id: 'm', title: 'M', body: 'x' }, chunksOf('one', 'two'), {
        model: MODEL_A,
        vectors: [along(0)],
      }),
    ).rejects.toThrow('1 embeddings for 2 chunks');
    await expect(
      documents().putDocument(tenant, { id: 'm', title: 'M', body: 'x' }, chunksOf('one', 'two'), {
        model: MODEL_A,
        vectors: [along(0), [0, 0, 0, 0]],
      }),
    ).rejects.toThrow('zero vector');
    expect(await documents().getDocuments(tenant, ['m'])).toEqual([]);
  });

  describe('the sweep: pendingEmbedding, chunksOf, putEmbeddings', () => {
    const pendingOf = async (model: string, tenants: string[]) =>
      (await documents().pendingEmbedding(model, 1_000))
        .filter((pending) => tenants.includes(pending.tenantId))
        .map((pending) => `${pending.tenantId}/${pending.documentId}`)
        .sort();

    it('lists unembedded and other-model documents across tenants, and drops each once embedded in the model', async () => {
      await documents().putDocument(
        'sweep-1',
        { id: 'plain', title: 'P', body: 'x' },
        chunksOf('p one', 'p two'),
      );
      await documents().putDocument('sweep-1', { id: 'done', title: 'D', body: 'x' }, chunksOf('d'), {
        model: MODEL_A,
        vectors: [along(0)],
      });
      await documents().putDocument('sweep-2', { id: 'old-model', title: 'O', body: 'x' }, chunksOf('o'), {
        model: MODEL_B,
        vectors: [along(1)],
      });
      const tenants = ['sweep-1', 'sweep-2'];
      expect(await pendingOf(MODEL_A, tenants)).toEqual(['sweep-1/plain', 'sweep-2/old-model']);
      expect(await pendingOf(MODEL_B, tenants)).toEqual(['sweep-1/done', 'sweep-1/plain']);

      const plain = await documents().chunksOf('sweep-1', 'plain');
      expect(plain).toEqual({
        version: 1,
        chunks: [
          { ordinal: 0, content: 'p one' },
          { ordinal: 1, content: 'p two' },
        ],
      });
      expect(await documents().chunksOf('sweep-2', 'plain')).toBeNull();
      await expect(
        documents().putEmbeddings('sweep-1', 'plain', 1, MODEL_A, [along(2), along(3)]),
      ).resolves.toBe(true);
      await expect(documents().putEmbeddings('sweep-2', 'old-model', 1, MODEL_A, [along(2)])).resolves.toBe(
        true,
      );
      expect(await pendingOf(MODEL_A, tenants)).toEqual([]);
      expect(await embeddedState('sweep-2', 'old-model')).toEqual({
        embedded: true,
        embedding_model: MODEL_A,
      });
      const hits = await documents().searchSemantic('sweep-1', { model: MODEL_A, vector: along(3) }, 1);
      expect(hits.map((hit) => hit.chunkId)).toEqual(['plain#1']);
      // Model B's vectors of old-model were replaced: nothing of it is left for a model B query.
      expect(await documents().searchSemantic('sweep-2', { model: MODEL_B, vector: along(1) }, 10)).toEqual(
        [],
      );
    });

    it('refuses vectors for a version the document has left (a re-ingest in between wins)', async () => {
      const tenant = 'stale';
      await documents().putDocument(tenant, { id: 's', title: 'S', body: 'x' }, chunksOf('first'));
      const before = await documents().chunksOf(tenant, 's');
      await documents().putDocument(tenant, { id: 's', title: 'S', body: 'y' }, chunksOf('second', 'third'));

      await expect(
        documents().putEmbeddings(tenant, 's', before?.version ?? 0, MODEL_A, [along(0)]),
      ).resolves.toBe(false);
      expect(await embeddedState(tenant, 's')).toEqual({ embedded: false, embedding_model: null });
      expect(await pendingOf(MODEL_A, [tenant])).toEqual(['stale/s']);
      await expect(documents().putEmbeddings(tenant, 'gone', 1, MODEL_A, [along(0)])).resolves.toBe(false);

      await expect(documents().putEmbeddings(tenant, 's', 2, MODEL_A, [along(0), along(1)])).resolves.toBe(
        true,
      );
      expect(await pendingOf(MODEL_A, [tenant])).toEqual([]);
    });

    it('lists the documents the sweep tried last, and leaves out one unusable in the model until a re-ingest', async () => {
      const tenant = 'attempts';
      for (const id of ['a', 'b', 'c'])
        await documents().putDocument(tenant, { id, title: id, body: 'x' }, chunksOf(`${id} text`));
      const inOrder = async (model: string) =>
        (await documents().pendingEmbedding(model, 1_000))
          .filter((pending) => pending.tenantId === tenant)
          .map((pending) => pending.documentId);
      const counts = async () =>
        (
          await asRole(handle.current, handle.appRole, tenant, (tx) =>
            tx.query<{ model: string; documents: number }>(
              `SELECT model, documents FROM ${handle.schema}.tenant_embedding_models WHERE tenant_id = $1`,
              [tenant],
            ),
          )
        ).rows;
      const tried = async (id: string, unusableIn?: string) => {
        const read = await documents().chunksOf(tenant, id);
        return documents().noteEmbeddingAttempt(
          tenant,
          id,
          read?.version ?? 0,
          read?.chunks ?? [],
          unusableIn,
        );
      };
      expect(await inOrder(MODEL_A)).toEqual(['a', 'b', 'c']);

      await expect(tried('a')).resolves.toBe(true);
      expect(await inOrder(MODEL_A)).toEqual(['b', 'c', 'a']);
      await expect(tried('b', MODEL_A)).resolves.toBe(true);
      expect(await inOrder(MODEL_A)).toEqual(['c', 'a']);
      // Another model still tries it; neither is embedded, and the backlog counts have not moved.
      expect(await inOrder(MODEL_B)).toEqual(['c', 'a', 'b']);
      expect(await embeddedState(tenant, 'b')).toEqual({ embedded: false, embedding_model: null });
      expect(await counts()).toEqual([{ model: '', documents: 3 }]);

      // A re-ingest is new text: b is pending in model A again, and an attempt at its old text records nothing.
      const old = await documents().chunksOf(tenant, 'b');
      await documents().putDocument(tenant, { id: 'b', title: 'b', body: 'y' }, chunksOf('b new text'));
      await expect(
        documents().noteEmbeddingAttempt(tenant, 'b', old?.version ?? 0, old?.chunks ?? [], MODEL_A),
      ).resolves.toBe(false);
      expect(await inOrder(MODEL_A)).toEqual(['c', 'b', 'a']);
      expect(await counts()).toEqual([{ model: '', documents: 3 }]);
    });

    it('spreads a small limit over the tenants with work, and forgets a deleted document', async () => {
      for (const tenant of ['fair-1', 'fair-2'])
        for (const id of ['a', 'b', 'c'])
          await documents().putDocument(tenant, { id, title: id, body: 'x' }, chunksOf(`${tenant} ${id}`));
      const model = 'embed-fair';
      const sweep = (await documents().pendingEmbedding(model, 1_000)).filter((p) =>
        p.tenantId.startsWith('fair-'),
      );
      expect(sweep).toHaveLength(6);
      // Every other tenant in this suite has pending work for this model too; two of each is a fair share.
      const few = await documents().pendingEmbedding(model, 4);
      expect(few).toHaveLength(4);
      expect(new Set(few.map((p) => p.tenantId)).size).toBe(4);

      await documents().deleteDocument('fair-1', 'a');
      const after = await documents().pendingEmbedding(model, 1_000);
      expect(after.filter((p) => p.tenantId === 'fair-1').map((p) => p.documentId)).toEqual(['b', 'c']);
    });
  });

  it('reads the backlog of other tenants only as ids and counts: their documents stay hidden', async () => {
    const rows = await asRole(handle.current, handle.appRole, 'mine', async (tx) => ({
      backlog: (await tx.query(`SELECT * FROM ${handle.schema}.tenant_embedding_models`)).rows.length,
      documents: (await tx.query<{ tenant_id: string }>(`SELECT tenant_id FROM ${handle.schema}.documents`))
        .rows,
      vectors: (
        await tx.query<{ tenant_id: string }>(`SELECT tenant_id FROM ${handle.schema}.chunk_embeddings`)
      ).rows,
    }));
    expect(rows.backlog).toBeGreaterThan(1);
    expect(new Set(rows.documents.map((row) => row.tenant_id))).toEqual(new Set(['mine']));
    expect(new Set(rows.vectors.map((row) => row.tenant_id))).toEqual(new Set(['mine']));
    // And no tenant may change another's counts.
    await expect(
      asRole(handle.current, handle.appRole, 'mine', (tx) =>
        tx.query(
          `UPDATE ${handle.schema}.tenant_embedding_models SET documents = 0 WHERE tenant_id = 'theirs'`,
        ),
      ),
    ).resolves.toBeDefined();
    const theirs = await asRole(handle.current, handle.appRole, 'theirs', (tx) =>
      tx.query<{ documents: number }>(
        `SELECT documents FROM ${handle.schema}.tenant_embedding_models WHERE tenant_id = 'theirs' AND model = $1`,
        [MODEL_A],
      ),
    );
    expect(theirs.rows).toEqual([{ documents: 1 }]);
  });

  it('refuses a malformed query vector with a message that says what is wrong', async () => {
    await expect(
      documents().searchSemantic('near', { model: MODEL_A, vector: [Number.NaN, 1] }, 5),
    ).rejects.toThrow('not a finite number');
    await expect(documents().searchSemantic('near', { model: MODEL_A, vector: [] }, 5)).rejects.toThrow(
      '1 to 16000 dimensions',
    );
  });
});
