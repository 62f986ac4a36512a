// Retrieval benchmark: the quality of the lexical search path (DocumentStore.searchLexical, the SQL that the
// `search` feature runs) on a public test collection, on PGlite and on PostgreSQL, beside a BM25 reference
// computed in the same run by a kept library (MiniSearch, Porter stemmer, English stopword list). On PGlite
// (pgvector) also the semantic path and the hybrid fusion, over the fake OpenAI server's hash embeddings: bags
// of hashed words with no meaning, so those rows check the plumbing, not semantic quality.
//
//   npm run bench:retrieval [-- --k=10 --skip-postgres --database-url=postgresql://... --dry-run]
//
// The collection is ../shared/data/dev/squad-v2-dev-subset/small.json: each paragraph a document, each
// answerable question a query whose relevant document is its paragraph. Its results replace the
// `bench:retrieval` block of BENCHMARKS.md (not with --dry-run).
import { envSchema } from '../subgraph/config';
import type { Bm25Config, StoreConfig } from '../subgraph/config';
import { chunkText } from '../subgraph/retrieval/chunking';
import { createDocumentStore } from '../subgraph/retrieval/store/document-store';
import { openStore } from '../subgraph/retrieval/store/open-store';
import { hashEmbedding } from '../test/support/providers';
import { EMBEDDING_MODEL } from './hybrid/corpus';
import { searchPaths } from './hybrid/hybrid-search';
import { evaluate } from './retrieval/evaluate';
import type { Evaluated } from './retrieval/evaluate';
import { referenceBm25 } from './retrieval/reference-bm25';
import { loadSquadCollection } from './retrieval/squad';
import type { TestCollection } from './retrieval/squad';
import { fixed, machineLine, markdownTable } from './support/report';
import { runBenchmark } from './support/run-benchmark';
import { DEFAULT_DATABASE_URL, dropSchema, uniqueSchema } from './support/subgraph';

const OPTIONS = {
  k: { default: 10, help: 'cut-off of nDCG@k and recall@k' },
  'database-url': { default: DEFAULT_DATABASE_URL, help: 'PostgreSQL server of the postgres rows' },
  'skip-postgres': { default: false, help: 'leave out the postgres rows' },
};

const TENANT = 'bench-retrieval';
const defaults = envSchema.parse({});
const DEFAULT_BM25: Bm25Config = {
  k1: defaults.BM25_K1,
  b: defaults.BM25_B,
  titleWeight: defaults.BM25_TITLE_WEIGHT,
  maxPostingsPerTerm: defaults.BM25_MAX_POSTINGS_PER_TERM,
};
const CHUNKING = { maxChars: defaults.CHUNK_MAX_CHARS, overlapChars: defaults.CHUNK_OVERLAP_CHARS };
// Enough passages that a document's several chunks still leave k distinct documents.
const PASSAGES_PER_QUERY = 50;
// The test embeddings' size; the collection is small, so every search is exact (no index needed).
const DIMENSIONS = 384;

