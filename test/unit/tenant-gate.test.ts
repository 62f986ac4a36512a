// The gate before a prompt is built: every chunk must be the caller's tenant's. A foreign chunk raises (never
// filtered out silently), and the error names chunk ids only, not the other tenant or its content.
import { CrossTenantChunkError } from '../../subgraph/errors/cross-tenant-chunk-error';
import { assertOwnChunks } from '../../subgraph/features/tenant-gate';

const chunk = (tenantId: string, chunkId: string) => ({
  tenantId,
  chunkId,
  content: `secret of ${tenantId}`,
});

describe('assertOwnChunks', () => {
  it('passes the caller’s own chunks through unchanged', () => {
    const own = [chunk('acme', 'a#0'), chunk('acme', 'b#1')];
    expect(assertOwnChunks('acme', own)).toBe(own);
  });

  it('raises on one foreign chunk among own ones, naming its id and not its tenant or text', () => {
    const mixed = [chunk('acme', 'a#0'), chunk('globex', 'g#3')];
    expect(() => assertOwnChunks('acme', mixed)).toThrow(CrossTenantChunkError);
    try {
      assertOwnChunks('acme', mixed);
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('g#3');
      expect(message).not.toContain('globex');
      expect(message).not.toContain('secret');
    }
  });
});
