// nDCG@k and recall@k for queries with one relevant document (binary gain): the ideal DCG is 1, so a query's
// nDCG is 1 / log2(rank + 1) when the relevant document is at `rank` ≤ k, else 0.

export interface RankingScores {
  ndcg: number;
  recall: number;
  queries: number;
}

export function scoreRankings(
  rankings: readonly { ranked: readonly string[]; relevantId: string }[],
  k: number,
): RankingScores {
  let ndcg = 0;
  let recall = 0;
  for (const { ranked, relevantId } of rankings) {
    const index = ranked.slice(0, k).indexOf(relevantId);
    if (index < 0) continue;
    ndcg += 1 / Math.log2(index + 2);
    recall += 1;
  }
  const queries = rankings.length;
  return { ndcg: queries ? ndcg / queries : 0, recall: queries ? recall / queries : 0, queries };
}

/** Document ids in order of their best passage, each once: passages of one document collapse to it. */
export function documentsInOrder(documentIds: readonly string[]): string[] {
  return [...new Set(documentIds)];
}
