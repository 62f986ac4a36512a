// Snippets: a bounded excerpt around the first word matching the query, at word boundaries.
import { distinctPassages } from '../../subgraph/features/distinct-passages';
import { SENTENCE_GAP, snippetOf } from '../../subgraph/retrieval/snippet';
import { querySupport, queryStems } from '../../subgraph/text/query-terms';
import { splitSentences } from '../../subgraph/text/sentences';

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

  it('cuts a run without spaces between emoji, never inside one: the snippet is well-formed text', () => {
    const family = '👨‍👩‍👧'; // one grapheme of five code points, eight UTF-16 units
    for (const prefix of ['a', 'ab', 'abc']) {
      for (const emoji of ['😀', family]) {
        // No match: the opening; a match: a window around it, cut before it and after it.
        for (const [content, query] of [
          [prefix + emoji.repeat(300), 'zzz'],
          [`${prefix}${emoji.repeat(150)}otter${emoji.repeat(150)}`, 'otter'],
        ] as const) {
          const snippet = snippetOf(content, query);
          expect(snippet.isWellFormed()).toBe(true);
          const inner = snippet.replace(/^…/, '').replace(/…$/, '').replace(prefix, '').replace('otter', '');
          expect(inner.split(emoji).join('')).toBe('');
        }
      }
    }
  });
});

// Issue 9: ask passages were 240-character windows cut around the first matching word, overlapping chunks
// gave near-duplicates, and a chunk repeating "invoice" outranked one holding both words of "refund invoice".
describe('passages are the whole sentences that best support the query (issue 9)', () => {
  const REPEATS =
    'The invoice template lists the invoice number, the invoice date and the invoice total for each customer account in the billing system.';
  const COVERS =
    'A refund is issued against the original invoice once the returned goods arrive back at the warehouse and pass inspection.';
  const ASIDE =
    'The office closes early on Fridays during the summer months so staff can take longer weekends with their families.';
  const sentencesOf = (snippet: string) =>
    snippet.split(SENTENCE_GAP).flatMap((part) => splitSentences(part));

  it('a snippet is made of whole sentences of the passage, none cut, and holds the one that answers', () => {
    const sentences = [ASIDE, ASIDE.replace('Fridays', 'Mondays'), COVERS, ASIDE.replace('summer', 'winter')];
    const content = sentences.join(' ');
    const snippet = snippetOf(content, 'when is a refund issued?');
    expect(snippet).toContain(COVERS);
    for (const sentence of sentencesOf(snippet)) expect(sentences).toContain(sentence);
    expect(snippet).not.toMatch(/^…|…$/);
  });

  it('a sentence holding both words of "refund invoice" beats one repeating "invoice" four times', () => {
    const stems = queryStems('refund invoice');
    expect(querySupport(COVERS, stems)).toBeGreaterThan(querySupport(REPEATS, stems));
    // Only one of the two fits: the covering one is chosen, wherever it stands.
    for (const content of [
      [REPEATS, ASIDE, COVERS],
      [COVERS, ASIDE, REPEATS],
    ]) {
      expect(snippetOf(content.join(' '), 'refund invoice', 200)).toBe(COVERS);
    }
  });

  it('a sentence opening on a connective comes with the sentence before it', () => {
    const before =
      'Refunds go back to the card that paid for the order, within five business days of the return.';
    const answer =
      'However, a refund for an invoice paid by bank transfer takes up to ten business days to arrive.';
    const snippet = snippetOf([ASIDE, ASIDE, before, answer, ASIDE].join(' '), 'bank transfer');
    expect(snippet).toBe(`${before} ${answer}`);
  });

  it('sentences that are not neighbours are joined with a gap mark, in source order', () => {
    const other = 'Every refund request names the invoice it refers to and the reason for the return.';
    const snippet = snippetOf([COVERS, ASIDE, ASIDE, other].join(' '), 'refund invoice', 240);
    expect(snippet).toBe(`${COVERS}${SENTENCE_GAP}${other}`);
  });

  it('leaves out the cut piece of a sentence an overlapping chunk starts or ends with', () => {
    const content = `that was charged for the original order. ${COVERS} ${ASIDE} Questions about a refund go to`;
    expect(snippetOf(content, 'refund invoice', 200)).toBe(COVERS);
    expect(snippetOf(content, 'refund invoice', 1_000)).toBe(`${COVERS} ${ASIDE}`);
  });

  it('overlapping chunks of one document show each sentence once, not near-duplicate passages; other documents keep theirs', () => {
    const passage = (documentId: string, chunkId: string, snippet: string) => ({
      documentId,
      chunkId,
      snippet,
    });
    const kept = distinctPassages([
      passage('d1', 'd1:0', `${ASIDE} ${COVERS}`),
      passage('d1', 'd1:1', COVERS),
      passage('d2', 'd2:0', COVERS),
      passage('d1', 'd1:2', `${COVERS}${SENTENCE_GAP}${REPEATS}`),
      passage('d1', 'd1:3', `${REPEATS} ${ASIDE}`),
    ]);
    expect(kept).toEqual([
      passage('d1', 'd1:0', `${ASIDE} ${COVERS}`),
      passage('d2', 'd2:0', COVERS),
      passage('d1', 'd1:2', REPEATS),
    ]);
    const split = distinctPassages([
      passage('d1', 'd1:0', COVERS),
      passage('d1', 'd1:1', `${ASIDE} ${COVERS} ${REPEATS}`),
    ]);
    expect(split.map((p) => p.snippet)).toEqual([COVERS, `${ASIDE}${SENTENCE_GAP}${REPEATS}`]);
  });
});

