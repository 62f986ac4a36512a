// The circuit breaker through the public API: after N consecutive failures a target is skipped without being
// called, the floor says CIRCUIT_OPEN when every target is open, and after the cool-down one trial request
// reaches the target again: success closes the circuit, failure opens it again at once.
import { setTimeout as sleep } from 'node:timers/promises';
import { startFakeAnthropic, startFakeOpenAI } from '../support/providers';
import type { FakeProviderServer } from '../support/providers';
import { gql, startTestSubgraph } from '../support/subgraph';
import type { TestSubgraph } from '../support/subgraph';
import { tokenFor } from '../support/tokens';

const TENANT = 'circuit-co';
const FAILURES_TO_OPEN = 3;
const COOLDOWN_MS = 500;
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
  id: 'glacier-notes',
  title: 'Glacier field notes',
  body:
    'The glacier retreated forty metres last summer. Meltwater feeds the lake below the moraine. ' +
    'Crevasses open wider in the afternoon heat.',
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
async function ask(subgraph: TestSubgraph): Promise<AskResult> {
  questionNumber += 1;
  const response = await gql<{ ask: AskResult }>(subgraph.url, ASK, {
    token,
    variables: { q: `How far did the glacier retreat? (#${questionNumber})` },
  });
  expect(response.status).toBe(200);
  expect(response.body.errors).toBeUndefined();
  const result = response.body.data?.ask;
  if (!result) throw new Error('no ask result');
  return result;
}

const primaryCalls = () => openai.requestCount('/v1/chat/completions');
const secondaryCalls = () => anthropic.requestCount('/v1/messages');

