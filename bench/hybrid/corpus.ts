// The hybrid benchmark's corpus: many tenants of business-English chunks (bench/support/corpus.ts), one of
// them far larger than the rest, each chunk with a deterministic test vector. The vectors are the fake OpenAI
// server's hash embeddings (bag of words hashed into buckets), so a query embedded by the subgraph through the
// fake lands in the same space, and chunks sharing words are near each other: topical structure, no meaning.
import { chunkText } from '../../subgraph/retrieval/chunking';
import type { TextChunk } from '../../subgraph/retrieval/chunking';
import { hashEmbedding } from '../../test/support/providers';
import { SEARCH_QUERIES, generateDocuments, seededRandom } from '../support/corpus';

/** The name the subgraph stores the fake OpenAI's vectors under: provider and model (embeddingSpaceOf). */
export const EMBEDDING_MODEL = 'openai:text-embedding-3-small';

export interface CorpusShape {
  /** Chunks over all tenants. */
  chunks: number;
  tenants: number;
  /** The share of all chunks that belongs to the one big tenant (0.3: 30,000 of 100,000). */
  bigShare: number;
  dimensions: number;
  chunksPerDocument: number;
}

export interface TenantPlan {
  tenantId: string;
  chunks: number;
  seed: number;
}

export interface SeedDocument {
  doc: { id: string; title: string; body: string };
  chunks: TextChunk[];
  vectors: number[][];
}

export const BIG_TENANT = 'tenant-big';
export const SMALL_TENANT = 'tenant-small-001';

/** The big tenant, then tenants-1 small ones sharing the rest of the chunks evenly. */
export function planTenants(shape: CorpusShape): TenantPlan[] {
  const big = Math.round(shape.chunks * shape.bigShare);
  const smallCount = Math.max(0, shape.tenants - 1);
  const rest = shape.chunks - big;
  const plans: TenantPlan[] = [{ tenantId: BIG_TENANT, chunks: big, seed: 1 }];
  for (let i = 0; i < smallCount; i++) {
    // Spread the remainder over the first tenants, so the total is exact.
    const chunks = Math.floor(rest / smallCount) + (i < rest % smallCount ? 1 : 0);
    plans.push({ tenantId: `tenant-small-${String(i + 1).padStart(3, '0')}`, chunks, seed: i + 2 });
  }
  return plans;
}

// About this many characters per chunk: each chunk is cut from a generated body of sentences at sentence ends.
const CHUNK_CHARS = 500;
const CHUNKING = { maxChars: CHUNK_CHARS, overlapChars: 0 };
// generateDocuments' eight topics, one document each per batch.
const TOPIC_BATCH = 8;

/**
 * The tenant's documents, each cut into `chunksPerDocument` chunks (the last document fewer), with the test
 * vector of every chunk. Deterministic: the tenant's seed fixes the text.
 */
export function* tenantDocuments(plan: TenantPlan, shape: CorpusShape): Generator<SeedDocument> {
  let remaining = plan.chunks;
  let index = 0;
  for (let batch = 0; remaining > 0; batch++) {
    // generateDocuments rotates the topics over a batch's documents: a batch of several covers them all.
    const chars = CHUNK_CHARS * shape.chunksPerDocument;
    for (const generated of generateDocuments(TOPIC_BATCH, chars, plan.seed * 100_003 + batch)) {
      const chunks = chunkText(generated.body, CHUNKING).slice(
        0,
        Math.min(remaining, shape.chunksPerDocument),
      );
      if (chunks.length === 0) return;
      remaining -= chunks.length;
      yield {
        doc: { id: `doc-${String(index).padStart(5, '0')}`, title: generated.title, body: generated.body },
        chunks,
        vectors: chunks.map((chunk) => hashEmbedding(chunk.text, shape.dimensions)),
      };
      index += 1;
      if (remaining <= 0) return;
    }
  }
}

/**
 * The queries: the natural-language questions of the search benchmarks, then sentences taken from the big
 * tenant's text (the "more like this" kind, whose true neighbours are close), `count` in all.
 */
export function benchQueries(count: number): string[] {
  const queries = SEARCH_QUERIES.slice(0, count);
  const random = seededRandom(7);
  const sample = generateDocuments(Math.max(1, count), 1500, 99);
  for (const doc of sample) {
    if (queries.length >= count) break;
    const sentences = doc.body.split(/(?<=\.)\s+/);
    queries.push(sentences[Math.floor(random() * sentences.length)] ?? doc.title);
  }
  return queries;
}
