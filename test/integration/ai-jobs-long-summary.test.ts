// A summary job of a text longer than JOB_SUMMARY_PART_CHARS goes map-reduce: each part summarized, then
// the parts' summaries summarized together, each step through the summarize pipeline; a part the providers
// fail on takes the floor, and the whole then says so as a DegradedSummary. The job reports what all its steps
// cost and took, as the usage ledger has them.
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { AI_JOB_QUERY, FAST_JOBS, START_SUMMARY_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { defaultResponder } from '../support/providers/text';
import { ledgerNanos } from '../support/spend-ledger';
import { eventually } from '../support/wait-for';

jest.setTimeout(60_000);

const CHAT = '/v1/chat/completions';
const PARAGRAPHS = ['alpha', 'bravo', 'charlie', 'delta'].map(
  (name) =>
    `The ${name} warehouse stores winter tyres and roof boxes for the whole region. ` +
    `Deliveries from the ${name} warehouse leave every morning before the shops open. ` +
    `Staff at the ${name} warehouse check every pallet twice before it is loaded.`,
);
const LONG_TEXT = PARAGRAPHS.join('\n\n');
/** Another long text, every part of which the model answers (none is about the charlie warehouse). */
const ANSWERED_TEXT = LONG_TEXT.replaceAll('alpha', 'echo')
  .replaceAll('bravo', 'foxtrot')
  .replaceAll('charlie', 'golf')
  .replaceAll('delta', 'hotel');
/** The user prompt of a chat request, where the text to summarize sits. */
const promptOf = (body: unknown): string =>
  (body as { messages: { role: string; content: string }[] }).messages.find((m) => m.role === 'user')
    ?.content ?? '';

/** The meta of a completed summary job's Summary, with its latency (which the suites' AIJob leaves out). */
const JOB_META = `query JobMeta($id: ID!) {
  aiJob(id: $id) { summary { ... on Summary { meta { costUsd latencyMs cached } } } }
}`;
interface JobMeta {
  costUsd: number;
  latencyMs: number;
  cached: boolean;
}

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({
    providers: ['openai'],
    // Answers with the text's first words, except for the part about the charlie warehouse: a provider error.
    responder: (request) => {
      const prompt = promptOf(request.body);
      if (prompt.includes('charlie warehouse stores')) throw new Error('provider down for this part');
      return defaultResponder(request);
    },
    env: {
      ...FAST_JOBS,
      // FAST_JOBS's 3 s deadline is for the suites that wait out an expiry; five model steps on a machine busy
      // with another suite could meet it, and the failing part would read PROVIDER_TIMEOUT instead.
      JOB_DEADLINE_MS: '20000',
      JOB_SUMMARY_PART_CHARS: '500',
      RETRY_BASE_DELAY_MS: '5',
      RETRY_MAX_DELAY_MS: '20',
    },
  });
});
afterAll(() => harness?.stop());

async function summaryJob(text: string): Promise<AIJob> {
  const job = (
    await harness.as('acme').data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input: { text } })
  ).startSummaryJob;
  return eventually(
    async () => {
      const read = await harness.as('acme').data<{ aiJob: AIJob }>(AI_JOB_QUERY, { id: job.id });
      return read.aiJob.status === 'COMPLETED' ? read.aiJob : undefined;
    },
    30_000,
    'job completed',
  );
}

it('summarizes each part, then the summaries together; a part on the floor makes it a DegradedSummary', async () => {
  const done = await summaryJob(LONG_TEXT);
  expect(done.summary).toMatchObject({ __typename: 'DegradedSummary', reason: 'PROVIDER_ERROR' });
  const prompts = harness.providers.openai.requests
    .filter((request) => request.path === CHAT)
    .map((request) => promptOf(request.body));
  // Every part reached a model, one part at a time (no prompt holds two warehouses' first sentences).
  for (const name of ['alpha', 'bravo', 'charlie', 'delta'])
    expect(prompts.some((prompt) => prompt.includes(`The ${name} warehouse stores`))).toBe(true);
  // The last call summarized the parts' summaries: the first part's opening words, the floor's text of the
  // part about charlie (whole, being short), and far less than the text itself.
  const reduce = /<<<TEXT\n([\s\S]*?)\nTEXT>>>/.exec(prompts.at(-1) ?? '')?.[1] ?? '';
  expect(reduce.startsWith('The alpha warehouse stores')).toBe(true);
  expect(reduce).toContain('Staff at the charlie warehouse check every pallet');
  expect(reduce.length).toBeLessThan(LONG_TEXT.length);
  expect(prompts.length).toBeGreaterThanOrEqual(3);
});

it('summarizes a text within one part in a single call', async () => {
  harness.providers.reset();
  const done = await summaryJob(PARAGRAPHS[0] as string);
  expect(done.summary).toMatchObject({ __typename: 'Summary' });
  expect(harness.providers.requestCount(CHAT)).toBe(1);
});

it("reports the cost of all its steps, as the usage ledger has them, and the whole job's time", async () => {
  harness.providers.reset();
  const latencyMs = 150;
  harness.providers.openai.faults.setLatency(latencyMs);
  try {
    const spentBefore = await ledgerNanos(harness, 'acme');
    const done = await summaryJob(ANSWERED_TEXT);
    expect(done.summary?.__typename).toBe('Summary');
    const { meta } = (
      await harness.as('acme').data<{ aiJob: { summary: { meta: JobMeta } } }>(JOB_META, { id: done.id })
    ).aiJob.summary;
    // The parts, then their summaries: at least two steps one after the other, each paid for.
    expect(harness.providers.requestCount(CHAT)).toBeGreaterThanOrEqual(3);
    const spent = (await ledgerNanos(harness, 'acme')) - spentBefore;
    expect(spent).toBeGreaterThan(0);
    expect(Math.round(meta.costUsd * 1e9)).toBe(spent);
    expect(meta.latencyMs).toBeGreaterThanOrEqual(2 * latencyMs);
    expect(meta.cached).toBe(false);
  } finally {
    harness.providers.openai.faults.setLatency(0);
  }
});
