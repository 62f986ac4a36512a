// Ranks every query of a test collection with one ranker and scores the rankings.
import { documentsInOrder, scoreRankings } from './ranking-metrics';
import type { RankingScores } from './ranking-metrics';
import type { TestCollection } from './squad';

/** Document ids, best first; passages of one document may repeat it. */
export type Ranker = (query: string) => Promise<readonly string[]> | readonly string[];

export interface Evaluated extends RankingScores {
  name: string;
  meanMs: number;
}

export async function evaluate(
  name: string,
  collection: TestCollection,
  k: number,
  rank: Ranker,
): Promise<Evaluated> {
  const rankings: { ranked: string[]; relevantId: string }[] = [];
  const started = performance.now();
  for (const query of collection.queries) {
    rankings.push({ ranked: documentsInOrder(await rank(query.text)), relevantId: query.relevantId });
  }
  const meanMs = (performance.now() - started) / Math.max(1, collection.queries.length);
  return { name, meanMs, ...scoreRankings(rankings, k) };
}
