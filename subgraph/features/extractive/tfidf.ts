// Sparse TF-IDF vectors and cosine similarity over pre-tokenized sentences, for ranking sentences by centrality.

export type TermVector = ReadonlyMap<string, number>;

// BM25's saturation of term frequency: a sentence repeating one word four times must not outweigh one that
// holds two different words of the theme.
const K1 = 1.2;
const saturated = (tf: number) => (tf * (K1 + 1)) / (tf + K1);

/**
 * One TF-IDF vector per document (here: per sentence), term frequency saturated as in BM25. IDF is smoothed and at least 1 so a theme word that appears
 * in most sentences still counts, just less than a rarer one.
 */
export function tfidfVectors(documents: readonly (readonly string[])[]): TermVector[] {
  const documentFrequency = new Map<string, number>();
  for (const terms of documents) {
    for (const term of new Set(terms)) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  }
  const n = documents.length;
  return documents.map((terms) => {
    const vector = new Map<string, number>();
    for (const term of terms) vector.set(term, (vector.get(term) ?? 0) + 1);
    for (const [term, tf] of vector) {
      const df = documentFrequency.get(term) ?? 0;
      vector.set(term, saturated(tf) * (Math.log((1 + n) / (1 + df)) + 1));
    }
    return vector;
  });
}

export function dot(a: TermVector, b: TermVector): number {
  // Iterate the smaller map: sentence vectors are tiny next to a document centroid.
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let sum = 0;
  for (const [term, weight] of small) sum += weight * (large.get(term) ?? 0);
  return sum;
}

export function norm(a: TermVector): number {
  return Math.sqrt(dot(a, a));
}

export function cosine(a: TermVector, b: TermVector): number {
  const denominator = norm(a) * norm(b);
  return denominator === 0 ? 0 : dot(a, b) / denominator;
}

export function sumVectors(vectors: readonly TermVector[]): TermVector {
  const total = new Map<string, number>();
  for (const vector of vectors) {
    for (const [term, weight] of vector) total.set(term, (total.get(term) ?? 0) + weight);
  }
  return total;
}
