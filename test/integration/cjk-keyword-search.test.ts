// Keyword search in Chinese, Japanese and Korean on both stores (the lexical path, searchLexical: BM25 alone,
// no embeddings). PostgreSQL's parser takes a run of CJK characters without spaces as one lexeme, so a word
// inside a sentence never matched; migration 017's lexical_text cuts each run into overlapping bigrams, in
// the chunks, the titles and the query alike. English text is left as it was: same lexemes, same scores.
import { cjkBigrams } from '../../subgraph/retrieval/snippet';
import { bm25Sql, DEFAULT_BM25 } from '../../subgraph/retrieval/store/bm25-search';
import type { DocumentStore } from '../../subgraph/retrieval/store/document-store';
import type { RetrievedRow } from '../../subgraph/retrieval/store/retrieved-row';
import { requirePostgres } from '../support/services';
import { BACKENDS, openTestStore, putChunks } from '../support/stores';
import type { TestStore } from '../support/stores';

requirePostgres();

const TOKYO = '東京都の人口は約1400万人です。';
const BEIJING = '北京是中国的首都，人口超过两千万。';
const SEOUL = '서울의 인구는 약 천만 명입니다.';

describe.each(BACKENDS)('CJK keyword search on %s', (backend) => {
  let store: TestStore;
  const documents = (): DocumentStore => store.current.documents;
  const idsOf = async (tenantId: string, query: string) =>
    (await documents().searchLexical(tenantId, query, 10)).map((hit) => hit.documentId);

  beforeAll(async () => {
    store = await openTestStore(backend);
    const docs: [string, string, string][] = [
      ['ja', 'Tokyo', TOKYO],
      ['zh', 'Beijing', BEIJING],
      ['ko', 'Seoul', SEOUL],
      // Distractors holding the targets' characters, but not side by side as in their words.
      ['ja-chars', 'Notes', '人が口を開けて東の空を見た。'],
      ['ja-kyoto', 'Kyoto', '京都は古い都です。'],
      ['zh-chars', 'Notes', '首先我们去了都市。'],
      ['ko-chars', 'Notes', '구인 광고를 냈습니다.'],
    ];
    for (const [id, title, body] of docs) await putChunks(documents(), 'cjk', { id, title, body }, body);
  });

  afterAll(() => store?.dispose());

  it('finds a Japanese, a Chinese and a Korean document by a word inside a sentence', async () => {
    expect(await idsOf('cjk', '人口')).toEqual(expect.arrayContaining(['ja', 'zh']));
    expect(await idsOf('cjk', '首都')).toEqual(['zh']);
    expect(await idsOf('cjk', '인구')).toEqual(['ko']);
    // A longer query is cut the same way and meets the document's bigrams.
    expect((await idsOf('cjk', '東京の人口'))[0]).toBe('ja');
  });

  it('ranks the document holding the word first among distractors that share its characters', async () => {
    // 東京都: bigrams 東京 and 京都. Kyoto's text shares 京都; the other distractor only single characters.
    const hits = await idsOf('cjk', '東京都');
    expect(hits[0]).toBe('ja');
    expect(hits).not.toContain('ja-chars');
    // 人, 口 and 首, 都 and 구, 인 are in the distractors, never as these words.
    expect(await idsOf('cjk', '人口')).not.toContain('ja-chars');
    expect(await idsOf('cjk', '首都')).not.toContain('zh-chars');
    expect(await idsOf('cjk', '인구')).not.toContain('ko-chars');
  });

  it('a query of one CJK character finds it where it stands as a word of its own', async () => {
    // 年 and 月 stand between the digits of "2024年3月" (March 2024), one token with them before bigrams;
    // 약 ("about") is a word of one syllable in the Korean sentence; 猫 is a whole title. (A character inside
    // a longer run is indexed only in its bigrams, as by Lucene's CJKAnalyzer: 月 alone does not find 月曜日.)
    await putChunks(documents(), 'one-char', { id: 'issue', title: 'Issue', body: 'x' }, '発行日：2024年3月');
    await putChunks(documents(), 'one-char', { id: 'seoul', title: 'Seoul', body: 'x' }, SEOUL);
    await putChunks(documents(), 'one-char', { id: 'cat', title: '猫', body: 'x' }, 'Notes about pets.');
    await putChunks(
      documents(),
      'one-char',
      { id: 'monday', title: 'Week', body: 'x' },
      '月曜日は休みです。',
    );
    expect(await idsOf('one-char', '月')).toEqual(['issue']);
    expect(await idsOf('one-char', '약')).toEqual(['seoul']);
    expect(await idsOf('one-char', '猫')).toEqual(['cat']);
  });

  it('mixed English and CJK text keeps its English terms, glued to CJK characters or not', async () => {
    const text = 'Tokyo東京 population report: 人口統計 for 2024.';
    await putChunks(documents(), 'mixed', { id: 'report', title: 'Census東京', body: 'x' }, text);
    await putChunks(documents(), 'mixed', { id: 'other', title: 'Other', body: 'x' }, 'An unrelated note.');
    for (const query of ['Tokyo', 'population', 'census', '統計', '東京', 'Tokyo population 2024'])
      expect(await idsOf('mixed', query)).toEqual(['report']);
  });

  it('keeps the matching CJK word in the snippet of a long passage', async () => {
    const filler = 'この段落は会議の議事録と予定についての一般的な説明を含んでいます。'.repeat(10);
    const passage = `${filler}${TOKYO}${filler}`;
    await putChunks(documents(), 'snippet', { id: 'long', title: 'Minutes', body: 'x' }, passage);
    const [hit] = await documents().searchLexical('snippet', '人口', 5);
    expect(hit?.documentId).toBe('long');
    expect(hit?.snippet.length).toBeLessThan(passage.length);
    expect(hit?.snippet).toContain('人口');
  });

  it('cuts text for snippets as the store cuts it for search', async () => {
    const texts = [
      TOKYO,
      BEIJING,
      SEOUL,
      'Tokyo東京 2024年3月',
      'ドナルド・トランプ',
      'ｶﾀｶﾅ',
      '𠀋𠀌x',
      'plain text',
      '',
    ];
    const { rows } = await store.current.db.query<{ cut: string }>(
      `SELECT ${store.schema}.lexical_text(t) AS cut FROM unnest($1::text[]) WITH ORDINALITY AS u(t, n) ORDER BY n`,
      [texts],
    );
    expect(rows.map((row) => row.cut)).toEqual(texts.map(cjkBigrams));
  });

  it('leaves English text as it was: the same lexemes and term counts, the same scores', async () => {
    const texts = [
      'The keepers trimmed the lamps of the lighthouse every evening.',
      'Boats moor in the harbour when the lighthouse lamp is lit.',
      "A keeper's log records the weather, the lamps and the e-mail from the harbour master.",
    ];
    for (const [i, text] of texts.entries())
      await putChunks(
        documents(),
        'english',
        { id: `en-${i}`, title: `Lighthouse log ${i}`, body: 'x' },
        text,
      );
    const { db } = store.current;
    const s = store.schema;
    const same = await db.query<{ text_same: boolean; tsv_same: boolean; count_same: boolean }>(
      `SELECT ${s}.lexical_text(c.content) = c.content AS text_same,
         c.tsv = to_tsvector('english', c.content) AND d.title_tsv = to_tsvector('english', d.title) AS tsv_same,
         c.term_count = ${s}.tsvector_term_count(to_tsvector('english', c.content)) AS count_same
       FROM ${s}.chunks c JOIN ${s}.documents d ON d.tenant_id = c.tenant_id AND d.id = c.document_id
       WHERE c.tenant_id = 'english'`,
    );
    expect(same.rows).toHaveLength(texts.length);
    for (const row of same.rows) expect(row).toEqual({ text_same: true, tsv_same: true, count_same: true });

    // The BM25 statement as it was before lexical_text, run beside the store's: the same hits, the same scores.
    const before = bm25Sql(s).replace(
      `to_tsvector('english', ${s}.lexical_text($2))`,
      "to_tsvector('english', $2)",
    );
    expect(before).not.toBe(bm25Sql(s));
    for (const query of ['lighthouse lamps', "keeper's e-mail", 'harbour master weather']) {
      const old = await db.query<RetrievedRow>(before, [
        'english',
        query,
        10,
        DEFAULT_BM25.k1,
        DEFAULT_BM25.b,
        DEFAULT_BM25.titleWeight,
        DEFAULT_BM25.maxPostingsPerTerm,
      ]);
      const hits = await documents().searchLexical('english', query, 10);
      expect(hits.length).toBeGreaterThan(0);
      expect(hits.map((hit) => [hit.documentId, hit.score])).toEqual(
        old.rows.map((row) => [row.document_id, Number(row.score)]),
      );
    }
  });
});
