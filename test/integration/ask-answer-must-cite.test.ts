// The rails of `ask` on replies the format check lets through, and on abstentions written in prose: an
// Answer always cites a passage (an answer left with none after grounding is rejected, like any ungrounded
// one), and "The passages do not say. NO_ANSWER" is an abstention, not a malformed reply.
import { randomBytes } from 'node:crypto';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { echoResponder } from '../support/prompt-echo';
import { requirePostgres } from '../support/services';

requirePostgres();

const echo = echoResponder();
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({
    providers: ['openai'],
    responder: echo.responder,
    env: { CACHE_TTL_ANSWER_SECONDS: '0' },
  });
});

afterAll(() => harness?.stop());

afterEach(() => {
  echo.fixedAnswer = null;
});

/** A new tenant (default policy: grounding `drop`) holding one refunds passage. */
async function refundsTenant(label: string) {
  const client = harness.as(`${label}-${randomBytes(4).toString('hex')}`);
  await client.ingest({
    id: 'refunds',
    title: 'Refunds',
    body: 'Refunds are processed within 14 days of the request. Refunds go back to the original card.',
  });
  return client;
}

it('finding 1: an answer whose only cited sentence grounding drops is not served uncited', async () => {
  const client = await refundsTenant('uncited');
  // The cited sentence invents "30 days" and is dropped; the uncited one is supported and would be kept.
  echo.fixedAnswer =
    'Refunds are processed within 14 days of the request. Enterprise refunds take 30 days [1].';

  const result = await client.ask('How long do refunds take?');

  expect(result.__typename).toBe('DegradedAnswer');
  if (result.__typename !== 'DegradedAnswer') return;
  expect(result.reason).toBe('GUARDRAIL_REJECTED');
  expect(result.passages.map((p) => p.title)).toEqual(['Refunds']);
});

it('finding 3: an abstention written in prose is INSUFFICIENT_CONTEXT after one model request', async () => {
  const client = await refundsTenant('prose-abstention');
  echo.fixedAnswer = 'The passages do not say. NO_ANSWER';
  const before = harness.providers.requestCount();

  const result = await client.ask('Who approves refunds?');

  expect(result.__typename).toBe('DegradedAnswer');
  if (result.__typename !== 'DegradedAnswer') return;
  expect(result.reason).toBe('INSUFFICIENT_CONTEXT');
  expect(harness.providers.requestCount() - before).toBe(1);
});
