// Generated embeddings for the vector store suites: seeded unit vectors (the same on every run), vectors near
// a given one, and exact cosine neighbours computed here to check the database's answers against.

/** A seeded generator (Park–Miller): the same corpus and queries on every run and machine. */
export function seededRandom(seed: number): () => number {
  let state = seed % 2_147_483_647 || 1;
  return () => {
    state = (state * 16_807) % 2_147_483_647;
    return state / 2_147_483_647;
  };
}

export function normalized(vector: readonly number[]): number[] {
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

/** A random direction, uniform on the sphere (Gaussian components). */
export function randomUnitVector(random: () => number, dims: number): number[] {
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return normalized(Array.from({ length: dims }, gaussian));
}

/** A unit vector within about `spread` of `center` (per component), so it is near it by cosine. */
export function unitVectorNear(random: () => number, center: readonly number[], spread: number): number[] {
  return normalized(center.map((value) => value + (random() - 0.5) * 2 * spread));
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  for (let i = 0; i < a.length; i += 1) dot += (a[i] ?? 0) * (b[i] ?? 0);
  return dot / (Math.hypot(...a) * Math.hypot(...b));
}

/** The indexes of the k vectors nearest to the query by cosine, nearest first: the exact answer. */
export function exactNearest(
  vectors: readonly (readonly number[])[],
  query: readonly number[],
  k: number,
): number[] {
  return vectors
    .map((vector, index) => ({ index, similarity: cosine(vector, query) }))
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, k)
    .map((entry) => entry.index);
}
