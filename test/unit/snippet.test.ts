// Snippets: a bounded excerpt around the first word matching the query, at word boundaries.
import { snippetOf } from '../../subgraph/retrieval/snippet';

const filler = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');

describe('snippetOf', () => {
  it('returns a short passage whole', () => {
    expect(snippetOf('Refunds take five days.', 'refund')).toBe('Refunds take five days.');
  });

  it('centres a long passage on the first matching word, with ellipses where it was cut', () => {
    const content = `${filler(80)} Refunds are paid to the original card within five business days. ${filler(80)}`;
    const snippet = snippetOf(content, 'how are refunds paid', 120);
    expect(snippet).toContain('Refunds are paid to the original card');
    expect(snippet.startsWith('…')).toBe(true);
    expect(snippet.endsWith('…')).toBe(true);
    expect(snippet.length).toBeLessThanOrEqual(122);
    expect(snippet).not.toMatch(/…\S*word\d+\S*word/); // starts at a word boundary, not mid-word
  });

  it('matches a stem: "refunds" in the query finds "refunded" in the text', () => {
    const content = `${filler(100)} The order was refunded yesterday. ${filler(100)}`;
    expect(snippetOf(content, 'refunds', 100)).toContain('refunded');
  });

  it('falls back to the opening when no query word appears, still bounded', () => {
    const content = filler(200);
    const snippet = snippetOf(content, 'the of and', 100);
    expect(snippet.startsWith('word0 ')).toBe(true);
    expect(snippet.length).toBeLessThanOrEqual(101);
  });
});