// Finding: the snippet dropped the very sentence that matched. A first sentence starting lowercase and a last one
// without a full stop were taken for pieces an overlapping chunk cut, even in a document's only chunk, even when
// they held the only match, and before a short passage could come back whole.
describe('the snippet never drops the sentence that matched (finding: snippet drops the matching sentence)', () => {
  const ASIDES = [
    'The office closes early on Fridays during the summer months so staff can take longer weekends.',
    'Visitors sign in at the front desk and wear a badge for as long as they stay in the building.',
    'The cafeteria serves breakfast from seven and lunch from noon until two in the afternoon.',
  ];

  it.each([
    ['Our office hours are 9 to 5. Parking is available in garage B', 'parking'],
    ['How do I reset my password? Use the reset link on the login page', 'reset link'],
    ['eBay orders ship within 2 days. Returns are accepted for 30 days.', 'ebay orders'],
  ])('a short passage comes back whole: %j for %j', (content, query) => {
    expect(snippetOf(content, query)).toBe(content);
  });

  it('a short chunk that is the whole document comes back whole, whatever its sentences look like', () => {
    const content = 'our office hours are 9 to 5. Parking is available in garage B';
    expect(snippetOf(content, 'office', 240, { startsDocument: true, endsDocument: true })).toBe(content);
  });

  it('a long passage keeps a cut-looking first or last piece that holds the only match', () => {
    const first = `eBay orders ship within two days. ${ASIDES.join(' ')}`;
    expect(first.length).toBeGreaterThan(240);
    expect(snippetOf(first, 'ebay')).toContain('eBay orders ship within two days.');
    const last = `${ASIDES.join(' ')} Parking is available in garage B`;
    expect(snippetOf(last, 'parking')).toContain('Parking is available in garage B');
  });

  it('a piece whose match another sentence also holds is still trimmed at a possible overlap edge', () => {
    const content = `that was refunded to the card. ${ASIDES.join(' ')} A refund takes five days.`;
    expect(snippetOf(content, 'refund')).toBe('A refund takes five days.');
  });

  it('the first chunk of a document starts with a whole sentence, the last ends with one', () => {
    const opening = `eBay orders ship within two days. ${ASIDES.join(' ')} Orders over fifty dollars ship free.`;
    expect(snippetOf(opening, 'orders')).toBe('Orders over fifty dollars ship free.');
    expect(snippetOf(opening, 'orders', 240, { startsDocument: true })).toBe(
      `eBay orders ship within two days.${SENTENCE_GAP}Orders over fifty dollars ship free.`,
    );
    const closing = `Parking is free for visitors. ${ASIDES.join(' ')} Staff parking is in garage B`;
    expect(snippetOf(closing, 'parking')).toBe('Parking is free for visitors.');
    expect(snippetOf(closing, 'parking', 240, { endsDocument: true })).toBe(
      `Parking is free for visitors.${SENTENCE_GAP}Staff parking is in garage B`,
    );
  });
});
