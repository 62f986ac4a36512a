// The caches' bounds are bytes with documented defaults; the count settings they replaced stop the start with
// a message naming the setting to use instead, rather than being silently ignored.
import { loadConfig } from '../../subgraph/config';
import { ConfigError } from '../../subgraph/errors/config-error';

const MIB = 1024 * 1024;

describe('cache configuration', () => {
  it('bounds every cache by bytes by default: search 32 MiB for 300 s, completions 64 MiB, documents 16 MiB', () => {
    const config = loadConfig({});
    expect(config.retrieval.searchCacheMaxBytes).toBe(32 * MIB);
    expect(config.retrieval.searchCacheTtlMs).toBe(300_000);
    expect(config.gateway.cacheMaxBytes).toBe(64 * MIB);
    expect(config.server.documentCacheMaxBytes).toBe(16 * MIB);
  });

  it('reads SEARCH_CACHE_MAX_MB, SEARCH_CACHE_TTL_SECONDS, CACHE_MAX_MB and DOCUMENT_CACHE_MAX_MB', () => {
    const config = loadConfig({
      SEARCH_CACHE_MAX_MB: '0',
      SEARCH_CACHE_TTL_SECONDS: '5',
      CACHE_MAX_MB: '2',
      DOCUMENT_CACHE_MAX_MB: '1',
    });
    expect(config.retrieval.searchCacheMaxBytes).toBe(0);
    expect(config.retrieval.searchCacheTtlMs).toBe(5_000);
    expect(config.gateway.cacheMaxBytes).toBe(2 * MIB);
    expect(config.server.documentCacheMaxBytes).toBe(MIB);
  });

  it.each([
    ['SEARCH_CACHE_ENTRIES', 'SEARCH_CACHE_MAX_MB'],
    ['CACHE_MAX_ENTRIES', 'CACHE_MAX_MB'],
  ])('refuses the count setting %s, naming %s', (retired, replacement) => {
    const load = () => loadConfig({ [retired]: '5000' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(new RegExp(`^${retired} was replaced: .*set ${replacement}`));
  });
});
