// Unit tests for the model-free summarizer: tokenizer, sentence splitter, centrality ranking and the word budget.

import fc from 'fast-check';
import { splitSentences } from '../../subgraph/text/sentences';
import { leadingText } from '../../subgraph/features/extractive/leading-text';
import { MAX_RANKED_CHARS, extractiveSummary } from '../../subgraph/features/extractive/summarize-extractive';
import { opensOnConnective } from '../../subgraph/text/connectives';
import { isStopword } from '../../subgraph/text/stopwords';
import { tokenize } from '../../subgraph/text/tokens';
import { INVOICE_MEMO, RENEWALS_NOTE } from '../support/floor-texts';

function wordCount(text: string): number {
  return text.split(/\s+/).filter((word) => word !== '').length;
}

const OFF_TOPIC_FIRST = 'My grandmother baked an apple pie last Sunday.';
const THEMED = [
  'Database replication copies every write to replica servers.',
  'Replica servers answer reads while the primary database handles writes.',
  'Failover promotes a replica server when the primary database fails.',
  'Replication lag can delay reads on a replica server.',
];
const OFF_TOPIC_LAST = 'The weather in Lisbon was lovely.';
const REPLICATION_TEXT = [OFF_TOPIC_FIRST, ...THEMED, OFF_TOPIC_LAST].join(' ');

const LONG_TEXT = `
Quarterly revenue grew by 12.5 percent, driven by enterprise renewals and new tenants in Europe.

Enterprise renewals were strongest among tenants that adopted the search feature, e.g. legal and finance teams.
Dr. Patel, who leads the platform group, said renewals depend on search quality and on predictable latency.
The office coffee machine was replaced in March. Search latency fell after the retrieval index moved to pgvector,
and tenants reported that search results were more relevant. Costs rose slightly because model providers raised
prices, i.e. each search query with an answer now costs more. The team expects enterprise tenants to keep renewing if
search quality and latency hold steady through the next quarter, which the U.S. and European sales teams both
forecast in their renewal plans for enterprise tenants.

A parking garage near the office will close for repairs.
`;

describe('tokenize', () => {
  it('lowercases unicode words and digits and drops punctuation', () => {
    expect(tokenize("Hello, WORLD! Ça va? Größe 42 — don't ＡＢＣ")).toEqual([
      'hello',
      'world',
      'ça',
      'va',
      'größe',
      '42',
      "don't",
      'abc',
    ]);
    expect(tokenize('  ...  ')).toEqual([]);
  });

  it('is paired with a stopword list for scoring', () => {
    expect(isStopword('the')).toBe(true);
    expect(isStopword("don't")).toBe(true);
    expect(isStopword('replica')).toBe(false);
  });
});

describe('splitSentences', () => {
  // Each row: what the test shows, the text, and the sentences it splits into.
  it.each<[string, string, string[]]>([
    [
      'splits on terminal punctuation',
      'One is here. Two is here! Is three here? Yes.',
      ['One is here.', 'Two is here!', 'Is three here?', 'Yes.'],
    ],
    [
      'does not split on abbreviations, initials or decimals',
      'Dr. Smith met Mr. Jones in the U.S. capital. They discussed tools, e.g. linters, i.e. static checks. ' +
        'Pi is about 3.14 and J. R. Tolkien agreed. See example.com for details.',
      [
        'Dr. Smith met Mr. Jones in the U.S. capital.',
        'They discussed tools, e.g. linters, i.e. static checks.',
        'Pi is about 3.14 and J. R. Tolkien agreed.',
        'See example.com for details.',
      ],
    ],
    [
      'splits between paragraphs even without punctuation and keeps closing quotes',
      'Release notes\n\n  He said "ship it." Then   it\nshipped.',
      ['Release notes', 'He said "ship it."', 'Then it shipped.'],
    ],
  ])('%s', (_name, text, sentences) => {
    expect(splitSentences(text)).toEqual(sentences);
  });

  it('returns nothing for blank text', () => {
    expect(splitSentences(' \n\n \t ')).toEqual([]);
  });
});

