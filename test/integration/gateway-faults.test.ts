// Provider faults through the public API: whatever the primary target (openai) does wrong — too slow, hung,
// rate limited, 5xx, a reset connection, malformed JSON — the secondary (anthropic) answers in full; when every
// target is faulty the extractive floor answers with the reason, inside the deadline, and never as a GraphQL error.
import type { Fault } from '../support/providers';
import { CIRCUITS_STAY_CLOSED, FAST_RETRIES, startHarness } from '../support/harness';
import type { Harness, TenantClient } from '../support/harness';
import { member, timed } from '../support/results';
import { requirePostgres } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

const DEADLINE_MS = 1200;
const ATTEMPT_TIMEOUT_MS = 300;
/** What the server may add to the deadline: retrieval, the extractive floor, HTTP and GraphQL. */
const LATENCY_MARGIN_MS = 300;
const ANTHROPIC_MODEL = 'claude-test-large';
const ANTHROPIC_SMALL_MODEL = 'claude-test-small';

const DOCUMENT = {
  id: 'albatross-guide',
  title: 'Albatross field guide',
  body:
    'Albatrosses nest on remote oceanic islands. They feed on squid and fish caught near the surface. ' +
    'An albatross can glide for hours without flapping its wings. Pairs stay together for many years.',
};

let harness: Harness;
let client: TenantClient;
const openai = () => harness.providers.openai;
const anthropic = () => harness.providers.anthropic;

// A provider outage is never a GraphQL error: the client's typed calls expect none.
const ask = (question: string) => timed(() => client.ask(question));
const summarize = (text: string) => timed(() => client.summarize({ text, maxWords: 40 }));

/** A distinct text per test, so that no cached summary (fresh or stale) hides a fault. */
function textToSummarize(label: string): string {
  return (
    `The ${label} quarterly report shows revenue grew by twelve percent. ` +
    'Costs stayed flat while the support team resolved tickets faster. ' +
    'The board approved hiring two engineers for the platform group.'
  );
}

beforeAll(async () => {
  harness = await startHarness({
    providers: ['openai', 'anthropic'],
    responder: {
      openai: () => 'They nest on remote islands [1].',
      anthropic: () => 'Albatrosses nest on remote oceanic islands [1].',
    },
    env: {
      ANTHROPIC_MODEL,
      ANTHROPIC_SMALL_MODEL,
      DEADLINE_MS: String(DEADLINE_MS),
      ATTEMPT_TIMEOUT_MS: String(ATTEMPT_TIMEOUT_MS),
      ...FAST_RETRIES,
      // Every test here fails the primary on purpose; its circuit must not open and hide the next fault.
      ...CIRCUITS_STAY_CLOSED,
    },
  });
  client = harness.as('faults-co');
  expect((await client.ingest(DOCUMENT)).chunks).toBeGreaterThan(0);
});

afterAll(() => harness?.stop());

beforeEach(() => harness.providers.reset());

const PRIMARY_FAULTS: { name: string; fault: Fault }[] = [
  { name: 'latency beyond the attempt timeout', fault: { kind: 'latency', ms: ATTEMPT_TIMEOUT_MS * 5 } },
  { name: 'a hang', fault: { kind: 'hang' } },
  { name: '429 with a retry-after', fault: { kind: 'status', status: 429, retryAfterSeconds: 5 } },
  { name: '500', fault: { kind: 'status', status: 500 } },
  { name: '502', fault: { kind: 'status', status: 502 } },
  { name: '503', fault: { kind: 'status', status: 503 } },
  { name: 'a connection reset', fault: { kind: 'reset' } },
  { name: 'malformed JSON', fault: { kind: 'malformed-json' } },
];

/** The primary was really tried, and each of its requests got the injected fault. */
function expectPrimaryFaulted(fault: Fault): void {
  expect(openai().requestCount('/v1/chat/completions')).toBeGreaterThanOrEqual(1);
  for (const request of openai().requests) expect(request.fault).toEqual(fault);
}

describe('ask with a faulty primary is answered in full by the secondary', () => {
  it.each(PRIMARY_FAULTS)('primary fault: $name', async ({ name, fault }) => {
    openai().faults.always(fault);
    const { value: result } = await ask(`Where do albatrosses nest? (primary fault: ${name})`);
    expect(result).toMatchObject({
      __typename: 'Answer',
      text: 'Albatrosses nest on remote oceanic islands [1].',
      meta: { provider: 'anthropic', model: ANTHROPIC_MODEL, cached: false },
    });
    expect(member(result, 'Answer').citations).toEqual([
      { documentId: DOCUMENT.id, chunkId: expect.any(String), title: DOCUMENT.title },
    ]);
    expectPrimaryFaulted(fault);
    expect(anthropic().requestCount('/v1/messages')).toBe(1);
  });
});

