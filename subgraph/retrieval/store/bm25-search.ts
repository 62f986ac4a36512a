// The lexical half of retrieval: BM25 over a tenant's chunks as one SQL statement, and its default weights.
import type { Bm25Config } from '../../config';
import { lastChunkColumn, VERDICT_COLUMNS } from './retrieved-row';

/**
 * BM25 defaults of Robertson et al. and Lucene; a title occurrence counts as two body occurrences; a term's
 * best 2,000 postings are read.
 */
export const DEFAULT_BM25: Bm25Config = { k1: 1.2, b: 0.75, titleWeight: 2, maxPostingsPerTerm: 2000 };

// A lexeme as a one-term tsquery literal: quoted, with quotes and backslashes escaped as tsquery input
// expects, so a lexeme is never re-parsed (a 'simple' parse would split "e-mail" into three terms).
const asTsqueryTerm = (lexeme: string) =>
  String.raw`('''' || replace(replace(${lexeme}, '\', '\\'), '''', '''''') || '''')`;

/**
 * BM25 (Robertson/Sparck Jones, the Lucene variant of idf) over the english-stemmed, stopword-free terms of
 * a chunk, with its document's title as a weighted field (BM25F-style: a title occurrence adds titleWeight
 * to the term's frequency; length normalisation is the chunk's). The title counts for one chunk of its
 * document: the one whose text scores best for the query, else the first. All statistics — the number of chunks N,
 * their average length, each term's document frequency (the chunks whose text holds it) — are the tenant's
 * own, kept up to date at ingest by migration 004's triggers (corpus_stats, term_stats) and read under row
 * level security, so another tenant's documents never change a score and a search never counts the corpus.
 *
 *   score = Σ over distinct query terms t of  idf(t) · tf'·(k1+1) / (tf' + k1·(1 − b + b·len/avglen))
 *   idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5)),  tf' = tf_body + titleWeight · tf_title
 *
 * Only the postings of the query's terms are read (chunk_terms, the inverted index written with the chunks),
 * best first — most occurrences, then shortest chunk, the order in which a posting's BM25 share falls — and
 * at most maxPostingsPerTerm of them per term: a very common term costs a bounded read, and a chunk it leaves
 * out holds that term fewer times (or in a longer chunk) than every chunk read for it.
 *
 * The query is cut into terms as the chunks and titles were (migration 017's lexical_text: a run of Chinese,
 * Japanese or Korean characters as its overlapping bigrams), or its CJK words would never meet theirs.
 *
 * $1 tenant, $2 query text, $3 limit, $4 k1, $5 b, $6 title weight, $7 postings per term.
 */