describe('extractiveSummary', () => {
  it('returns an empty string for empty text and rejects a budget below one word', () => {
    expect(extractiveSummary('', 10)).toBe('');
    expect(extractiveSummary('  \n\n ', 10)).toBe('');
    expect(() => extractiveSummary('Some text.', 0)).toThrow(RangeError);
    expect(() => extractiveSummary('Some text.', -3)).toThrow(/maxWords/);
    expect(() => extractiveSummary('Some text.', Number.NaN)).toThrow(RangeError);
  });

  it('picks a central sentence rather than the off-topic first one', () => {
    // Every sentence fits alone, so a lead-N summarizer would return the off-topic first sentence here.
    expect(wordCount(OFF_TOPIC_FIRST)).toBeLessThanOrEqual(12);
    const summary = extractiveSummary(REPLICATION_TEXT, 12);
    expect(summary).not.toContain('grandmother');
    expect(THEMED).toContain(summary);
  });

  it('fills a larger budget with themed sentences and leaves out the off-topic ones', () => {
    const summary = extractiveSummary(REPLICATION_TEXT, 30);
    expect(summary).not.toContain('grandmother');
    expect(summary).not.toContain('Lisbon');
    expect(splitSentences(summary).length).toBeGreaterThanOrEqual(2);
  });

  it('emits chosen sentences in their original document order', () => {
    const cases: [string, number][] = [
      [REPLICATION_TEXT, 20],
      [REPLICATION_TEXT, 30],
      [REPLICATION_TEXT, 45],
      [LONG_TEXT, 40],
      [LONG_TEXT, 60],
      [LONG_TEXT, 120],
    ];
    for (const [text, maxWords] of cases) {
      const sentences = splitSentences(text);
      const chosen = splitSentences(extractiveSummary(text, maxWords));
      expect(chosen.length).toBeGreaterThanOrEqual(2);
      const positions = chosen.map((sentence) => sentences.indexOf(sentence));
      expect(positions).not.toContain(-1);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
  });

  it('prefers the on-topic sentences of a realistic text', () => {
    const summary = extractiveSummary(LONG_TEXT, 40);
    expect(summary).toMatch(/search/i);
    expect(summary).not.toMatch(/coffee|parking/);
  });

  it('never exceeds maxWords', () => {
    for (let maxWords = 1; maxWords <= 150; maxWords++) {
      for (const text of [LONG_TEXT, REPLICATION_TEXT]) {
        const summary = extractiveSummary(text, maxWords);
        expect(summary.length).toBeGreaterThan(0);
        expect(wordCount(summary)).toBeLessThanOrEqual(maxWords);
      }
    }
  });

  // Every sentence opening on a connective, a lead longer than the budget and sharing no word with the rest:
  // each later sentence needed the one before it and the lead did not fit, so the floor came back empty.
  it('is never empty when every sentence opens on a connective and the lead exceeds the budget', () => {
    const text =
      'However, the quarterly board meeting in Lisbon was postponed until further notice by everyone involved. ' +
      'Also, refunds reach customer cards within five business days. But refunds… Then refunds… And refunds…';
    const summary = extractiveSummary(text, 12);
    expect(summary).toBe(
      'However, the quarterly board meeting in Lisbon was postponed until further notice…',
    );
    expect(wordCount(summary)).toBeLessThanOrEqual(12);
  });

  it('is non-empty and within maxWords for any text whose every sentence opens on a connective', () => {
    const connective = fc.constantFrom(
      'However,',
      'Also,',
      'But',
      'Then',
      'And',
      'On the other hand,',
      'Still,',
    );
    // The lead's words and the rest's overlap only in "board": often the lead shares no content word with the
    // rest and is not kept for its own sake, the case that came back empty.
    const sentenceOf = (words: string[]) =>
      fc
        .tuple(
          connective,
          fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 20 }),
          fc.constantFrom('.', '!', '?', '…'),
        )
        .map(([opener, chosen, end]) => `${opener} ${chosen.join(' ')}${end}`);
    const lead = sentenceOf(['quarterly', 'board', 'meeting', 'Lisbon', 'postponed', 'the']);
    const rest = fc.array(sentenceOf(['refunds', 'reach', 'cards', 'invoices', 'the', 'board']), {
      maxLength: 7,
    });
    fc.assert(
      fc.property(lead, rest, fc.integer({ min: 1, max: 40 }), (first, others, maxWords) => {
        const summary = extractiveSummary([first, ...others].join(' '), maxWords);
        expect(summary).not.toBe('');
        expect(wordCount(summary)).toBeLessThanOrEqual(maxWords);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps abbreviations inside a chosen sentence', () => {
    const text =
      'Lunch was fine. Dr. Patel reviewed the search index, e.g. the vector index and the keyword index. ' +
      'The search index serves every tenant. Rebuilding the keyword index and the vector index keeps search fast.';
    const summary = extractiveSummary(text, 16);
    expect(summary).toBe('Dr. Patel reviewed the search index, e.g. the vector index and the keyword index.');
  });

  it('truncates the best sentence with an ellipsis when it alone exceeds the budget', () => {
    const sentence =
      'Search quality for enterprise tenants depends on retrieval recall, ranking precision, index freshness, ' +
      'and the latency budget that each tenant has negotiated in its contract.';
    const summary = extractiveSummary(`${sentence} Search quality matters for enterprise tenants.`, 6);
    expect(summary).toBe('Search quality for enterprise tenants depends…');
    expect(wordCount(summary)).toBe(6);
    expect(extractiveSummary('Alpha, beta, gamma, delta, epsilon.', 3)).toBe('Alpha, beta, gamma…');
  });

  it('returns every sentence of a coherent text that fits the budget', () => {
    expect(extractiveSummary(THEMED.join(' '), 500)).toBe(THEMED.join(' '));
  });

  it('does not pad a budget with off-topic sentences when the text does not fit it', () => {
    expect(wordCount(REPLICATION_TEXT)).toBeGreaterThan(45);
    const summary = extractiveSummary(REPLICATION_TEXT, 45);
    expect(summary).toBe(THEMED.join(' '));
  });

  it('is deterministic', () => {
    expect(extractiveSummary(LONG_TEXT, 50)).toBe(extractiveSummary(LONG_TEXT, 50));
  });

  it('summarizes a text longer than MAX_RANKED_CHARS from its lead only', () => {
    const paragraph = THEMED.join(' ');
    const lead = Array.from({ length: Math.ceil(MAX_RANKED_CHARS / paragraph.length) }, () => paragraph);
    // Past the bound, the most frequent sentence of the whole text: central, if it were ranked.
    const tail = Array.from({ length: 2_000 }, () => 'Zebra herds migrate across the savanna at dawn.');
    const summary = extractiveSummary([...lead, ...tail].join('\n\n'), 60);
    expect(summary).toContain('replica');
    expect(summary).not.toContain('Zebra');
  });
});

// Issue 9: the floor, tried as a new user would, dropped the headline, opened on "However, …" and read the
// title as a sentence.
describe('the extractive floor reads well (issue 9)', () => {
  const memo = INVOICE_MEMO.join(' ');

  it('a text within maxWords comes back whole: an 89-word text at the default 120 keeps its first sentence, the headline', () => {
    expect(wordCount(memo)).toBe(89);
    expect(extractiveSummary(memo, 120)).toBe(memo);
    expect(extractiveSummary(`\n${memo}\n`, 89)).toBe(memo);
  });

  it('at maxWords 30 the summary opens on the lead, the main result, not on a dangling "However, …"', () => {
    const summary = extractiveSummary(memo, 30);
    expect(summary.startsWith(INVOICE_MEMO[0] ?? '')).toBe(true);
    expect(summary).not.toMatch(/^However/);
    expect(wordCount(summary)).toBeLessThanOrEqual(30);
  });

  it('keeps the lead at every budget it fits, and whole sentences in source order', () => {
    for (const sentences of [INVOICE_MEMO, RENEWALS_NOTE]) {
      const text = sentences.join(' ');
      for (let maxWords = wordCount(sentences[0] ?? ''); maxWords < wordCount(text); maxWords++) {
        const chosen = splitSentences(extractiveSummary(text, maxWords));
        expect(chosen[0]).toBe(sentences[0]);
        const positions = chosen.map((sentence) => sentences.indexOf(sentence));
        expect(positions).not.toContain(-1);
        expect(positions).toEqual([...positions].sort((a, b) => a - b));
      }
    }
  });

  it('never shows a sentence opening on a connective without the sentence before it', () => {
    // A greeting lead shares no word with the rest, so the lead rule does not decide the opening here.
    const greeting = ['Hi all.', ...RENEWALS_NOTE.slice(1), ...INVOICE_MEMO.slice(1)];
    for (const sentences of [INVOICE_MEMO, RENEWALS_NOTE, greeting]) {
      const text = sentences.join(' ');
      for (let maxWords = 5; maxWords < wordCount(text); maxWords++) {
        const chosen = splitSentences(extractiveSummary(text, maxWords));
        expect(opensOnConnective(chosen[0] ?? '')).toBe(false);
        chosen.forEach((sentence, i) => {
          if (!opensOnConnective(sentence)) return;
          expect([chosen[i - 1], sentence]).toEqual([sentences[sentences.indexOf(sentence) - 1], sentence]);
        });
      }
    }
  });

  it("never emits a document's title as a sentence, while it ranks the sentences that share its words", () => {
    const title = 'Supplier portal rollout';
    for (const maxWords of [15, 30, 60, 120]) {
      const summary = extractiveSummary(memo, maxWords, title);
      expect(summary).not.toContain(title);
      expect(summary.startsWith(INVOICE_MEMO[0] ?? '')).toBe(true);
    }
  });

  it('recognizes connectives only as whole opening words', () => {
    expect(opensOnConnective('However, the portal rejects them.')).toBe(true);
    expect(opensOnConnective('“But it slowed,” she said.')).toBe(true);
    expect(opensOnConnective('On the other hand, costs rose.')).toBe(true);
    expect(opensOnConnective('Butter prices rose.')).toBe(false);
    expect(opensOnConnective('Thusly is not a word.')).toBe(false);
    expect(opensOnConnective('The team, however, kept going.')).toBe(false);
  });
});

describe('leadingText', () => {
  it('keeps a text within the bound whole', () => {
    expect(leadingText('Short text. Two sentences.', 100)).toBe('Short text. Two sentences.');
  });

  it('cuts a longer text at its last paragraph break, else sentence end, else space within the bound', () => {
    expect(leadingText('First paragraph here.\n\nSecond paragraph goes on', 30)).toBe(
      'First paragraph here.',
    );
    expect(leadingText('One sentence ends. Another one runs on and on', 30)).toBe('One sentence ends.');
    expect(leadingText('words without any sentence end at all', 30)).toBe('words without any sentence');
    expect(leadingText('x'.repeat(50), 30)).toBe('x'.repeat(30));
  });
});
