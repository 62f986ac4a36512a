// Semantic search's store parameters: documented defaults (the same as the store's own), read from the
// environment, and a value out of range stops the start with a message naming the variable.
import { loadConfig } from '../../subgraph/config';
import { ConfigError } from '../../subgraph/errors/config-error';
import { DEFAULT_VECTOR_SEARCH } from '../../subgraph/retrieval/store/vector-search';

describe('vector search configuration', () => {
  it('defaults to exact search below 5,000 chunks, ef_search 100, 20,000 scan tuples and a 1,536-dimension index', () => {
    expect(loadConfig({}).store.vectors).toEqual({
      exactSearchBelowChunks: 5_000,
      efSearch: 100,
      maxScanTuples: 20_000,
      indexDimensions: [1_536],
    });
    expect(loadConfig({}).store.vectors).toEqual(DEFAULT_VECTOR_SEARCH);
  });

  it('reads the variables, an index dimension list with its duplicates dropped', () => {
    const config = loadConfig({
      VECTOR_EXACT_SEARCH_BELOW_CHUNKS: '0',
      HNSW_EF_SEARCH: '200',
      HNSW_MAX_SCAN_TUPLES: '50000',
      VECTOR_INDEX_DIMENSIONS: '384, 1536,384',
    });
    expect(config.store.vectors).toEqual({
      exactSearchBelowChunks: 0,
      efSearch: 200,
      maxScanTuples: 50_000,
      indexDimensions: [384, 1_536],
    });
  });

  it.each([
    ['VECTOR_EXACT_SEARCH_BELOW_CHUNKS', '-1', 'expects an integer between'],
    ['HNSW_EF_SEARCH', '0', 'expects an integer between'],
    ['HNSW_MAX_SCAN_TUPLES', 'many', 'expects an integer between'],
    ['VECTOR_INDEX_DIMENSIONS', '384,3072', 'expects comma-separated integers between 1 and 2000'],
    ['VECTOR_INDEX_DIMENSIONS', '384,', 'expects comma-separated integers between 1 and 2000'],
  ])('refuses %s=%s, naming the variable', (name, value, message) => {
    const load = () => loadConfig({ [name]: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(new RegExp(`${name}.*${message}`));
  });
});
