// Outside review finding 3: the documented body limit was unreachable for non-Latin text. `body` may hold
// 1,000,000 characters (UTF-16 units), but MAX_REQUEST_BYTES defaulted to 2,000,000 bytes, so a 700,000-character
// CJK body (2.1 MB of UTF-8) was refused with "Request body exceeds 2000000 bytes". A character is at most 3
// bytes of UTF-8 (a surrogate pair, 2 units, is 4), so the default now holds a body and a title at their limits,
// in any script, with the operation around them.
import { randomBytes } from 'node:crypto';
import { envSchema } from '../../subgraph/config';
import { LIMITS } from '../../subgraph/features/inputs';
import { useHarness } from '../support/harness';
import { INGEST } from '../support/operations';

jest.setTimeout(120_000);

const DEFAULT_MAX_REQUEST_BYTES = envSchema.shape.MAX_REQUEST_BYTES.parse(undefined);

describe('The documented body limit is unreachable for non-Latin text', () => {
  it('defaults MAX_REQUEST_BYTES to room for a body, a title and an id at their limits, 3 bytes a character', () => {
    const utf8 = 3 * (LIMITS.bodyChars + LIMITS.titleChars + LIMITS.idChars);
    expect(DEFAULT_MAX_REQUEST_BYTES).toBeGreaterThanOrEqual(utf8 + 64 * 1024);
  });

  describe('through the API, at the default limit', () => {
    // No provider: the document is stored not embedded, which is all this needs.
    const harness = useHarness({ store: 'pglite', env: { EMBED_SWEEP_INTERVAL_MS: '0' } });

    it('ingests a 1,000,000-character CJK body (3 MB of UTF-8) with a 500-character CJK title', async () => {
      const client = harness.as(`cjk-${randomBytes(4).toString('hex')}`);
      const body = '漢字文書'.repeat(LIMITS.bodyChars / 4);
      const title = '題'.repeat(LIMITS.titleChars);
      expect(body).toHaveLength(LIMITS.bodyChars);
      expect(Buffer.byteLength(body)).toBe(3_000_000);
      const response = await client.request<{ ingestDocument: { documentId: string; chunks: number } }>(
        INGEST,
        { input: { id: 'cjk', title, body } },
      );
      expect(response.status).toBe(200);
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data?.ingestDocument.documentId).toBe('cjk');
      expect(response.body.data?.ingestDocument.chunks).toBeGreaterThan(0);
    });
  });
});
