// Snippets of Chinese and Japanese passages, now that splitSentences ends their sentences at 。！？: a complete
// last sentence is no piece the chunk overlap cut, and sentences are joined as written, without a space.
import { distinctPassages } from '../../subgraph/features/distinct-passages';
import { SENTENCE_GAP, snippetOf } from '../../subgraph/retrieval/snippet';

const FAQ =
  '返品はできますか？商品到着後30日以内であれば、未開封に限り返品を承ります。返品送料はお客様のご負担となります。';

describe('a Japanese snippet', () => {
  it('keeps the last sentence of a chunk that ends on 。', () => {
    expect(snippetOf(FAQ, '返品')).toBe(FAQ);
  });

  it('joins neighbouring sentences without a space', () => {
    const filler = 'サポート窓口は平日9時から18時まで営業しています。'.repeat(12);
    const snippet = snippetOf(`${FAQ}${filler}`, '返品', 240, { startsDocument: true, endsDocument: true });
    expect(snippet.startsWith(FAQ)).toBe(true);
    expect(snippet.split(SENTENCE_GAP)[0]).not.toMatch(/。 /u);
  });

  it('is joined without spaces when repeated sentences are taken out of a degraded answer passage', () => {
    const [first, second] = distinctPassages([
      { documentId: 'd', snippet: FAQ },
      {
        documentId: 'd',
        snippet: '返品送料はお客様のご負担となります。初期不良は交換します。送料は当社が負担します。',
      },
    ]);
    expect(first?.snippet).toBe(FAQ);
    expect(second?.snippet).toBe('初期不良は交換します。送料は当社が負担します。');
  });
});
