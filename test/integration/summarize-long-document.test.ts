// A stored document may be ten times longer than a `text` input (1,000,000 characters against 100,000). On the
// request path (summarize, summarizeStream, Document.aiSummary) the model is given its lead, at most the `text`
// bound, never the whole document in one call; a summary of the whole is a job's, by parts.
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { replyByTask } from '../support/providers/task-replies';

jest.setTimeout(60_000);

const TEXT_BOUND = 100_000;
const PARAGRAPH = 'The depot opens at six. Trucks leave for the coast every hour.\n\n';
const SUMMARY = 'Trucks leave for the coast every hour.';
/** 800,000 characters, ending in a sentence the lead never reaches. */
const BODY = `${PARAGRAPH.repeat(800_000 / PARAGRAPH.length)}The night shift ends at dawn.`;

const CHAT = '/v1/chat/completions';

/** What a summarize prompt, as the fake provider received it, fenced as the text to summarize. */
const fencedText = (body: unknown): string => {
  const { messages = [] } = body as { messages?: { role: string; content: string }[] };
  const prompt = messages.find((message) => message.role === 'user')?.content ?? '';
  const from = prompt.indexOf('<<<TEXT\n');
  const to = prompt.lastIndexOf('\nTEXT>>>');
  return from < 0 || to < 0 ? '' : prompt.slice(from + '<<<TEXT\n'.length, to);
};

describe('summarize of a document longer than the text bound', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({
      providers: ['openai'],
      responder: replyByTask({ summary: SUMMARY, answer: SUMMARY }),
    });
  });
  afterAll(() => harness?.stop());

  it('sends the model the lead of the document, at most the text bound, and serves its summary', async () => {
    expect(BODY.length).toBeGreaterThan(790_000);
    await harness.as('acme').ingest({ id: 'depot', title: 'Depot', body: BODY });
    harness.providers.reset();
    const result = await harness.as('acme').summarize({ documentId: 'depot' });
    expect(result).toMatchObject({ __typename: 'Summary', text: SUMMARY });
    const calls = harness.providers.openai.requests.filter((request) => request.path === CHAT);
    expect(calls).toHaveLength(1);
    const sent = fencedText(calls[0]!.body);
    expect(sent.length).toBeLessThanOrEqual(TEXT_BOUND);
    // The lead, cut where a paragraph ends: the title first, most of the bound used, no sentence cut short.
    expect(sent.startsWith('Depot.\n\nThe depot opens at six.')).toBe(true);
    expect(sent.length).toBeGreaterThan(TEXT_BOUND / 2);
    expect(sent.endsWith('every hour.')).toBe(true);
    expect(sent).not.toContain('The night shift ends at dawn.');
  });
});
