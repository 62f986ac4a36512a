// Retries through the public API: a target is retried after the provider's retry-after when it fits the
// deadline and skipped at once when it does not, never retried on a client error (400, 401, 403), never retried
// past the deadline, and a transient 5xx followed by success is answered by the same target.
import { setTimeout as sleep } from 'node:timers/promises';
import { CIRCUITS_STAY_CLOSED, FAST_RETRIES, startHarness, useFakeProviders } from '../support/harness';
import type { Harness } from '../support/harness';
import { timed } from '../support/results';
import { requirePostgres } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

const OPENAI_MODEL = 'gpt-test-large';
const ANTHROPIC_MODEL = 'claude-test-large';

const DOCUMENT = {
  id: 'lighthouse-manual',
  title: 'Lighthouse keeping manual',
  body:
    'The lighthouse lamp is lit at dusk and put out at dawn. The keeper logs every passing ship. ' +
    'Fog signals sound every thirty seconds when visibility drops below one mile.',
};

/** An uncached answer by the primary, citing the one document. */
const OPENAI_ANSWER = {
  __typename: 'Answer',
  text: 'The lamp is lit at dusk [1].',
  citations: [{ documentId: DOCUMENT.id, chunkId: expect.any(String), title: DOCUMENT.title }],
  meta: {
    provider: 'openai',
    model: OPENAI_MODEL,
    promptVersion: 'answer.v2',
    cached: false,
    costUsd: expect.any(Number),
  },
};

const providers = useFakeProviders(['openai', 'anthropic'], {
  openai: () => 'The lamp is lit at dusk [1].',
  anthropic: () => 'The keeper lights the lamp at dusk [1].',
});
let questionNumber = 0;
const openai = () => providers.openai;
const anthropic = () => providers.anthropic;

/** A distinct question per call, so that no cached answer hides what the providers did. */
function nextQuestion(topic: string): string {
  questionNumber += 1;
  return `When is the lighthouse lamp lit? (${topic} #${questionNumber})`;
}

async function startWithDocument(env: Record<string, string>): Promise<Harness> {
  const harness = await startHarness({
    providers,
    env: {
      OPENAI_MODEL,
      ANTHROPIC_MODEL,
      ...FAST_RETRIES,
      // Retries are under test, not the breaker: keep every circuit closed.
      ...CIRCUITS_STAY_CLOSED,
      ...env,
    },
  });
  await harness.as('retries-co').ingest(DOCUMENT);
  return harness;
}

const ask = (harness: Harness, question: string) => timed(() => harness.as('retries-co').ask(question));

describe('with two attempts per target', () => {
  const DEADLINE_MS = 1500;
  let harness: Harness;

  beforeAll(async () => {
    harness = await startWithDocument({
      DEADLINE_MS: String(DEADLINE_MS),
      ATTEMPT_TIMEOUT_MS: '400',
      RETRY_MAX_ATTEMPTS: '2',
    });
  });
  afterAll(() => harness?.stop());

  it('429 with retry-after-ms 200 (fits the deadline): the same target is retried after ~200 ms and answers', async () => {
    openai().faults.once({ kind: 'status', status: 429, retryAfterMs: 200 });
    const { value: result } = await ask(harness, nextQuestion('retry-after-ms fits'));
    expect(result).toEqual(OPENAI_ANSWER);
    expect(openai().requestCount('/v1/chat/completions')).toBe(2);
    const [first, second] = openai().requests;
    expect(first?.fault).toEqual({ kind: 'status', status: 429, retryAfterMs: 200 });
    expect(second?.fault).toBeUndefined();
    const gap = (second?.at ?? 0) - (first?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(190);
    // The provider's hint replaces the backoff; it is not added on top of a long wait.
    expect(gap).toBeLessThan(450);
    expect(anthropic().requestCount()).toBe(0);
  });

  it('429 with retry-after 30 s (does not fit the deadline): no wait, the secondary answers at once', async () => {
    openai().faults.always({ kind: 'status', status: 429, retryAfterSeconds: 30 });
    const { value: result, ms } = await ask(harness, nextQuestion('retry-after too long'));
    expect(result).toMatchObject({ __typename: 'Answer', meta: { provider: 'anthropic' } });
    expect(openai().requestCount('/v1/chat/completions')).toBe(1);
    expect(anthropic().requestCount('/v1/messages')).toBe(1);
    expect(ms).toBeLessThan(1000);
  });

  it.each([400, 401, 403])(
    '%i is not retried: exactly one request to the primary, then the secondary answers',
    async (status) => {
      openai().faults.always({ kind: 'status', status });
      const { value: result } = await ask(harness, nextQuestion(`client error ${status}`));
      expect(result).toMatchObject({ __typename: 'Answer', meta: { provider: 'anthropic' } });
      expect(openai().requestCount('/v1/chat/completions')).toBe(1);
      expect(anthropic().requestCount('/v1/messages')).toBe(1);
    },
  );

  it('500 then success: the primary answers on its retry, after 2 requests, and the secondary is never asked', async () => {
    openai().faults.once({ kind: 'status', status: 500 });
    const { value: result } = await ask(harness, nextQuestion('transient 500'));
    expect(result).toEqual(OPENAI_ANSWER);
    expect(openai().requests.map((request) => request.fault?.kind ?? 'none')).toEqual(['status', 'none']);
    expect(anthropic().requestCount()).toBe(0);
  });
});

describe('with five attempts per target and a short deadline', () => {
  const DEADLINE_MS = 1000;
  const ATTEMPT_TIMEOUT_MS = 300;
  let harness: Harness;

  beforeAll(async () => {
    harness = await startWithDocument({
      DEADLINE_MS: String(DEADLINE_MS),
      ATTEMPT_TIMEOUT_MS: String(ATTEMPT_TIMEOUT_MS),
      RETRY_MAX_ATTEMPTS: '5',
    });
  });
  afterAll(() => harness?.stop());

  it('a slow failing primary is not retried past the deadline: few attempts, and none after the response', async () => {
    // Each attempt costs ~250 ms before its 503, so five attempts cannot fit into the 1000 ms deadline.
    openai().faults.setLatency(250);
    openai().faults.always({ kind: 'status', status: 503 });
    anthropic().faults.always({ kind: 'hang' });
    const {
      value: result,
      ms,
      endedAt: answeredAt,
    } = await ask(harness, nextQuestion('no retry past the deadline'));
    expect(result).toMatchObject({ __typename: 'DegradedAnswer', reason: 'PROVIDER_TIMEOUT' });
    expect(ms).toBeLessThan(DEADLINE_MS + 300);

    // Retried, but only as often as the deadline allows.
    const attempts = openai().requestCount('/v1/chat/completions');
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(attempts).toBeLessThanOrEqual(Math.ceil(DEADLINE_MS / 250));

    // Nothing is still running after the answer: no later attempt reaches any provider.
    await sleep(ATTEMPT_TIMEOUT_MS * 2);
    expect(openai().requestCount()).toBe(attempts);
    for (const request of [...openai().requests, ...anthropic().requests]) {
      expect(request.at).toBeLessThanOrEqual(answeredAt);
    }
    // Every hung attempt was abandoned by the client (its socket closes a moment after the abort), none left open.
    for (const request of anthropic().requests) {
      expect(request.aborted).toBe(true);
      expect(request.closedAt).toBeLessThanOrEqual(answeredAt + 50);
    }
  });
});
