// Search ranking's BM25 parameters: documented defaults, read from the environment, and a value out of range
// stops the start with a message naming the variable.
import { loadConfig } from '../../subgraph/config';
import { ConfigError } from '../../subgraph/errors/config-error';

describe('BM25 configuration', () => {
  it('defaults to k1 1.2, b 0.75, a title weight of 2 and 2,000 postings read per term', () => {
    expect(loadConfig({}).store.bm25).toEqual({ k1: 1.2, b: 0.75, titleWeight: 2, maxPostingsPerTerm: 2000 });
  });

  it('reads BM25_K1, BM25_B, BM25_TITLE_WEIGHT and BM25_MAX_POSTINGS_PER_TERM', () => {
    const config = loadConfig({
      BM25_K1: '0.9',
      BM25_B: '0.4',
      BM25_TITLE_WEIGHT: '0',
      BM25_MAX_POSTINGS_PER_TERM: '50',
    });
    expect(config.store.bm25).toEqual({ k1: 0.9, b: 0.4, titleWeight: 0, maxPostingsPerTerm: 50 });
  });

  it.each([
    ['BM25_K1', '-1'],
    ['BM25_B', '1.5'],
    ['BM25_TITLE_WEIGHT', 'heavy'],
    ['BM25_MAX_POSTINGS_PER_TERM', '0'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    const load = () => loadConfig({ [name]: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(new RegExp(`${name}.*expects (a number|an integer) between`));
  });
});