async function modelCallsCounter(
  subgraph: TestSubgraph,
  provider: string,
  model: string,
  outcome: string,
): Promise<number> {
  const text = await subgraph.app.metrics.registry.metrics();
  const line = text
    .split('\n')
    .find(
      (candidate) =>
        candidate.startsWith('ai_model_calls_total{') &&
        candidate.includes(`provider="${provider}"`) &&
        candidate.includes(`model="${model}"`) &&
        candidate.includes(`outcome="${outcome}"`),
    );
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

async function startSubgraph(cooldownMs: number): Promise<TestSubgraph> {
  const subgraph = await startTestSubgraph({
    OPENAI_API_KEY: 'k',
    OPENAI_BASE_URL: openai.baseURL,
    OPENAI_MODEL,
    ANTHROPIC_API_KEY: 'k',
    ANTHROPIC_BASE_URL: anthropic.baseURL,
    ANTHROPIC_MODEL,
    DEADLINE_MS: '1500',
    ATTEMPT_TIMEOUT_MS: '400',
    RETRY_MAX_ATTEMPTS: '1',
    RETRY_BASE_DELAY_MS: '5',
    CIRCUIT_CONSECUTIVE_FAILURES: String(FAILURES_TO_OPEN),
    // Only the consecutive-failure rule is under test.
    CIRCUIT_RATE_WINDOW: '10000',
    CIRCUIT_COOLDOWN_MS: String(cooldownMs),
  });
  const ingested = await gql(subgraph.url, INGEST, { token, variables: { input: DOCUMENT } });
  expect(ingested.body.errors).toBeUndefined();
  return subgraph;
}

beforeAll(async () => {
  openai = await startFakeOpenAI({ responder: () => 'OpenAI: the glacier retreated forty metres [1].' });
  anthropic = await startFakeAnthropic({ responder: () => 'Anthropic: it retreated forty metres [1].' });
  token = await tokenFor(TENANT);
});

afterAll(async () => {
  await Promise.all([openai?.close(), anthropic?.close()]);
});

beforeEach(() => {
  openai.reset();
  anthropic.reset();
});

// Circuits live as long as the subgraph, so these steps run in order on one subgraph: closed -> open ->
// half-open -> open again -> half-open -> closed.
describe('the primary’s circuit, step by step', () => {
  let subgraph: TestSubgraph;

  beforeAll(async () => {
    subgraph = await startSubgraph(COOLDOWN_MS);
  });
  afterAll(() => subgraph?.stop());

  it('closed: a healthy primary answers', async () => {
    expect(await ask(subgraph)).toMatchObject({ __typename: 'Answer', meta: { provider: 'openai' } });
    expect(primaryCalls()).toBe(1);
  });

  it('after 3 consecutive 503s the primary is skipped without a request, the secondary answers, and metrics say circuit-open', async () => {
    openai.faults.always({ kind: 'status', status: 503 });
    for (let i = 0; i < FAILURES_TO_OPEN; i += 1) {
      expect(await ask(subgraph)).toMatchObject({ __typename: 'Answer', meta: { provider: 'anthropic' } });
    }
    expect(primaryCalls()).toBe(FAILURES_TO_OPEN);

    // Asked at once, well inside the cool-down: the open circuit keeps the next request away from the primary.
    expect(await ask(subgraph)).toEqual({
      __typename: 'Answer',
      text: 'Anthropic: it retreated forty metres [1].',
      meta: { provider: 'anthropic', model: ANTHROPIC_MODEL },
    });
    expect(primaryCalls()).toBe(FAILURES_TO_OPEN);
    expect(secondaryCalls()).toBe(FAILURES_TO_OPEN + 1);

    expect(await modelCallsCounter(subgraph, 'openai', OPENAI_MODEL, 'server')).toBe(FAILURES_TO_OPEN);
    expect(await modelCallsCounter(subgraph, 'openai', OPENAI_MODEL, 'circuit-open')).toBe(1);
    expect(await modelCallsCounter(subgraph, 'anthropic', ANTHROPIC_MODEL, 'circuit-open')).toBe(0);
  });

  it('after the cool-down a still-failing primary gets one trial request, and its failure opens the circuit again at once', async () => {
    openai.faults.always({ kind: 'status', status: 503 });
    await sleep(COOLDOWN_MS + 100);

    expect(await ask(subgraph)).toMatchObject({ __typename: 'Answer', meta: { provider: 'anthropic' } });
    expect(primaryCalls()).toBe(1);
    // One failed trial is enough: the next request skips the primary again.
    expect(await ask(subgraph)).toMatchObject({ __typename: 'Answer', meta: { provider: 'anthropic' } });
    expect(primaryCalls()).toBe(1);
  });

  it('after the cool-down a recovered primary gets a trial request, answers, and the closed circuit keeps using it', async () => {
    await sleep(COOLDOWN_MS + 100);

    // Half-open: one trial reaches the primary; it succeeds, so the circuit closes.
    expect(await ask(subgraph)).toEqual({
      __typename: 'Answer',
      text: 'OpenAI: the glacier retreated forty metres [1].',
      meta: { provider: 'openai', model: OPENAI_MODEL },
    });
    expect(primaryCalls()).toBe(1);
    for (let i = 0; i < 2; i += 1) {
      expect(await ask(subgraph)).toMatchObject({ __typename: 'Answer', meta: { provider: 'openai' } });
    }
    expect(primaryCalls()).toBe(3);
    expect(secondaryCalls()).toBe(0);
  });
});

describe('every target’s circuit open', () => {
  let subgraph: TestSubgraph;

  beforeAll(async () => {
    // A long cool-down: nothing half-opens while this test runs, however slow the machine.
    subgraph = await startSubgraph(60_000);
  });
  afterAll(() => subgraph?.stop());

  it('the floor answers CIRCUIT_OPEN and no provider is called', async () => {
    openai.faults.always({ kind: 'status', status: 503 });
    anthropic.faults.always({ kind: 'status', status: 503 });
    for (let i = 0; i < FAILURES_TO_OPEN; i += 1) {
      expect(await ask(subgraph)).toMatchObject({ __typename: 'DegradedAnswer', reason: 'PROVIDER_ERROR' });
    }
    expect(primaryCalls()).toBe(FAILURES_TO_OPEN);
    expect(secondaryCalls()).toBe(FAILURES_TO_OPEN);

    expect(await ask(subgraph)).toEqual({
      __typename: 'DegradedAnswer',
      reason: 'CIRCUIT_OPEN',
      meta: { provider: null, model: null },
    });
    expect(primaryCalls()).toBe(FAILURES_TO_OPEN);
    expect(secondaryCalls()).toBe(FAILURES_TO_OPEN);
    expect(await modelCallsCounter(subgraph, 'openai', OPENAI_MODEL, 'circuit-open')).toBe(1);
    expect(await modelCallsCounter(subgraph, 'anthropic', ANTHROPIC_MODEL, 'circuit-open')).toBe(1);
  });
});
