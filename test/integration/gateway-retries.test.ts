// Retries through the public API: a target is retried after the provider's retry-after when it fits the
// deadline and skipped at once when it does not, never retried on a client error (400, 401, 403), never retried
// past the deadline, and a transient 5xx followed by success is answered by the same target.
import { setTimeout as sleep } from 'node:timers/promises';
import { startFakeAnthropic, startFakeOpenAI } from '../support/providers';
import type { FakeProviderServer } from '../support/providers';
import { gql, startTestSubgraph } from '../support/subgraph';
import type { TestSubgraph } from '../support/subgraph';
import { tokenFor } from '../support/tokens';

const TENANT = 'retries-co';
const OPENAI_MODEL = 'gpt-test-large';
const ANTHROPIC_MODEL = 'claude-test-large';

const INGEST = `mutation($input: IngestDocumentInput!) { ingestDocument(input: $input) { documentId } }`;
const ASK = `query($q: String!) {
  ask(input: { question: $q }) {
    __typename
    ... on Answer { text meta { provider model } }
    ... on DegradedAnswer { reason meta { provider model } }
    ... on AIUnavailable { reason message }
  }
}`;

const DOCUMENT = {
  id: 'lighthouse-manual',
  title: 'Lighthouse keeping manual',
  body:
    'The lighthouse lamp is lit at dusk and put out at dawn. The keeper logs every passing ship. ' +
    'Fog signals sound every thirty seconds when visibility drops below one mile.',
};

interface AskResult {
  __typename: string;
  text?: string;
  reason?: string;
  meta?: { provider: string | null; model: string | null };
}

let openai: FakeProviderServer;
let anthropic: FakeProviderServer;
let token: string;
let questionNumber = 0;

/** A distinct question per call, so that no cached answer hides what the providers did. */
function nextQuestion(topic: string): string {
  questionNumber += 1;
  return `When is the lighthouse lamp lit? (${topic} #${questionNumber})`;
}

function subgraphEnv(overrides: Record<string, string>): Record<string, string> {
  return {
    OPENAI_API_KEY: 'k',
    OPENAI_BASE_URL: openai.baseURL,
    OPENAI_MODEL,
    ANTHROPIC_API_KEY: 'k',
    ANTHROPIC_BASE_URL: anthropic.baseURL,
    ANTHROPIC_MODEL,
    RETRY_BASE_DELAY_MS: '5',
    RETRY_MAX_DELAY_MS: '20',
    // Retries are under test, not the breaker: keep every circuit closed.
    CIRCUIT_CONSECUTIVE_FAILURES: '1000',
    CIRCUIT_RATE_WINDOW: '10000',
    ...overrides,
  };
}

async function startWithDocument(env: Record<string, string>): Promise<TestSubgraph> {
  const subgraph = await startTestSubgraph(env);
  const ingested = await gql(subgraph.url, INGEST, { token, variables: { input: DOCUMENT } });
  expect(ingested.body.errors).toBeUndefined();
  return subgraph;
}

async function ask(
  subgraph: TestSubgraph,
  question: string,
): Promise<{ result: AskResult; ms: number; answeredAt: number }> {
  const started = performance.now();
  const response = await gql<{ ask: AskResult }>(subgraph.url, ASK, { token, variables: { q: question } });
  const answeredAt = Date.now();
  const ms = performance.now() - started;
  expect(response.status).toBe(200);
  expect(response.body.errors).toBeUndefined();
  const result = response.body.data?.ask;
  if (!result) throw new Error('no ask result');
  return { result, ms, answeredAt };
}

beforeAll(async () => {
  openai = await startFakeOpenAI({ responder: () => 'OpenAI: the lamp is lit at dusk [1].' });
  anthropic = await startFakeAnthropic({ responder: () => 'Anthropic: the lamp is lit at dusk [1].' });
  token = await tokenFor(TENANT);
});

afterAll(async () => {
  await Promise.all([openai?.close(), anthropic?.close()]);
});

beforeEach(() => {
  openai.reset();
  anthropic.reset();
});

