// A retrieved chunk whose stored tenant is not the caller's: row level security and the tenant in every WHERE
// should make this impossible, so it is a defect to stop at, never a row to filter out and carry on.
export class CrossTenantChunkError extends Error {
  constructor(
    readonly expectedTenant: string,
    readonly chunkIds: readonly string[],
  ) {
    // Chunk ids only: no tenant content, and not the other tenant's name.
    super(
      `retrieved chunks of another tenant (${chunkIds.join(', ')}); refusing to build a prompt from them`,
    );
    this.name = 'CrossTenantChunkError';
  }
}
