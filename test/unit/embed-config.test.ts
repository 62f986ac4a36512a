// The embed task's settings: documented defaults, read from their variables, and refused at start when out of
// range rather than clamped in silence.
import { loadConfig } from '../../subgraph/config';
import { ConfigError } from '../../subgraph/errors/config-error';

const MIB = 1024 * 1024;

describe('embedding configuration', () => {
  it('batches 96 texts per request and caches query vectors for a day in up to 16 MiB by default', () => {
    const config = loadConfig({});
    // A Redis cache read waits CACHE_LOOKUP_TIMEOUT_MS at most, as the completion cache's does.
    expect(config.gateway.settings.embed).toEqual({
      batchSize: 96,
      cacheTtlMs: 86_400_000,
      cacheLookupTimeoutMs: 200,
    });
    expect(config.gateway.embedCacheMaxBytes).toBe(16 * MIB);
  });

  it('reads EMBED_BATCH_SIZE, EMBED_CACHE_TTL_MS, EMBED_CACHE_MAX_MB and CACHE_LOOKUP_TIMEOUT_MS', () => {
    const config = loadConfig({
      EMBED_BATCH_SIZE: '10',
      EMBED_CACHE_TTL_MS: '0',
      EMBED_CACHE_MAX_MB: '2',
      CACHE_LOOKUP_TIMEOUT_MS: '50',
    });
    expect(config.gateway.settings.embed).toEqual({ batchSize: 10, cacheTtlMs: 0, cacheLookupTimeoutMs: 50 });
    expect(config.gateway.embedCacheMaxBytes).toBe(2 * MIB);
  });

  it.each([
    ['EMBED_BATCH_SIZE', '0'],
    ['EMBED_BATCH_SIZE', '2049'],
    ['EMBED_BATCH_SIZE', 'many'],
    ['EMBED_CACHE_TTL_MS', '-1'],
  ])('refuses %s=%s', (variable, value) => {
    const load = () => loadConfig({ [variable]: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(new RegExp(variable));
  });
});