describe('with two attempts per target', () => {
  const DEADLINE_MS = 1500;
  let subgraph: TestSubgraph;

  beforeAll(async () => {
    subgraph = await startWithDocument(
      subgraphEnv({ DEADLINE_MS: String(DEADLINE_MS), ATTEMPT_TIMEOUT_MS: '400', RETRY_MAX_ATTEMPTS: '2' }),
    );
  });
  afterAll(() => subgraph?.stop());

  it('429 with retry-after-ms 200 (fits the deadline): the same target is retried after ~200 ms and answers', async () => {
    openai.faults.once({ kind: 'status', status: 429, retryAfterMs: 200 });
    const { result } = await ask(subgraph, nextQuestion('retry-after-ms fits'));
    expect(result).toEqual({
      __typename: 'Answer',
      text: 'OpenAI: the lamp is lit at dusk [1].',
      meta: { provider: 'openai', model: OPENAI_MODEL },
    });
    expect(openai.requestCount('/v1/chat/completions')).toBe(2);
    const [first, second] = openai.requests;
    expect(first?.fault).toEqual({ kind: 'status', status: 429, retryAfterMs: 200 });
    expect(second?.fault).toBeUndefined();
    const gap = (second?.at ?? 0) - (first?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(190);
    // The provider's hint replaces the backoff; it is not added on top of a long wait.
    expect(gap).toBeLessThan(450);
    expect(anthropic.requestCount()).toBe(0);
  });

  it('429 with retry-after 30 s (does not fit the deadline): no wait, the secondary answers at once', async () => {
    openai.faults.always({ kind: 'status', status: 429, retryAfterSeconds: 30 });
    const { result, ms } = await ask(subgraph, nextQuestion('retry-after too long'));
    expect(result).toMatchObject({ __typename: 'Answer', meta: { provider: 'anthropic' } });
    expect(openai.requestCount('/v1/chat/completions')).toBe(1);
    expect(anthropic.requestCount('/v1/messages')).toBe(1);
    expect(ms).toBeLessThan(1000);
  });

  it.each([400, 401, 403])(
    '%i is not retried: exactly one request to the primary, then the secondary answers',
    async (status) => {
      openai.faults.always({ kind: 'status', status });
      const { result } = await ask(subgraph, nextQuestion(`client error ${status}`));
      expect(result).toMatchObject({ __typename: 'Answer', meta: { provider: 'anthropic' } });
      expect(openai.requestCount('/v1/chat/completions')).toBe(1);
      expect(anthropic.requestCount('/v1/messages')).toBe(1);
    },
  );

  it('500 then success: the primary answers on its retry, after 2 requests, and the secondary is never asked', async () => {
    openai.faults.once({ kind: 'status', status: 500 });
    const { result } = await ask(subgraph, nextQuestion('transient 500'));
    expect(result).toEqual({
      __typename: 'Answer',
      text: 'OpenAI: the lamp is lit at dusk [1].',
      meta: { provider: 'openai', model: OPENAI_MODEL },
    });
    expect(openai.requests.map((request) => request.fault?.kind ?? 'none')).toEqual(['status', 'none']);
    expect(anthropic.requestCount()).toBe(0);
  });
});

describe('with five attempts per target and a short deadline', () => {
  const DEADLINE_MS = 1000;
  const ATTEMPT_TIMEOUT_MS = 300;
  let subgraph: TestSubgraph;

  beforeAll(async () => {
    subgraph = await startWithDocument(
      subgraphEnv({
        DEADLINE_MS: String(DEADLINE_MS),
        ATTEMPT_TIMEOUT_MS: String(ATTEMPT_TIMEOUT_MS),
        RETRY_MAX_ATTEMPTS: '5',
      }),
    );
  });
  afterAll(() => subgraph?.stop());

  it('a slow failing primary is not retried past the deadline: few attempts, and none after the response', async () => {
    // Each attempt costs ~250 ms before its 503, so five attempts cannot fit into the 1000 ms deadline.
    openai.faults.setLatency(250);
    openai.faults.always({ kind: 'status', status: 503 });
    anthropic.faults.always({ kind: 'hang' });
    const { result, ms, answeredAt } = await ask(subgraph, nextQuestion('no retry past the deadline'));
    expect(result).toMatchObject({ __typename: 'DegradedAnswer', reason: 'PROVIDER_TIMEOUT' });
    expect(ms).toBeLessThan(DEADLINE_MS + 300);

    // Retried, but only as often as the deadline allows.
    const attempts = openai.requestCount('/v1/chat/completions');
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(attempts).toBeLessThanOrEqual(Math.ceil(DEADLINE_MS / 250));

    // Nothing is still running after the answer: no later attempt reaches any provider.
    await sleep(ATTEMPT_TIMEOUT_MS * 2);
    expect(openai.requestCount()).toBe(attempts);
    for (const request of [...openai.requests, ...anthropic.requests]) {
      expect(request.at).toBeLessThanOrEqual(answeredAt);
    }
    // Every hung attempt was abandoned by the client (its socket closes a moment after the abort), none left open.
    for (const request of anthropic.requests) {
      expect(request.aborted).toBe(true);
      expect(request.closedAt).toBeLessThanOrEqual(answeredAt + 50);
    }
  });
});
