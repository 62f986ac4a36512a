// The last check before tenant text becomes a prompt, a search result or a citation: every chunk must belong to
// the caller's tenant. A gate that raises, not a filter, so a leak anywhere below shows as an error.
import { CrossTenantChunkError } from '../errors/cross-tenant-chunk-error';

export function assertOwnChunks<Chunk extends { tenantId: string; chunkId: string }>(
  tenantId: string,
  chunks: readonly Chunk[],
): readonly Chunk[] {
  const foreign = chunks.filter((chunk) => chunk.tenantId !== tenantId);
  if (foreign.length > 0)
    throw new CrossTenantChunkError(
      tenantId,
      foreign.map((chunk) => chunk.chunkId),
    );
  return chunks;
}
