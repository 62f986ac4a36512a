// Citation markers in a generated answer: the model numbers passages as the prompt did, the client gets them
// renumbered to citation order, so the first passage cited is [1] and citations[0].
import { randomBytes } from 'node:crypto';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { echoResponder, passagesOf } from '../support/prompt-echo';
import { member } from '../support/results';
import { requirePostgres } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

const echo = echoResponder();
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ providers: ['openai'], responder: echo.responder });
});

afterAll(() => harness?.stop());

/** A new tenant holding two depots, each a passage that grounds a sentence about granite blocks. */
async function tenantWithTwoDepots(label: string) {
  const client = harness.as(`${label}-${randomBytes(4).toString('hex')}`);
  await client.ingest({
    id: 'doc-a',
    title: 'Alpha depot',
    body: 'The alpha depot holds granite blocks for the quarry.',
  });
  await client.ingest({
    id: 'doc-b',
    title: 'Beta depot',
    body: 'The beta depot holds granite blocks for the harbour.',
  });
  return client;
}

it('are renumbered to citation order: the first passage cited becomes [1] and citations[0]', async () => {
  const client = await tenantWithTwoDepots('cite');
  // Each sentence is grounded in either depot, so the rails keep both whichever way the passages are numbered.
  echo.fixedAnswer = 'The depot holds granite blocks [2]. Its granite blocks are held there too [1].';

  const answer = member(await client.ask('depot granite blocks'), 'Answer');
  const numbered = passagesOf(echo.lastAnswerPrompt);
  expect(numbered.map((p) => p.n)).toEqual([1, 2]);
  const documentOf: Record<string, string> = { 'Alpha depot': 'doc-a', 'Beta depot': 'doc-b' };

  expect(answer.text).toBe('The depot holds granite blocks [1]. Its granite blocks are held there too [2].');
  expect(answer.citations.map((c) => c.title)).toEqual([numbered[1]?.title, numbered[0]?.title]);
  expect(answer.citations.map((c) => c.documentId)).toEqual([
    documentOf[numbered[1]?.title ?? ''],
    documentOf[numbered[0]?.title ?? ''],
  ]);
});

// Finding 2 of the grounding review: a grouped marker was read as two claimed numbers (the sentence dropped)
// and left out of the renumbering. It cites both passages, and reaches the client as [n] markers.
it('finding 2: a grouped citation [2, 1] cites both passages and is renumbered as a group', async () => {
  const client = await tenantWithTwoDepots('cite-group');
  echo.fixedAnswer = 'The depot holds granite blocks [2]. Each depot holds granite blocks [2, 1].';

  const answer = member(await client.ask('depot granite blocks'), 'Answer');
  const numbered = passagesOf(echo.lastAnswerPrompt);
  expect(numbered.map((p) => p.n)).toEqual([1, 2]);

  expect(answer.text).toBe('The depot holds granite blocks [1]. Each depot holds granite blocks [1][2].');
  expect(answer.citations.map((c) => c.title)).toEqual([numbered[1]?.title, numbered[0]?.title]);
});
