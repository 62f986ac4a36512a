// PII kept from providers by tenant policy (guardrails.redactBeforeProvider), through GraphQL against the fake
// OpenAI server, which records every request body: with the policy, no chat or embeddings request carries an
// email, phone number, card, IBAN, IP address or API key of the ingested documents or the question, only
// typed placeholders; the model echoes placeholders and the Answer (queried, streamed, cached) and the
// Summary show the original values. A tenant without the policy sends them as they are.
import { randomBytes } from 'node:crypto';
import type { ChatRequest } from '../support/providers';
import { startHarness } from '../support/harness';
import { capturingLogger } from '../support/logs';
import type { Harness, TenantClient } from '../support/harness';
import { passagesOf } from '../support/prompt-echo';
import { deltaText, member } from '../support/results';
import type { AskStreamEvent } from '../support/results';
import { requirePostgres } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

const CHAT = '/v1/chat/completions';
const EMBEDDINGS = '/v1/embeddings';
const run = randomBytes(4).toString('hex');
const PLAIN_TENANT = `pii-plain-${run}`;

// Each value passes its detector's check: the card's Luhn digit, the IBAN's mod-97.
const PII = {
  email: 'dana.whitfield@harbourfreight.example',
  phone: '+44 20 7946 0958',
  card: '4111 1111 1111 1111',
  iban: 'GB82 WEST 1234 5698 7654 32',
  ip: '203.0.113.42',
  secret: 'sk-proj-Q7r2Lm9Xa4Vb8Nc3Kd6Tf1Hg5',
} as const;
const VALUES = Object.values(PII);

const DOCS = [
  {
    id: 'contacts',
    title: 'Quokka crate contacts',
    body: `Quokka crate claims go to ${PII.email} or to the desk on ${PII.phone} during harbour hours.`,
  },
  {
    id: 'payments',
    title: 'Quokka crate payments',
    body: `Quokka crate fees are paid by card ${PII.card} or by transfer to ${PII.iban} each month.`,
  },
  {
    id: 'uploads',
    title: 'Quokka crate uploads',
    body: `The quokka crate ledger uploads to ${PII.ip} with the key ${PII.secret} every night.`,
  },
];
// The question repeats the document's email: one placeholder for one value across question and passages.
const QUESTION = `Who handles quokka crate claims, fees and uploads for ${PII.email}?`;
const SUMMARY_SOURCE = `Refunds for the quokka crates went to ${PII.iban}; write to ${PII.email} or call ${PII.phone}.`;

const userMessage = (request: ChatRequest): string =>
  [...request.messages].reverse().find((message) => message.role === 'user')?.content ?? '';

/**
 * The model: an answer repeats every passage it was given, cited (so it echoes their placeholders); a summary
 * repeats its text. Streamed, each placeholder is written padded (`⟦ EMAIL_1⟧`), as models sometimes do,
 * which the fake's word-by-word deltas cut in two: `⟦ ` in one delta, `EMAIL_1⟧` in the next.
 */
function responder(request: ChatRequest): string {
  const user = userMessage(request);
  const text = user.includes('<<<TEXT')
    ? user.slice(user.indexOf('<<<TEXT') + 7, user.indexOf('TEXT>>>')).trim()
    : passagesOf(user)
        .map((passage) => `${passage.content} [${passage.n}]`)
        .join(' ');
  return request.stream ? text.replace(/⟦/g, '⟦ ') : text;
}

/** Every request body the fake received, as the JSON text that went over the wire. */
function sentBodies(harness: Harness, path?: string): string[] {
  return harness.providers.openai.requests
    .filter((request) => path === undefined || request.path === path)
    .map((request) => JSON.stringify(request.body));
}

/** The values found in `body`, as written or with separators and spaces taken out. */
function leakedValues(body: string): string[] {
  const compactBody = body.replace(/[\s-]/g, '');
  return VALUES.filter((value) => body.includes(value) || compactBody.includes(value.replace(/[\s-]/g, '')));
}

const PLACEHOLDER = /⟦[A-Z_]+_\d+⟧/g;