/** Ingests the collection into a fresh store and evaluates its lexical search with each BM25 setting. */
async function evaluateStore(
  backend: 'pglite' | 'postgres',
  databaseUrl: string | undefined,
  collection: TestCollection,
  settings: { label: string; bm25: Bm25Config }[],
  k: number,
): Promise<Evaluated[]> {
  const config: StoreConfig = {
    databaseUrl,
    dataDir: ':memory:',
    schema: uniqueSchema('bench_retrieval'),
    appRole: defaults.DATABASE_APP_ROLE,
    poolSize: 2,
  };
  const opened = await openStore(config);
  try {
    const semantic = opened.semantic.available;
    for (const document of collection.documents) {
      const chunks = chunkText(document.body, CHUNKING);
      const vectors = chunks.map((chunk) => hashEmbedding(chunk.text, DIMENSIONS));
      const embedding = semantic ? { model: EMBEDDING_MODEL, vectors } : undefined;
      await opened.documents.putDocument(TENANT, document, chunks, embedding);
    }
    const results: Evaluated[] = [];
    for (const { label, bm25 } of settings) {
      const store = createDocumentStore(opened.db, { schema: config.schema, appRole: config.appRole, bm25 });
      results.push(
        await evaluate(`searchLexical on ${backend}, ${label}`, collection, k, async (query) =>
          (await store.searchLexical(TENANT, query, PASSAGES_PER_QUERY)).map((hit) => hit.documentId),
        ),
      );
    }
    if (semantic) {
      const paths = searchPaths(opened.documents, TENANT, {
        limit: PASSAGES_PER_QUERY,
        dimensions: DIMENSIONS,
      });
      const ids = (chunks: readonly { documentId: string }[]) => chunks.map((hit) => hit.documentId);
      results.push(
        await evaluate(
          `searchSemantic on ${backend}, hash test embeddings (plumbing only)`,
          collection,
          k,
          async (query) => ids(await paths.semantic(query)),
        ),
        await evaluate(
          `hybrid on ${backend}: BM25 + hash embeddings, RRF k 60 (plumbing only)`,
          collection,
          k,
          async (query) => ids(await paths.hybrid(query)),
        ),
      );
    }
    return results;
  } finally {
    await opened.db.close();
    if (databaseUrl) await dropSchema(databaseUrl, config.schema);
  }
}

runBenchmark('retrieval', OPTIONS, async ({ options, started, command }) => {
  const k = options.k;
  const collection = loadSquadCollection();
  const bm25Label = (bm25: Bm25Config) => `k1 ${bm25.k1}, b ${bm25.b}, title weight ${bm25.titleWeight}`;
  const settings = [
    { label: `defaults (${bm25Label(DEFAULT_BM25)})`, bm25: DEFAULT_BM25 },
    { label: 'title weight 0 (body only)', bm25: { ...DEFAULT_BM25, titleWeight: 0 } },
  ];
  const reference = await referenceBm25(collection.documents, DEFAULT_BM25);
  const rows: Evaluated[] = [
    await evaluate(
      `reference: MiniSearch BM25 (k1 ${DEFAULT_BM25.k1}, b ${DEFAULT_BM25.b}), Porter stemmer, English stopwords`,
      collection,
      k,
      (query) => reference.search(query, k),
    ),
    ...(await evaluateStore('pglite', undefined, collection, settings, k)),
  ];
  if (!options['skip-postgres']) {
    rows.push(...(await evaluateStore('postgres', options['database-url'], collection, settings, k)));
  }
  const referenceNdcg = rows[0]?.ndcg ?? NaN;
  const table = markdownTable(
    ['ranker', `nDCG@${k}`, `recall@${k}`, 'nDCG ÷ reference', 'queries', 'mean ms / query'],
    rows.map((row) => [
      row.name,
      fixed(row.ndcg, 3),
      fixed(row.recall, 3),
      fixed(row.ndcg / referenceNdcg, 2),
      row.queries,
      fixed(row.meanMs, 2),
    ]),
    ['---', '---:', '---:', '---:', '---:', '---:'],
  );
  return [
    '## Retrieval quality: lexical search against a BM25 reference',
    '',
    `Run ${started.toISOString()} with \`${command}\`; ${machineLine()}.`,
    '',
    `Collection: the SQuAD v2 dev subset (\`shared/data/dev/squad-v2-dev-subset/small.json\`): ` +
      `${collection.documents.length} paragraphs ingested as documents (titled with their article, chunked ` +
      `as the ingest feature chunks them), ${collection.queries.length} answerable questions as queries, ` +
      "each with its paragraph as the one relevant document. A store's ranking is its passages' documents " +
      `in order, each once (top ${PASSAGES_PER_QUERY} passages). The semantic and hybrid rows (PGlite, which has ` +
      `pgvector) use the fake OpenAI server's ${DIMENSIONS}-dimension hash embeddings, bags of hashed words ` +
      'with no meaning: they check that vectors are stored, searched and fused, not semantic quality.',
    '',
    table,
  ].join('\n');
});