describe('summarize with a faulty primary is answered in full by the secondary', () => {
  const cases = PRIMARY_FAULTS.filter(
    ({ fault }) =>
      ['hang', 'reset', 'malformed-json'].includes(fault.kind) ||
      (fault.kind === 'status' && [429, 503].includes(fault.status)),
  );

  it.each(cases)('primary fault: $name', async ({ name, fault }) => {
    openai().faults.always(fault);
    anthropic().respondWith(() => 'Revenue grew while costs stayed flat.');
    const { value: result } = await summarize(textToSummarize(`summary-${name}`));
    expect(result).toEqual({
      __typename: 'Summary',
      text: 'Revenue grew while costs stayed flat.',
      meta: {
        provider: 'anthropic',
        model: ANTHROPIC_SMALL_MODEL,
        promptVersion: 'summarize.v1',
        cached: false,
        costUsd: expect.any(Number),
      },
    });
    expectPrimaryFaulted(fault);
    expect(anthropic().requestCount('/v1/messages')).toBe(1);
  });
});

describe('a hung primary and the deadline', () => {
  it('a hanging primary costs at most the deadline: the secondary answers well within it', async () => {
    openai().faults.always({ kind: 'hang' });
    const { value: result, ms } = await ask('How long can an albatross glide? (hanging primary)');
    expect(member(result, 'Answer').meta.provider).toBe('anthropic');
    expect(ms).toBeLessThan(DEADLINE_MS + LATENCY_MARGIN_MS);
  });
});

describe('every target faulty: the extractive floor answers with the reason', () => {
  const FLOOR_CASES: { name: string; fault: Fault; reason: string }[] = [
    { name: 'every target hangs', fault: { kind: 'hang' }, reason: 'PROVIDER_TIMEOUT' },
    { name: 'every target answers 503', fault: { kind: 'status', status: 503 }, reason: 'PROVIDER_ERROR' },
    {
      name: 'every target answers 429 with a retry-after longer than the deadline',
      fault: { kind: 'status', status: 429, retryAfterSeconds: 30 },
      reason: 'RATE_LIMITED',
    },
  ];

  it.each(FLOOR_CASES)('ask: $name -> DegradedAnswer $reason', async ({ name, fault, reason }) => {
    openai().faults.always(fault);
    anthropic().faults.always(fault);
    const { value: result, ms } = await ask(`What do albatrosses feed on? (${name})`);
    expect(result).toMatchObject({
      __typename: 'DegradedAnswer',
      reason,
      meta: { provider: null, model: null, cached: false },
    });
    const { passages } = member(result, 'DegradedAnswer');
    expect(passages.length).toBeGreaterThan(0);
    expect(passages[0]?.documentId).toBe(DOCUMENT.id);
    expectPrimaryFaulted(fault);
    // Both targets were tried before the floor answered.
    expect(anthropic().requestCount('/v1/messages')).toBeGreaterThanOrEqual(1);
    expect(ms).toBeLessThan(DEADLINE_MS + LATENCY_MARGIN_MS);
  });

  it.each(FLOOR_CASES)('summarize: $name -> DegradedSummary $reason', async ({ name, fault, reason }) => {
    openai().faults.always(fault);
    anthropic().faults.always(fault);
    const input = textToSummarize(`floor-${name}`);
    const { value: result, ms } = await summarize(input);
    expect(result).toMatchObject({
      __typename: 'DegradedSummary',
      reason,
      meta: { provider: null, model: null, cached: false },
    });
    // Extractive: the summary is made of the input's own sentences.
    const sentences = member(result, 'DegradedSummary')
      .text.split(/(?<=\.)\s+/)
      .filter((sentence) => sentence.length > 0);
    expect(sentences.length).toBeGreaterThan(0);
    for (const sentence of sentences) expect(input).toContain(sentence);
    expectPrimaryFaulted(fault);
    expect(anthropic().requestCount('/v1/messages')).toBeGreaterThanOrEqual(1);
    expect(ms).toBeLessThan(DEADLINE_MS + LATENCY_MARGIN_MS);
  });
});
