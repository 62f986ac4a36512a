// Semantic search asked of a store that has no vectors (the database offers no pgvector). A feature checks
// `DocumentStore.semantic` first and serves lexical results with the reason; reaching this error is a bug.
export class SemanticSearchUnavailableError extends Error {
  override readonly name = 'SemanticSearchUnavailableError';
  constructor(readonly reason: string) {
    super(`semantic search is unavailable: ${reason}`);
  }

  static isInstance(value: unknown): value is SemanticSearchUnavailableError {
    return value instanceof Error && value.name === 'SemanticSearchUnavailableError';
  }
}