describe('PII kept from providers by tenant policy', () => {
  let harness: Harness;
  const logs = capturingLogger('debug');
  let tenantNumber = 0;
  const redactingTenant = (): TenantClient => harness.as(`pii-${run}-${(tenantNumber += 1)}`);

  beforeAll(async () => {
    harness = await startHarness({
      store: 'pglite',
      providers: ['openai'],
      responder,
      logger: logs.logger,
      env: {
        EMBED_SWEEP_INTERVAL_MS: '0',
        TENANT_POLICIES_JSON: JSON.stringify({
          default: { guardrails: { redactBeforeProvider: true } },
          tenants: { [PLAIN_TENANT]: { guardrails: { redactBeforeProvider: false } } },
        }),
      },
    });
  });

  afterEach(() => harness.providers.reset());
  afterAll(() => harness?.stop());

  const ingestAll = async (client: TenantClient): Promise<void> => {
    for (const doc of DOCS) expect(await client.ingest(doc)).toMatchObject({ embedded: true });
  };

  /** The cited answer the responder builds, restored: each document's body, in the order it was given. */
  const expectEveryValueIn = (text: string): void => {
    for (const value of VALUES) expect(text).toContain(value);
    expect(text).not.toMatch(PLACEHOLDER);
  };

  const redactionsFixed = async (): Promise<number> =>
    (await harness.metrics()).value('ai_guardrail_outcomes_total', { rail: 'redaction', outcome: 'fixed' });

  it('sends placeholders only, in chat and embeddings requests, and restores them in the Answer', async () => {
    const client = redactingTenant();
    const fixedBefore = await redactionsFixed();
    await ingestAll(client);
    const answer = member(await client.ask({ question: QUESTION, limit: 5 }), 'Answer');

    expect(harness.providers.requestCount(CHAT)).toBe(1);
    expect(harness.providers.requestCount(EMBEDDINGS)).toBe(DOCS.length + 1);
    for (const body of sentBodies(harness)) expect(leakedValues(body)).toEqual([]);
    const [prompt] = harness.providers.openai.requests
      .filter((request) => request.path === CHAT)
      .map((request) => JSON.stringify(request.body));
    // Every kind reached the model as its placeholder, and the question's email is the passage's one.
    for (const kind of ['EMAIL', 'PHONE', 'CARD', 'IBAN', 'IP', 'SECRET'])
      expect(prompt).toContain(`⟦${kind}_1⟧`);
    expect(prompt).not.toContain('⟦EMAIL_2⟧');
    expect(prompt).toContain('fees and uploads for ⟦EMAIL_1⟧?');
    const embedded = sentBodies(harness, EMBEDDINGS).join('\n');
    expect(embedded).toContain('Quokka crate claims go to ⟦EMAIL_1⟧ or to the desk on ⟦PHONE_1⟧');

    expectEveryValueIn(answer.text);
    expect(answer.citations).toHaveLength(DOCS.length);
    // One redaction per document embedded, one for the question's embedding, one for the completion.
    expect((await redactionsFixed()) - fixedBefore).toBe(DOCS.length + 2);
    // The gateway's `model answered` line (at debug) says what was replaced, by kind, never the values.
    const answered = logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(answered).toContainEqual(
      expect.objectContaining({
        task: 'answer',
        redacted: { EMAIL: 2, PHONE: 1, CARD: 1, IBAN: 1, IP: 1, SECRET: 1 },
      }),
    );
    for (const line of logs.lines) expect(leakedValues(line)).toEqual([]);
  });

  it('serves a cached answer with the original values, without another provider call', async () => {
    const client = redactingTenant();
    await ingestAll(client);
    const first = member(await client.ask({ question: QUESTION, limit: 5 }), 'Answer');
    expect(first.meta.cached).toBe(false);
    const chats = harness.providers.requestCount(CHAT);

    const second = member(await client.ask({ question: QUESTION, limit: 5 }), 'Answer');
    expect(second.meta.cached).toBe(true);
    expect(harness.providers.requestCount(CHAT)).toBe(chats);
    expect(second.text).toBe(first.text);
    expectEveryValueIn(second.text);
  });

  it('restores a streamed answer whose placeholders arrive cut across two deltas', async () => {
    const client = redactingTenant();
    await ingestAll(client);
    const events: AskStreamEvent[] = await client.askStream({ question: QUESTION, limit: 5 });

    for (const body of sentBodies(harness)) expect(leakedValues(body)).toEqual([]);
    const deltas = events.filter((event) => event.__typename === 'AnswerDelta');
    for (const event of deltas) expect(event.text).not.toContain('⟦');
    expectEveryValueIn(deltaText(events));
    const completed = events.at(-1);
    if (completed?.__typename !== 'AskCompleted') throw new Error('the stream did not complete');
    const answer = member(completed.result, 'Answer');
    expectEveryValueIn(answer.text);
    expect(deltaText(events)).toContain(
      `Quokka crate claims go to ${PII.email} or to the desk on ${PII.phone}`,
    );
  });

  it('summarizes a given text with placeholders sent and the values in the Summary', async () => {
    const client = redactingTenant();
    const summary = member(await client.summarize({ text: SUMMARY_SOURCE, maxWords: 80 }), 'Summary');

    const [body] = sentBodies(harness, CHAT);
    expect(leakedValues(body ?? '')).toEqual([]);
    expect(body).toContain('went to ⟦IBAN_1⟧; write to ⟦EMAIL_1⟧ or call ⟦PHONE_1⟧.');
    expect(summary.text).toBe(SUMMARY_SOURCE);
  });

  it('sends the values as they are for a tenant whose policy does not redact', async () => {
    const client = harness.as(PLAIN_TENANT);
    await ingestAll(client);
    const answer = member(await client.ask({ question: QUESTION, limit: 5 }), 'Answer');

    const leaked = new Set(sentBodies(harness).flatMap(leakedValues));
    expect([...leaked].sort()).toEqual([...VALUES].sort());
    for (const body of sentBodies(harness)) expect(body).not.toMatch(PLACEHOLDER);
    expectEveryValueIn(answer.text);
  });
});
