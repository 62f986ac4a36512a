// The corpus version port: a counter per tenant, bumped after every ingest or delete. Anything derived from a
// tenant's documents (retrieval results) can be cached under it and is invalidated by the next bump.
export interface CorpusVersions {
  current(tenantId: string): Promise<number>;
  bump(tenantId: string): Promise<void>;
}

export function createMemoryCorpusVersions(): CorpusVersions {
  const versions = new Map<string, number>();
  return {
    async current(tenantId) {
      return versions.get(tenantId) ?? 0;
    },
    async bump(tenantId) {
      versions.set(tenantId, (versions.get(tenantId) ?? 0) + 1);
    },
  };
}
