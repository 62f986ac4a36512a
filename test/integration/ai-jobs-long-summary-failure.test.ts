// A long summary's parts are summarized a few at a time (lanes over the parts); when one part's summarize
// throws (not a provider failure, which degrades: an error of the service itself), the run fails, and the
// other lanes must stop with it: their model calls in flight aborted, no further part started. They used to
// go on calling the model through the remaining parts after the run had ended (its job released for a retry,
// or FAILED), beyond the reach of cancelAIJob and outside JOB_CONCURRENCY.
//
// How one part throws on a real server: a model's part summary carrying a NUL character (which PostgreSQL's
// text cannot store, so the summarize input refuses it). The parts' summaries, joined, are summarized again
// in parts; the second-level part holding that summary throws InputError as its lane takes it, while the
// other lanes' model calls are slow and in flight.
import { setTimeout as sleep } from 'node:timers/promises';
import { chunkText } from '../../subgraph/retrieval/chunking';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { AI_JOB_QUERY, FAST_JOBS, START_SUMMARY_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import type { ChatRequest, RecordedRequest } from '../support/providers/server';
import { defaultResponder } from '../support/providers/text';
import { capturingLogger } from '../support/logs';
import { eventually } from '../support/wait-for';

jest.setTimeout(60_000);

const CHAT = '/v1/chat/completions';
const PART_CHARS = 500;
/** A second-level part's reply is due this late, but for the first part's: lanes stay busy on the others. */
const SLOW_MS = 3_000;
const TENANT = `long-summary-failure-${process.pid}`;

const idOf = (k: number) => `k${String(k).padStart(2, '0')}`;
/**
 * One part each (over three quarters of a part long): its first sentence is its summary, and only the
 * paragraph itself says "ledger".
 */
const PARAGRAPHS = Array.from(
  { length: 40 },
  (_, k) =>
    `Crate ${idOf(k)} holds lemons and limes for the northern market stalls of the old harbour town. ` +
    `The ledger for crate ${idOf(k)} is checked twice every morning before the first delivery leaves, ` +
    'and again each evening when the harbour closes, the porters go home and the gulls settle on the roofs. ' +
    'Nobody in the town remembers a single morning when the ledger and the crate did not agree at all.',
);
const LONG_TEXT = PARAGRAPHS.join('\n\n');

/** The text a summarize request (as the responder sees it, or its recorded body) asks to summarize. */
const textOf = (request: Pick<ChatRequest, 'messages'>): string => {
  const user = request.messages.find((message) => message.role === 'user')?.content ?? '';
  return /<<<TEXT\n([\s\S]*?)\nTEXT>>>/.exec(user)?.[1] ?? '';
};
const recordedTextOf = (request: RecordedRequest): string =>
  textOf(request.body as Pick<ChatRequest, 'messages'>);
const firstSentence = (text: string): string => text.slice(0, text.indexOf('. ') + 1);
/** The paragraph whose summary carries a NUL: the one opening the fifth second-level part (set below). */
let spoiled = '';
const summaryOf = (part: string): string => {
  const sentence = firstSentence(part);
  return sentence.startsWith(`Crate ${spoiled} `) ? `${sentence}\u0000` : sentence;
};
/** The second-level parts as summarizeByParts cuts them: the parts' summaries, joined, cut again. */
const secondLevel = (): string[] =>
  chunkText(
    chunkText(LONG_TEXT, { maxChars: PART_CHARS, overlapChars: 0 })
      .map((part) => summaryOf(part.text))
      .join('\n\n'),
    { maxChars: PART_CHARS, overlapChars: 0 },
  ).map((part) => part.text);

let harness: Harness;
const logs = capturingLogger('error');

beforeAll(async () => {
  // The lanes take parts 0-3 at once; part 0 is answered at once, so its lane takes part 4 next while the
  // other three wait on their slow replies: part 4 is the one that throws.
  spoiled = /^Crate (k\d\d) /.exec(secondLevel()[4] ?? '')?.[1] ?? '';
  harness = await startHarness({
    logger: logs.logger,
    providers: ['openai'],
    responder: async (request) => {
      const text = textOf(request);
      // A paragraph: its first sentence (the NUL on the spoiled one's), at once.
      if (text.includes('ledger')) return summaryOf(text);
      // A second-level part: slow, but for the first one.
      if (!text.startsWith('Crate k00 ')) await sleep(SLOW_MS);
      return defaultResponder(request);
    },
    env: {
      ...FAST_JOBS,
      // Neither the job's deadline nor the attempt timeout ends the slow calls first.
      JOB_DEADLINE_MS: '30000',
      ATTEMPT_TIMEOUT_MS: '20000',
      JOB_SUMMARY_PART_CHARS: String(PART_CHARS),
      // The failed run is released for a retry that comes after this test: the lanes left going would run on
      // with nothing to end them (a last try's FAILED, announced over LISTEN/NOTIFY, happened to abort them).
      JOB_RETRY_LIMIT: '1',
      JOB_RETRY_DELAY_SECONDS: '60',
    },
  });
});
afterAll(() => harness?.stop());

it("long summary: a failed part stops the other parts' model calls", async () => {
  // The setup holds: parts 0-3 carry no NUL, part 4 does, and parts remain after it.
  const parts = secondLevel();
  expect(parts.length).toBeGreaterThan(7);
  expect(parts.slice(0, 4).some((part) => part.includes('\u0000'))).toBe(false);
  expect(parts[4]).toContain('\u0000');

  const job = (
    await harness
      .as(TENANT)
      .data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, { input: { text: LONG_TEXT } })
  ).startSummaryJob;
  // The run failed and its job was released for its retry.
  await eventually(
    async () => {
      const metrics = await harness.metrics();
      return metrics.value('ai_jobs_total', { kind: 'summary', outcome: 'retried' }) === 1 ? true : undefined;
    },
    30_000,
    'the run failed and was released',
  );
  const released = (await harness.as(TENANT).data<{ aiJob: AIJob }>(AI_JOB_QUERY, { id: job.id })).aiJob;
  expect(released).toMatchObject({ status: 'QUEUED', attempts: 1, summary: null });
  // Failed by the spoiled part's refused input, as arranged: no provider failure (that would degrade).
  const runFailed = logs.lines
    .map((line) => JSON.parse(line) as { msg: string; err?: { type: string } })
    .filter((line) => line.msg === 'AI job run failed');
  expect(runFailed).toEqual([
    expect.objectContaining({ err: expect.objectContaining({ type: 'InputError' }) }),
  ]);

  const chats = () => harness.providers.openai.requests.filter((request) => request.path === CHAT);
  const secondLevelCalls = () => chats().filter((request) => !recordedTextOf(request).includes('ledger'));
  const atFailure = chats().length;
  // Past the slow replies' due time: the lanes left going would have answered, and taken the next parts.
  await sleep(SLOW_MS + 1_000);
  expect(chats().length).toBe(atFailure);
  expect(chats().filter((request) => request.closedAt === undefined)).toHaveLength(0);
  // The slow calls in flight when part 4 failed were aborted, not answered.
  const slow = secondLevelCalls().filter((request) => !recordedTextOf(request).startsWith('Crate k00 '));
  expect(slow.length).toBeGreaterThan(0);
  expect(slow.every((request) => request.aborted === true)).toBe(true);
  // Its runner slot is free: nothing of the job runs on.
  expect((await harness.metrics()).value('ai_jobs_running')).toBe(0);
});
