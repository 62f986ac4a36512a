// BM25's term statistics are kept at ingest (migration 004) instead of counted by every search: on both stores
// they always equal a count of the tenant's own committed chunks — after an ingest, a replacement that
// shrinks a document, and a delete whose chunks go by cascade — and one tenant's changes never move another's.
// A search reads at most BM25_MAX_POSTINGS_PER_TERM postings per term, best first.
import { createDocumentStore } from '../../subgraph/retrieval/store/document-store';
import { DEFAULT_BM25 } from '../../subgraph/retrieval/store/bm25-search';
import { inTenantScope } from '../../subgraph/retrieval/store/tenant-scope';
import { BACKENDS, openTestStore, putChunks } from '../support/stores';
import type { TestStore } from '../support/stores';

interface Stats {
  chunks: number;
  totalTerms: number;
  df: Record<string, number>;
}

/** The kept statistics and the same figures counted from the chunks, both read as the tenant. */
async function statsOf(store: TestStore, tenantId: string): Promise<{ kept: Stats; counted: Stats }> {
  const { db } = store.current;
  const s = store.schema;
  return inTenantScope(db, store.appRole, tenantId, async (tx) => {
    const kept = await tx.query<{ chunks: string; total_terms: string }>(
      `SELECT chunks, total_terms FROM ${s}.corpus_stats WHERE tenant_id = $1`,
      [tenantId],
    );
    const keptDf = await tx.query<{ lexeme: string; df: string }>(
      `SELECT lexeme, df FROM ${s}.term_stats WHERE tenant_id = $1 AND df > 0`,
      [tenantId],
    );
    const counted = await tx.query<{ chunks: string; total_terms: string | null }>(
      `SELECT count(*) AS chunks, sum(term_count) AS total_terms FROM ${s}.chunks WHERE tenant_id = $1`,
      [tenantId],
    );
    const countedDf = await tx.query<{ lexeme: string; df: string }>(
      `SELECT u.lexeme, count(*) AS df FROM ${s}.chunks c CROSS JOIN LATERAL unnest(c.tsv) AS u
       WHERE c.tenant_id = $1 GROUP BY u.lexeme`,
      [tenantId],
    );
    const toDf = (rows: { lexeme: string; df: string }[]) =>
      Object.fromEntries(rows.map((row) => [row.lexeme, Number(row.df)]));
    return {
      kept: {
        chunks: Number(kept.rows[0]?.chunks ?? 0),
        totalTerms: Number(kept.rows[0]?.total_terms ?? 0),
        df: toDf(keptDf.rows),
      },
      counted: {
        chunks: Number(counted.rows[0]?.chunks ?? 0),
        totalTerms: Number(counted.rows[0]?.total_terms ?? 0),
        df: toDf(countedDf.rows),
      },
    };
  });
}

