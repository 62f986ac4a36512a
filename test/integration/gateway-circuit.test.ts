// The circuit breaker through the public API: after N consecutive failures a target is skipped without being
// called, the floor says CIRCUIT_OPEN when every target is open, and after the cool-down one trial request
// reaches the target again: success closes the circuit, failure opens it again at once.
import { setTimeout as sleep } from 'node:timers/promises';
import { startHarness, useFakeProviders } from '../support/harness';
import type { Harness } from '../support/harness';
import type { AskResult } from '../support/results';
import { requirePostgres } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

const TENANT = 'circuit-co';
const FAILURES_TO_OPEN = 3;
const COOLDOWN_MS = 500;
const OPENAI_MODEL = 'gpt-test-large';
const ANTHROPIC_MODEL = 'claude-test-large';

const DOCUMENT = {
  id: 'glacier-notes',
  title: 'Glacier field notes',
  body:
    'The glacier retreated forty metres last summer. Meltwater feeds the lake below the moraine. ' +
    'Crevasses open wider in the afternoon heat.',
};

const providers = useFakeProviders(['openai', 'anthropic'], {
  openai: () => 'The glacier retreated forty metres [1].',
  anthropic: () => 'It retreated forty metres last summer [1].',
});
let questionNumber = 0;

/** A distinct question per call, so that no cached answer hides what the providers did. */
function ask(harness: Harness): Promise<AskResult> {
  questionNumber += 1;
  return harness.as(TENANT).ask(`How far did the glacier retreat? (#${questionNumber})`);
}

const primaryCalls = () => providers.openai.requestCount('/v1/chat/completions');
const secondaryCalls = () => providers.anthropic.requestCount('/v1/messages');

async function modelCalls(harness: Harness, provider: string, model: string, outcome: string) {
  return (await harness.metrics()).value('ai_model_calls_total', { provider, model, outcome });
}

async function startSubgraph(cooldownMs: number): Promise<Harness> {
  const harness = await startHarness({
    providers,
    env: {
      OPENAI_MODEL,
      ANTHROPIC_MODEL,
      DEADLINE_MS: '1500',
      ATTEMPT_TIMEOUT_MS: '400',
      RETRY_MAX_ATTEMPTS: '1',
      RETRY_BASE_DELAY_MS: '5',
      CIRCUIT_CONSECUTIVE_FAILURES: String(FAILURES_TO_OPEN),
      // Only the consecutive-failure rule is under test.
      CIRCUIT_RATE_WINDOW: '10000',
      CIRCUIT_COOLDOWN_MS: String(cooldownMs),
    },
  });
  await harness.as(TENANT).ingest(DOCUMENT);
  return harness;
}

/** The meta of an uncached answer by `provider`, and of the floor (no model). */
const answeredBy = (provider: string, model: string) => ({
  provider,
  model,
  promptVersion: 'answer.v2',
  cached: false,
  costUsd: expect.any(Number),
});
const NO_MODEL = { provider: null, model: null, promptVersion: null, cached: false, costUsd: 0 };