export function bm25Sql(schema: string): string {
  return `WITH query_terms AS (
      SELECT DISTINCT lexeme
      FROM unnest(tsvector_to_array(to_tsvector('english', ${schema}.lexical_text($2)))) AS lexeme),
    corpus AS (
      SELECT chunks::float8 AS chunks, greatest(total_terms::float8 / greatest(chunks, 1), 1) AS avg_terms
      FROM ${schema}.corpus_stats WHERE tenant_id = $1 AND chunks > 0),
    idf AS MATERIALIZED (
      SELECT t.lexeme, ln(1 + (corpus.chunks - coalesce(s.df, 0) + 0.5) / (coalesce(s.df, 0) + 0.5)) AS idf
      FROM query_terms t CROSS JOIN corpus
      LEFT JOIN ${schema}.term_stats s ON s.tenant_id = $1 AND s.lexeme = t.lexeme),
    -- The tenant's postings of the query terms, best first and bounded per term.
    postings AS MATERIALIZED (
      SELECT t.lexeme, p.document_id, p.ordinal, p.tf, p.chunk_length FROM query_terms t
      CROSS JOIN LATERAL (
        SELECT document_id, ordinal, tf, chunk_length FROM ${schema}.chunk_terms
        WHERE tenant_id = $1 AND lexeme = t.lexeme
        ORDER BY tf DESC, chunk_length
        LIMIT $7) p),
    -- Each posting's body share of its chunk's score, the sum per chunk: where a document's title goes.
    body_scores AS (
      SELECT p.document_id, p.ordinal,
        sum(i.idf * p.tf * ($4::float8 + 1)
            / (p.tf + $4::float8 * (1 - $5::float8 + $5::float8 * p.chunk_length / corpus.avg_terms))) AS score
      FROM postings p JOIN idf i ON i.lexeme = p.lexeme CROSS JOIN corpus
      WHERE p.tf > 0
      GROUP BY p.document_id, p.ordinal),
    best_body AS (
      SELECT DISTINCT ON (document_id) document_id, ordinal FROM body_scores
      ORDER BY document_id, score DESC, ordinal),
    -- The query terms in the titles of the tenant's documents, weighted.
    title_terms AS (
      SELECT u.lexeme, d.id AS document_id, $6::float8 * cardinality(u.positions) AS tf
      FROM ${schema}.documents d
      CROSS JOIN LATERAL unnest(d.title_tsv) AS u
      WHERE d.tenant_id = $1
        AND d.title_tsv @@ (SELECT string_agg(${asTsqueryTerm('lexeme')}, ' | ')::tsquery FROM query_terms)
        AND u.lexeme IN (SELECT lexeme FROM query_terms)),
    -- A title counts once per document, not on each of its chunks (which would fill the page with one
    -- document's chunks, its shortest first): on the chunk that matches the query best in its text, or,
    -- where none does, on the document's first chunk.
    title_chunks AS (
      SELECT t.document_id, c.ordinal, c.term_count AS chunk_length
      FROM (SELECT DISTINCT document_id FROM title_terms) t
      LEFT JOIN best_body b ON b.document_id = t.document_id
      JOIN ${schema}.chunks c ON c.tenant_id = $1 AND c.document_id = t.document_id
        AND c.ordinal = coalesce(b.ordinal, (SELECT min(f.ordinal) FROM ${schema}.chunks f
                                            WHERE f.tenant_id = $1 AND f.document_id = t.document_id))),
    title_postings AS (
      SELECT t.lexeme, t.document_id, c.ordinal, t.tf, c.chunk_length
      FROM title_terms t JOIN title_chunks c ON c.document_id = t.document_id),
    frequencies AS (
      SELECT lexeme, document_id, ordinal, sum(tf) AS tf, max(chunk_length) AS chunk_length
      FROM (SELECT lexeme, document_id, ordinal, tf::float8, chunk_length FROM postings
            UNION ALL SELECT lexeme, document_id, ordinal, tf, chunk_length FROM title_postings) AS both_fields
      GROUP BY lexeme, document_id, ordinal),
    ranked AS (
      SELECT f.document_id, f.ordinal,
        sum(i.idf * f.tf * ($4::float8 + 1)
            / (f.tf + $4::float8 * (1 - $5::float8 + $5::float8 * f.chunk_length / corpus.avg_terms))) AS score
      FROM frequencies f JOIN idf i ON i.lexeme = f.lexeme CROSS JOIN corpus
      WHERE f.tf > 0
      GROUP BY f.document_id, f.ordinal
      ORDER BY score DESC, f.document_id, f.ordinal
      LIMIT $3)
    SELECT c.tenant_id, r.document_id, r.ordinal, c.document_version, d.title, c.content,
      r.score::float8 AS score, ${VERDICT_COLUMNS}, ${lastChunkColumn(schema)}
    FROM ranked r
    JOIN ${schema}.chunks c ON c.tenant_id = $1 AND c.document_id = r.document_id AND c.ordinal = r.ordinal
    JOIN ${schema}.documents d ON d.tenant_id = $1 AND d.id = r.document_id
    ORDER BY r.score DESC, r.document_id, r.ordinal`;
}
