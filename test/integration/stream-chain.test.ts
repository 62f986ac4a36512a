// The stream walks the same chain as a query: a target whose circuit is open is skipped without a request,
// and the first token is awaited no longer than what is left of the request's deadline.
import { setTimeout as sleep } from 'node:timers/promises';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import type { AskCompleted } from '../support/results';
import { requirePostgres } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

const CHAT = '/v1/chat/completions';
const MESSAGES = '/v1/messages';
const TENANT = 'stream-chain-co';
const QUESTION = 'How are quokka crates weighed?';
const DOCUMENT = {
  id: 'harbour',
  title: 'Harbour ledger',
  body: 'Every quokka crate is weighed twice before the marmalade leaves the harbour warehouse.',
};

async function harnessWith(env: Record<string, string>): Promise<Harness> {
  const harness = await startHarness({
    providers: ['openai', 'anthropic'],
    responder: () => 'Crates are weighed twice [1].',
    env: { CACHE_TTL_ANSWER_SECONDS: '0', ...env },
  });
  await harness.as(TENANT).ingest(DOCUMENT);
  return harness;
}

describe('a stream and an open circuit', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await harnessWith({
      CIRCUIT_CONSECUTIVE_FAILURES: '1',
      CIRCUIT_COOLDOWN_MS: '60000',
      RETRY_MAX_ATTEMPTS: '1',
    });
  });
  afterAll(() => harness?.stop());

  it('skips the primary without a request once a query has opened its circuit, and says CIRCUIT_OPEN', async () => {
    const { openai, anthropic } = harness.providers;
    openai.faults.once({ kind: 'status', status: 503 });
    expect(await harness.as(TENANT).ask(QUESTION)).toMatchObject({ __typename: 'Answer' });
    expect(openai.requestCount(CHAT)).toBe(1);

    const events = await harness.as(TENANT).askStream(QUESTION);
    expect(openai.requestCount(CHAT)).toBe(1);
    expect(events[0]).toMatchObject({ __typename: 'StreamNotice', reason: 'CIRCUIT_OPEN', restart: false });
    expect((events.at(-1) as AskCompleted).result).toMatchObject({
      __typename: 'Answer',
      meta: { provider: 'anthropic' },
    });
    expect(anthropic.requestCount(MESSAGES)).toBe(2);
  });
});

describe('a stream whose primary never sends a first token', () => {
  let harness: Harness;
  // The attempt timeout alone would wait 10 s for the first token; the deadline leaves only 1 s.
  beforeAll(async () => {
    harness = await harnessWith({ DEADLINE_MS: '1000', ATTEMPT_TIMEOUT_MS: '10000' });
  });
  afterAll(() => harness?.stop());

  it('waits for the first token no longer than what is left of the deadline', async () => {
    const { openai, anthropic } = harness.providers;
    openai.faults.always({ kind: 'hang' });
    anthropic.faults.always({ kind: 'hang' });
    const started = Date.now();
    const events = await harness.as(TENANT).askStream(QUESTION);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((events.at(-1) as AskCompleted).result).toMatchObject({
      __typename: 'DegradedAnswer',
      reason: 'PROVIDER_TIMEOUT',
    });
    // The hung request was abandoned when its clock ran out, not left open.
    const hung = openai.requests.find((request) => request.path === CHAT);
    for (let waited = 0; hung?.closedAt === undefined && waited < 2_000; waited += 10) await sleep(10);
    expect(hung?.aborted).toBe(true);
  });
});