// Circuits live as long as the subgraph, so these steps run in order on one subgraph: closed -> open ->
// half-open -> open again -> half-open -> closed.
describe('the primary’s circuit, step by step', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startSubgraph(COOLDOWN_MS);
  });
  afterAll(() => harness?.stop());

  it('closed: a healthy primary answers', async () => {
    expect(await ask(harness)).toMatchObject({ __typename: 'Answer', meta: { provider: 'openai' } });
    expect(primaryCalls()).toBe(1);
  });

  it('after 3 consecutive 503s the primary is skipped without a request, the secondary answers, and metrics say circuit-open', async () => {
    providers.openai.faults.always({ kind: 'status', status: 503 });
    for (let i = 0; i < FAILURES_TO_OPEN; i += 1) {
      expect(await ask(harness)).toMatchObject({ __typename: 'Answer', meta: { provider: 'anthropic' } });
    }
    expect(primaryCalls()).toBe(FAILURES_TO_OPEN);

    // Asked at once, well inside the cool-down: the open circuit keeps the next request away from the primary.
    expect(await ask(harness)).toEqual({
      __typename: 'Answer',
      text: 'It retreated forty metres last summer [1].',
      citations: [{ documentId: DOCUMENT.id, chunkId: expect.any(String), title: DOCUMENT.title }],
      meta: answeredBy('anthropic', ANTHROPIC_MODEL),
    });
    expect(primaryCalls()).toBe(FAILURES_TO_OPEN);
    expect(secondaryCalls()).toBe(FAILURES_TO_OPEN + 1);

    expect(await modelCalls(harness, 'openai', OPENAI_MODEL, 'server')).toBe(FAILURES_TO_OPEN);
    expect(await modelCalls(harness, 'openai', OPENAI_MODEL, 'circuit-open')).toBe(1);
    expect(await modelCalls(harness, 'anthropic', ANTHROPIC_MODEL, 'circuit-open')).toBe(0);
  });

  it('after the cool-down a still-failing primary gets one trial request, and its failure opens the circuit again at once', async () => {
    providers.openai.faults.always({ kind: 'status', status: 503 });
    await sleep(COOLDOWN_MS + 100);

    expect(await ask(harness)).toMatchObject({ __typename: 'Answer', meta: { provider: 'anthropic' } });
    expect(primaryCalls()).toBe(1);
    // One failed trial is enough: the next request skips the primary again.
    expect(await ask(harness)).toMatchObject({ __typename: 'Answer', meta: { provider: 'anthropic' } });
    expect(primaryCalls()).toBe(1);
  });

  it('after the cool-down a recovered primary gets a trial request, answers, and the closed circuit keeps using it', async () => {
    await sleep(COOLDOWN_MS + 100);

    // Half-open: one trial reaches the primary; it succeeds, so the circuit closes.
    expect(await ask(harness)).toEqual({
      __typename: 'Answer',
      text: 'The glacier retreated forty metres [1].',
      citations: [{ documentId: DOCUMENT.id, chunkId: expect.any(String), title: DOCUMENT.title }],
      meta: answeredBy('openai', OPENAI_MODEL),
    });
    expect(primaryCalls()).toBe(1);
    for (let i = 0; i < 2; i += 1) {
      expect(await ask(harness)).toMatchObject({ __typename: 'Answer', meta: { provider: 'openai' } });
    }
    expect(primaryCalls()).toBe(3);
    expect(secondaryCalls()).toBe(0);
  });
});

describe('every target’s circuit open', () => {
  let harness: Harness;

  beforeAll(async () => {
    // A long cool-down: nothing half-opens while this test runs, however slow the machine.
    harness = await startSubgraph(60_000);
  });
  afterAll(() => harness?.stop());

  it('the floor answers CIRCUIT_OPEN and no provider is called', async () => {
    providers.openai.faults.always({ kind: 'status', status: 503 });
    providers.anthropic.faults.always({ kind: 'status', status: 503 });
    for (let i = 0; i < FAILURES_TO_OPEN; i += 1) {
      expect(await ask(harness)).toMatchObject({ __typename: 'DegradedAnswer', reason: 'PROVIDER_ERROR' });
    }
    expect(primaryCalls()).toBe(FAILURES_TO_OPEN);
    expect(secondaryCalls()).toBe(FAILURES_TO_OPEN);

    expect(await ask(harness)).toEqual({
      __typename: 'DegradedAnswer',
      reason: 'CIRCUIT_OPEN',
      passages: [{ documentId: DOCUMENT.id, chunkId: expect.any(String), title: DOCUMENT.title }],
      meta: NO_MODEL,
    });
    expect(primaryCalls()).toBe(FAILURES_TO_OPEN);
    expect(secondaryCalls()).toBe(FAILURES_TO_OPEN);
    expect(await modelCalls(harness, 'openai', OPENAI_MODEL, 'circuit-open')).toBe(1);
    expect(await modelCalls(harness, 'anthropic', ANTHROPIC_MODEL, 'circuit-open')).toBe(1);
  });
});
