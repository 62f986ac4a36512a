// Text with no words through the public API: a summarize text, ask question or search query of emoji,
// punctuation, empty markup or invisible characters alone is a BAD_USER_INPUT naming its field. No model is
// called (it would invent a summary of nothing) and nothing is stored or counted.
import { randomBytes } from 'node:crypto';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { ASK, SEARCH, SUMMARIZE } from '../support/operations';
import { requirePostgres } from '../support/services';

requirePostgres();

const WORDLESS: [string, string][] = [
  ['emoji', '🙂 🙂 🙂'],
  ['empty markup', '<div></div>'],
  ['a zero-width space', '\u200b'],
  ['punctuation', '?!… — ***'],
  ['a character reference', '&nbsp;'],
];

const cases = WORDLESS.flatMap(([name, value]) => [
  [`a summarize text of ${name}`, SUMMARIZE, { text: value }, 'input.text'] as const,
  [`an ask question of ${name}`, ASK, { question: value }, 'input.question'] as const,
  [`a search query of ${name}`, SEARCH, { query: value }, 'input.query'] as const,
]);

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ providers: ['openai', 'anthropic'] });
});

afterAll(() => harness?.stop());

it.each(cases)(
  'refuses %s with BAD_USER_INPUT naming the field, calling no model and counting nothing',
  async (_name, query, input, field) => {
    const client = harness.as(`wordless-${randomBytes(4).toString('hex')}`);
    const calls = harness.providers.requestCount();

    const response = await client.request(query, { input });

    expect(response.body.data ?? null).toBeNull();
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field });
    expect(response.body.errors?.[0]?.message).toMatch(/letter or digit/);
    expect(harness.providers.requestCount()).toBe(calls);
    const usage = await harness.app.state.usage.read(client.tenant, new Date());
    expect(usage.requestsToday).toBe(0);
    expect(usage.byFeature).toEqual([]);
  },
);

it('accepts a single letter or digit, in any script, and words inside markup', async () => {
  const client = harness.as(`wordy-${randomBytes(4).toString('hex')}`);
  await client.data(SEARCH, { input: { query: '🙂 7' } });
  await client.data(SEARCH, { input: { query: '日本' } });
  await client.data(SUMMARIZE, { input: { text: '<p>Refunds are processed within 14 days.</p>' } });
});
