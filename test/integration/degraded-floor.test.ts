// Issue 9's floor findings over HTTP: a short text's DegradedSummary dropped its headline, a document's began
// with its title as if it were a sentence, and DegradedAnswer passages were 240-character windows cut
// mid-sentence, repeated across overlapping chunks.
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { INVOICE_MEMO } from '../support/floor-texts';

jest.setTimeout(60_000);

const SUMMARIZE = `query($input: SummarizeInput!) {
  summarize(input: $input) { __typename ... on DegradedSummary { text reason } }
}`;
const ASK = `query($input: AskInput!) {
  ask(input: $input) { __typename ... on DegradedAnswer { reason passages { documentId chunkId snippet } } }
}`;

type SummarizeData = { summarize: { __typename: string; text?: string; reason?: string } };
type AskData = {
  ask: {
    __typename: string;
    reason?: string;
    passages?: { documentId: string; chunkId: string; snippet: string }[];
  };
};

// Sentences of about 100 characters, so chunks of 300 with an overlap of 140 hold each one twice or more.
const REFUNDS_POLICY = [
  'Refund requests are reviewed by the billing team within two business days of being received.',
  'Approved refunds are paid back to the card that was charged for the original order.',
  'A refund for an invoice settled by bank transfer reaches the customer within ten business days.',
  'Partial refunds are possible when only some of the items on an order are returned to us.',
  'Shipping costs are refunded only when the goods arrived damaged or were not what was ordered.',
  'Customers can follow the state of every refund request from the billing page of their account.',
  'Questions about a refund that has not arrived go to the billing team through the support portal.',
];

let harness: Harness;

beforeAll(async () => {
  // No model provider: every summary and answer is the floor's.
  harness = await startHarness({ env: { CHUNK_MAX_CHARS: '300', CHUNK_OVERLAP_CHARS: '140' } });
});

afterAll(() => harness?.stop());

describe('the floor over HTTP reads well (issue 9)', () => {
  test('a DegradedSummary of a text within maxWords (89 words at the default 120) is the text whole, headline first', async () => {
    const memo = INVOICE_MEMO.join(' ');
    const { summarize } = await harness
      .as('floor-text')
      .data<SummarizeData>(SUMMARIZE, { input: { text: memo } });
    expect(summarize).toEqual({
      __typename: 'DegradedSummary',
      text: memo,
      reason: 'NO_PROVIDER_CONFIGURED',
    });
  });

  test("a document's DegradedSummary does not begin with its title as if it were a sentence", async () => {
    const client = harness.as('floor-document');
    await client.ingest({
      id: 'portal-memo',
      title: 'Supplier portal rollout',
      body: INVOICE_MEMO.join('\n\n'),
    });
    for (const maxWords of [30, 120]) {
      const { summarize } = await client.data<SummarizeData>(SUMMARIZE, {
        input: { documentId: 'portal-memo', maxWords },
      });
      expect(summarize.__typename).toBe('DegradedSummary');
      expect(summarize.text).not.toContain('Supplier portal rollout');
      expect(summarize.text?.startsWith(INVOICE_MEMO[0] ?? '')).toBe(true);
    }
  });

  test('DegradedAnswer passages are whole sentences of the document, the answering one included, none repeated across overlapping chunks', async () => {
    const client = harness.as('floor-ask');
    await client.ingest({ id: 'refunds', title: 'Refunds policy', body: REFUNDS_POLICY.join(' ') });
    const { ask } = await client.data<AskData>(ASK, {
      input: { question: 'How long does a refund for an invoice paid by bank transfer take?', limit: 6 },
    });
    expect(ask.__typename).toBe('DegradedAnswer');
    const passages = ask.passages ?? [];
    expect(passages.length).toBeGreaterThan(0);
    const shown = passages.flatMap((passage) => passage.snippet.split(' … '));
    const sentences = shown.flatMap((part) => part.match(/[^.]+\./g) ?? []).map((s) => s.trim());
    expect(sentences.length).toBeGreaterThan(0);
    for (const sentence of sentences) expect(REFUNDS_POLICY).toContain(sentence);
    expect(sentences).toContain(REFUNDS_POLICY[2]);
    // Overlapping chunks hold the answering sentence more than once; it is shown once.
    expect(new Set(sentences).size).toBe(sentences.length);
  });
});
