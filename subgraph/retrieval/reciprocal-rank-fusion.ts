// Reciprocal rank fusion (Cormack, Clarke & Büttcher, 2009): each ranked list gives a chunk 1 / (k + rank), and
// a chunk's fused score is the sum over the lists that hold it. It reads ranks only, so a BM25 sum (unbounded)
// and a cosine similarity (−1 to 1) combine without calibrating one against the other; k = 60 damps the
// weight of the very first ranks, as in the paper.
import type { RetrievedChunk } from './store/document-store';

export const DEFAULT_RRF_K = 60;

/**
 * The lists fused, deduplicated by chunk, best first, at most `limit`. A chunk keeps the fields of the first list
 * that holds it (pass the lexical list first: its snippet shows the words that matched) with `score` the fused
 * score. Ties keep the order of the first list, then the next.
 *
 * Pass the lists in the order they were read. Each search reads one snapshot, but a re-ingest committed between
 * two of them leaves two versions of a document in the lists: only the rows of the last list's version are
 * fused, so the result never mixes the chunks of two texts of one document. The last list, not the highest
 * version: a document deleted and ingested again starts over at version 1. `lastRead`, where given, is the last
 * search's whole answer (a list fused may be a filtered part of it): the versions it saw win as well.
 */
export function fuseByReciprocalRank(
  lists: readonly (readonly RetrievedChunk[])[],
  limit: number,
  k = DEFAULT_RRF_K,
  lastRead: readonly RetrievedChunk[] = [],
): RetrievedChunk[] {
  const versionOf = new Map<string, number>();
  for (const list of [...lists, lastRead])
    for (const chunk of list) versionOf.set(chunk.documentId, chunk.documentVersion);
  const fused = new Map<string, { chunk: RetrievedChunk; score: number; order: number }>();
  for (const list of lists) {
    list.forEach((chunk, index) => {
      if (chunk.documentVersion !== versionOf.get(chunk.documentId)) return;
      const share = 1 / (k + index + 1);
      const seen = fused.get(chunk.chunkId);
      if (seen) seen.score += share;
      else fused.set(chunk.chunkId, { chunk, score: share, order: fused.size });
    });
  }
  return [...fused.values()]
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, limit)
    .map(({ chunk, score }) => ({ ...chunk, score }));
}
