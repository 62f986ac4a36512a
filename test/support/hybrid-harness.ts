// The harness of the suites about hybrid retrieval and the embedding sweep: PGlite, whose pgvector makes
// retrieval hybrid and the sweep run, in front of the fake OpenAI server (chat and embeddings), with the sweep's
// timer off, so that only a test's own runOnce() embeds a backlog and no run of its own races the test's.
import { useHarness } from './harness';
import type { Harness, HarnessOptions } from './harness';

/** The embedding space the subgraph's default route embeds into with the fake OpenAI server. */
export const OPENAI_EMBEDDING_SPACE = 'openai:text-embedding-3-small';

/** Such a harness for the whole suite (see useHarness), with `env` added to its variables. */
export function useHybridHarness(
  env: Record<string, string> = {},
  options: Pick<HarnessOptions, 'logger'> = {},
): Harness {
  return useHarness({
    ...options,
    store: 'pglite',
    providers: ['openai'],
    env: { EMBED_SWEEP_INTERVAL_MS: '0', ...env },
  });
}

/** The tenant's documents still waiting for the sweep to embed them (of the first thousand pending). */
export async function pendingEmbeddingOf(harness: Harness, tenant: string) {
  const pending = await harness.app.store.documents.pendingEmbedding(OPENAI_EMBEDDING_SPACE, 1000);
  return pending.filter((document) => document.tenantId === tenant);
}
