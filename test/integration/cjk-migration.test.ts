// Migration 017 (CJK bigrams) on a store that already holds Chinese, Japanese and Korean documents, on both
// backends: their chunks and titles are cut into bigrams, so the words inside them become findable, and
// chunk_terms, term_stats and corpus_stats equal a recount from scratch. A tenant with only English text
// keeps its rows and statistics exactly, and its scores.
import { bm25Sql, DEFAULT_BM25 } from '../../subgraph/retrieval/store/bm25-search';
import { createDocumentStore } from '../../subgraph/retrieval/store/document-store';
import { migrate } from '../../subgraph/retrieval/store/migrate';
import type { SqlDatabase } from '../../subgraph/retrieval/store/sql';
import { MIGRATION_BACKENDS, migrateBefore, useMigrationDatabase } from '../support/migrations';
import { requirePostgres } from '../support/services';
import { putChunks } from '../support/stores';

requirePostgres();

const CJK_MIGRATION = 17;

describe.each(MIGRATION_BACKENDS)('migration 017 on %s', (_backend, open, drop) => {
  const { target, db: database } = useMigrationDatabase(open, drop);
  let db: SqlDatabase;
  beforeAll(() => {
    db = database();
  });
  const s = target.schema;

  /** A query's rows as sorted lines of their values (counts read as text: bigint comes back as text from pg). */
  const rowsOf = async (sql: string) =>
    (await db.query<Record<string, unknown>>(sql)).rows
      .map((row) => Object.values(row).map(String).join(' | '))
      .sort();

  /** The statistics and postings as kept, and as counted again from the chunks' tsv (every tenant). */
  const keptAndCounted = async () => ({
    kept: {
      corpus: await rowsOf(`SELECT tenant_id, chunks, total_terms FROM ${s}.corpus_stats WHERE chunks > 0`),
      terms: await rowsOf(`SELECT tenant_id, lexeme, df FROM ${s}.term_stats`),
      postings: await rowsOf(
        `SELECT tenant_id, lexeme, document_id, ordinal, tf, chunk_length FROM ${s}.chunk_terms`,
      ),
    },
    counted: {
      corpus: await rowsOf(
        `SELECT tenant_id, count(*) AS chunks, sum(term_count) AS total_terms FROM ${s}.chunks GROUP BY tenant_id`,
      ),
      terms: await rowsOf(
        `SELECT c.tenant_id, u.lexeme, count(*) AS df FROM ${s}.chunks c CROSS JOIN LATERAL unnest(c.tsv) AS u
         GROUP BY c.tenant_id, u.lexeme`,
      ),
      postings: await rowsOf(
        `SELECT c.tenant_id, u.lexeme, c.document_id, c.ordinal, cardinality(u.positions) AS tf,
           c.term_count AS chunk_length
         FROM ${s}.chunks c CROSS JOIN LATERAL unnest(c.tsv) AS u`,
      ),
    },
  });

  /** The English tenant's rows that BM25 reads, column by column. */
  const englishRows = async () => ({
    chunks: await rowsOf(
      `SELECT document_id, ordinal, content, tsv, term_count FROM ${s}.chunks WHERE tenant_id = 'english'`,
    ),
    titles: await rowsOf(`SELECT id, title_tsv FROM ${s}.documents WHERE tenant_id = 'english'`),
    terms: await rowsOf(`SELECT lexeme, df FROM ${s}.term_stats WHERE tenant_id = 'english'`),
    corpus: await rowsOf(`SELECT chunks, total_terms FROM ${s}.corpus_stats WHERE tenant_id = 'english'`),
    postings: await rowsOf(
      `SELECT lexeme, document_id, ordinal, tf, chunk_length FROM ${s}.chunk_terms WHERE tenant_id = 'english'`,
    ),
  });

  /** The English tenant's hits and scores for a few queries by a BM25 statement. */
  const englishScores = async (sql: string) => {
    const scores: [string, string, number][] = [];
    for (const query of ['lamps boats', 'keepers', 'harbour moor']) {
      const { rows } = await db.query<{ document_id: string; score: number }>(sql, [
        'english',
        query,
        10,
        DEFAULT_BM25.k1,
        DEFAULT_BM25.b,
        DEFAULT_BM25.titleWeight,
        DEFAULT_BM25.maxPostingsPerTerm,
      ]);
      scores.push(
        ...rows.map((row): [string, string, number] => [query, row.document_id, Number(row.score)]),
      );
    }
    return scores;
  };

  it('makes CJK documents stored before it findable, with statistics equal to a recount', async () => {
    await migrateBefore(db, target, CJK_MIGRATION);
    const store = createDocumentStore(db, target);
    await putChunks(
      store,
      'cjk',
      { id: 'ja', title: '東京の統計', body: 'x' },
      '東京都の人口は約1400万人です。',
    );
    await putChunks(
      store,
      'cjk',
      { id: 'zh', title: 'Beijing', body: 'x' },
      '北京是中国的首都。',
      '人口超过两千万。',
    );
    await putChunks(store, 'cjk', { id: 'ko', title: 'Seoul', body: 'x' }, '서울의 인구는 약 천만 명입니다.');
    await putChunks(store, 'cjk', { id: 'en', title: 'Harbour', body: 'x' }, 'Boats moor in the harbour.');
    await putChunks(store, 'english', { id: 'a', title: 'Lamps', body: 'x' }, 'Keepers trim the lamps.');
    await putChunks(store, 'english', { id: 'b', title: 'Boats', body: 'x' }, 'Boats moor near lamps.');
    // A document stored and deleted before: its statistics rows are gone, and stay gone.
    await putChunks(store, 'cjk', { id: 'gone', title: 'Gone', body: 'x' }, '削除された文書です。');
    await store.deleteDocument('cjk', 'gone');

    const englishBefore = await englishRows();
    const scoresBefore = await englishScores(bm25Before(s));

    const report = await migrate(db, target);
    expect(report.applied).toContain('017_cjk_bigrams.sql');

    // The words inside the old documents' texts and titles are found now.
    const idsOf = async (query: string) =>
      (await store.searchLexical('cjk', query, 10)).map((hit) => hit.documentId);
    expect(await idsOf('人口')).toEqual(expect.arrayContaining(['ja', 'zh']));
    expect(await idsOf('首都')).toEqual(['zh']);
    expect(await idsOf('인구')).toEqual(['ko']);
    expect(await idsOf('統計')).toEqual(['ja']);
    expect(await idsOf('harbour')).toEqual(['en']);

    const { kept, counted } = await keptAndCounted();
    expect(kept).toEqual(counted);
    // The old long lexemes left the statistics with their last posting.
    expect(kept.terms.some((row) => row.includes('東京都の人口は約1400万人です'))).toBe(false);
    expect(kept.terms.some((row) => row.includes('削除'))).toBe(false);

    // The English tenant: the same rows, statistics and scores.
    expect(await englishRows()).toEqual(englishBefore);
    expect(scoresBefore.length).toBeGreaterThan(0);
    expect(await englishScores(bm25Sql(s))).toEqual(scoresBefore);

    // The columns keep migration 002's inline storage and their GIN indexes.
    const storage = await db.query<{ attstorage: string }>(
      `SELECT attstorage FROM pg_attribute WHERE attrelid = '${s}.chunks'::regclass AND attname = 'tsv'`,
    );
    expect(storage.rows).toEqual([{ attstorage: 'm' }]);
    const indexes = await db.query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes
       WHERE schemaname = $1 AND indexname IN ('chunks_tsv_idx', 'documents_title_tsv_idx') ORDER BY indexname`,
      [s],
    );
    expect(
      indexes.rows.map((row) => [row.indexname, /USING gin \((title_)?tsv\)/.test(row.indexdef)]),
    ).toEqual([
      ['chunks_tsv_idx', true],
      ['documents_title_tsv_idx', true],
    ]);

    // From then on the triggers keep the statistics equal to a recount through re-ingest and delete.
    await putChunks(
      store,
      'cjk',
      { id: 'ja', title: '東京', body: 'x' },
      '東京の人口が増えた。',
      'Tokyo grows.',
    );
    await store.deleteDocument('cjk', 'ko');
    const after = await keptAndCounted();
    expect(after.kept).toEqual(after.counted);
  });
});

/** bm25Sql as the release before migration 017 ran it: the query's terms parsed without lexical_text. */
function bm25Before(schema: string): string {
  const before = bm25Sql(schema).replace(
    `to_tsvector('english', ${schema}.lexical_text($2))`,
    "to_tsvector('english', $2)",
  );
  if (before === bm25Sql(schema)) throw new Error('bm25Sql no longer parses the query with lexical_text');
  return before;
}