describe.each(BACKENDS)('BM25 statistics on %s', (backend) => {
  let store: TestStore;

  beforeAll(async () => {
    store = await openTestStore(backend);
  });

  afterAll(() => store?.dispose());

  it('equal a count of the tenant’s chunks after ingest, a shrinking replacement and a cascaded delete', async () => {
    const { documents } = store.current;
    await putChunks(
      documents,
      'alpha',
      { id: 'a', title: 'Lamps', body: 'x' },
      'keepers trim lamps',
      'lamps burn oil',
    );
    await putChunks(documents, 'alpha', { id: 'b', title: 'Boats', body: 'x' }, 'boats moor in the harbour');
    await putChunks(
      documents,
      'beta',
      { id: 'a', title: 'Other', body: 'x' },
      'lamps lamps lamps of another tenant',
    );
    let alpha = await statsOf(store, 'alpha');
    expect(alpha.kept).toEqual(alpha.counted);
    expect(alpha.kept.chunks).toBe(3);
    expect(alpha.kept.df['lamp']).toBe(2);

    // Replaced by a single chunk: the two old chunks' terms leave the statistics.
    await putChunks(documents, 'alpha', { id: 'a', title: 'Lamps', body: 'x' }, 'one lamp left');
    alpha = await statsOf(store, 'alpha');
    expect(alpha.kept).toEqual(alpha.counted);
    expect(alpha.kept.chunks).toBe(2);
    expect(alpha.kept.df['lamp']).toBe(1);
    expect(alpha.kept.df['keeper']).toBeUndefined();

    // Deleting the document removes its chunks by cascade; the triggers see that too.
    expect(await documents.deleteDocument('alpha', 'b')).toBe(true);
    alpha = await statsOf(store, 'alpha');
    expect(alpha.kept).toEqual(alpha.counted);
    expect(alpha.kept.chunks).toBe(1);
    expect(alpha.kept.df['harbour']).toBeUndefined();

    // Nothing alpha did moved beta's figures.
    const beta = await statsOf(store, 'beta');
    expect(beta.kept).toEqual(beta.counted);
    expect(beta.kept).toEqual({ chunks: 1, totalTerms: 5, df: { lamp: 1, anoth: 1, tenant: 1 } });
  });

  it('a term no chunk holds any more leaves term_stats: a deleted document’s words, a replaced text’s words', async () => {
    const { documents } = store.current;
    // As the tenant, row level security and all: what a later reader of the table would see.
    const rowsOf = (lexeme: string) =>
      inTenantScope(store.current.db, store.appRole, 'epsilon', async (tx) => {
        const result = await tx.query<{ count: string }>(
          `SELECT count(*) AS count FROM ${store.schema}.term_stats WHERE lexeme = $1`,
          [lexeme],
        );
        return Number(result.rows[0]?.count);
      });
    await putChunks(documents, 'epsilon', { id: 'a', title: 'T', body: 'x' }, 'the quokka sleeps');
    await putChunks(documents, 'epsilon', { id: 'b', title: 'T', body: 'x' }, 'the wombat sleeps');
    expect(await rowsOf('quokka')).toBe(1);

    expect(await documents.deleteDocument('epsilon', 'a')).toBe(true);
    expect(await rowsOf('quokka')).toBe(0);
    // A term another chunk still holds stays, its df lowered.
    expect((await statsOf(store, 'epsilon')).kept.df).toEqual({ wombat: 1, sleep: 1 });

    await putChunks(documents, 'epsilon', { id: 'b', title: 'T', body: 'x' }, 'the numbat sleeps');
    expect(await rowsOf('wombat')).toBe(0);
    // A term whose row went comes back with the next chunk that holds it, and ranks as before.
    await putChunks(documents, 'epsilon', { id: 'c', title: 'T', body: 'x' }, 'a quokka wakes');
    const stats = await statsOf(store, 'epsilon');
    expect(stats.kept).toEqual(stats.counted);
    expect((await documents.searchLexical('epsilon', 'quokka', 10)).map((hit) => hit.documentId)).toEqual([
      'c',
    ]);
  });

  it('an ingest that fails leaves the statistics as they were', async () => {
    const { documents } = store.current;
    await putChunks(documents, 'gamma', { id: 'a', title: 'T', body: 'x' }, 'stable words here');
    const before = await statsOf(store, 'gamma');
    // A NUL byte cannot be stored in text: the statement fails and the transaction rolls back whole.
    await expect(
      putChunks(documents, 'gamma', { id: 'b', title: 'T', body: 'x' }, 'fine words', 'bad \u0000 words'),
    ).rejects.toThrow();
    expect(await statsOf(store, 'gamma')).toEqual(before);
  });

  it('reads at most maxPostingsPerTerm postings of a term, the chunks holding it most', async () => {
    const capped = createDocumentStore(store.current.db, {
      schema: store.schema,
      appRole: store.appRole,
      bm25: { ...DEFAULT_BM25, maxPostingsPerTerm: 2 },
    });
    const texts = ['otter', 'otter otter otter', 'otter otter', 'otter river', 'otter otter otter otter'];
    for (const [i, text] of texts.entries()) {
      await putChunks(capped, 'delta', { id: `d${i}`, title: 'Notes', body: text }, text);
    }
    const hits = await capped.searchLexical('delta', 'otter', 10);
    expect(hits.map((hit) => hit.documentId)).toEqual(['d4', 'd1']);
    const uncapped = createDocumentStore(store.current.db, { schema: store.schema, appRole: store.appRole });
    expect(await uncapped.searchLexical('delta', 'otter', 10)).toHaveLength(5);
  });
});
