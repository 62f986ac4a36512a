// The reference ranking computed in the same run by a kept library: MiniSearch's BM25 (its BM25+ with the
// lower bound d set to 0, i.e. plain BM25) over Porter-stemmed terms with an English stopword list removed,
// title and body indexed as fields of equal weight, any query term matching (OR).
import { eng } from 'stopword';
import type { Bm25Config } from '../../subgraph/config';
import type { CollectionDocument } from './squad';

const STOPWORDS = new Set(eng.map((word) => word.toLowerCase()));

export interface ReferenceIndex {
  search(query: string, k: number): string[];
}

export async function referenceBm25(
  documents: readonly CollectionDocument[],
  bm25: Pick<Bm25Config, 'k1' | 'b'>,
): Promise<ReferenceIndex> {
  // Both are ECMAScript modules only; this CommonJS project loads them with import().
  const { default: MiniSearch } = await import('minisearch');
  const { stemmer } = await import('stemmer');
  const processTerm = (term: string): string | null => {
    const lower = term.toLowerCase();
    return STOPWORDS.has(lower) ? null : stemmer(lower);
  };
  const index = new MiniSearch<CollectionDocument>({ fields: ['title', 'body'], processTerm });
  index.addAll([...documents]);
  return {
    search: (query, k) =>
      index
        .search(query, { combineWith: 'OR', bm25: { k: bm25.k1, b: bm25.b, d: 0 } })
        .slice(0, k)
        .map((result) => String(result.id)),
  };
}
