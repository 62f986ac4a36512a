// The corpus version port: a token per tenant, replaced after every ingest or delete. Anything derived from a
// tenant's documents (retrieval results) can be cached under it and is invalidated by the next change.
// Tokens are random and never repeat: a counter that restarts at 0 when Redis loses its data (a restart without
// persistence, a failover) would meet entries cached under its earlier values and serve deleted documents.
import { randomUUID } from 'node:crypto';

export interface CorpusVersions {
  current(tenantId: string): Promise<string>;
  bump(tenantId: string): Promise<void>;
}

/** A token no earlier version (of any tenant, in any process) ever had. */
export const freshCorpusToken = (): string => randomUUID();

export function createMemoryCorpusVersions(): CorpusVersions {
  const versions = new Map<string, string>();
  return {
    async current(tenantId) {
      let token = versions.get(tenantId);
      if (token === undefined) versions.set(tenantId, (token = freshCorpusToken()));
      return token;
    },
    async bump(tenantId) {
      versions.set(tenantId, freshCorpusToken());
    },
  };
}
