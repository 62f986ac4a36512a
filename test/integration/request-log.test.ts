// One log line per feature request (issue 12): request id, trace id, tenant, feature, outcome, reason, the
// time of each stage, the model, its tokens and the cost, over HTTP and over graphql-ws alike (a stream's
// stages run in an async generator that graphql-ws drives, and still reach its line). Tenant text never
// does: with personal data and secrets in every input, at level info, no line the subgraph wrote holds any
// of them, nor anything the suite's log check (log-leaks.ts) would find.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { findLeaks } from '../support/log-leaks';
import { capturingLogger } from '../support/logs';
import { member } from '../support/results';
import { requirePostgres } from '../support/services';
import { waitUntil } from '../support/wait-for';
import { openWsConnection } from '../support/ws-client';

requirePostgres();

const ANSWER = 'Every quokka crate is weighed twice before the marmalade leaves the harbour [1].';
const SUMMARY = 'The ledger says every quokka crate is weighed twice.';
// Personal data and secrets a tenant might send: none may reach a log line.
const EMAIL = 'jane.roe@example.com';
const CARD = '4111 1111 1111 1111';
const PHONE = '+44 20 7946 0958';
const KEY = 'sk-proj-Zq3vX9tLm2Rw8Yp4Kd7Hs1Nb6Fc0';
const SENSITIVE = `Contact ${EMAIL} or ${PHONE}; card ${CARD}; key ${KEY}.`;
const DOCUMENT = {
  id: 'harbour',
  title: 'Harbour ledger',
  body: `Every quokka crate is weighed twice before the marmalade leaves the harbour warehouse. ${SENSITIVE}`,
};
const QUESTION = `How is each quokka crate weighed? ${SENSITIVE}`;

const run = randomBytes(4).toString('hex');
const TENANT = `log-line-${run}`;
const REDACTING = `log-redacting-${run}`;

interface RequestLine {
  msg: string;
  requestId: string;
  traceId: string | null;
  tenant: string;
  feature: string;
  outcome: string;
  reason: string;
  latencyMs: number;
  stagesMs: Record<string, number>;
  provider: string | null;
  model: string | null;
  promptVersion: string | null;
  cached: boolean;
  tokens: { input: number; output: number } | null;
  costUsd: number;
  rails?: Record<string, string>;
}

const { logger, lines } = capturingLogger('info');
let harness: Harness;

/** The request lines logged so far, after a turn of the event loop so that pino has written them. */
async function requestLines(): Promise<RequestLine[]> {
  await new Promise((resolve) => setImmediate(resolve));
  return lines
    .map((line) => JSON.parse(line) as RequestLine)
    .filter((line) => line.msg === 'feature served' || line.msg === 'stream abandoned by the client');
}

/** The one request line `action` logs: a stream's may come a moment after its client is done. */
async function nextLine(action: () => Promise<unknown>): Promise<RequestLine> {
  const before = (await requestLines()).length;
  await action();
  for (let tries = 0; tries < 100 && (await requestLines()).length === before; tries++) await sleep(20);
  const after = await requestLines();
  expect(after).toHaveLength(before + 1);
  return after[before] as RequestLine;
}

beforeAll(async () => {
  harness = await startHarness({
    providers: ['openai'],
    responder: (request) =>
      request.messages.some((message) => message.content.includes('Question:')) ? ANSWER : SUMMARY,
    logger,
    env: {
      CACHE_TTL_ANSWER_SECONDS: '0',
      TENANT_POLICIES_JSON: JSON.stringify({
        tenants: { [REDACTING]: { guardrails: { redactBeforeProvider: true } } },
      }),
    },
  });
  for (const tenant of [TENANT, REDACTING]) await harness.as(tenant).ingest(DOCUMENT);
});

afterAll(() => harness?.stop());

const MODEL_LINE = {
  requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown as string,
  tenant: TENANT,
  provider: 'openai',
  cached: false,
};

function expectTraceId(line: RequestLine): void {
  // Null here (no trace came with the request); a trace's id where one did.
  if (line.traceId !== null) expect(line.traceId).toMatch(/^[0-9a-f]{32}$/);
}

it('ask over HTTP: one line with its stages, model, tokens and cost', async () => {
  let answer: { meta: { costUsd: number; promptVersion: string | null } } | undefined;
  const line = await nextLine(async () => {
    answer = member(await harness.as(TENANT).ask(QUESTION), 'Answer');
  });
  expect(line).toMatchObject({
    ...MODEL_LINE,
    feature: 'ask',
    outcome: 'full',
    reason: 'none',
    promptVersion: answer?.meta.promptVersion,
    costUsd: answer?.meta.costUsd,
    rails: expect.objectContaining({ input: 'pass', grounding: 'pass' }) as unknown,
  });
  expectTraceId(line);
  expect(Object.keys(line.stagesMs)).toEqual(['retrieval.lexical', 'model.answer']);
  expect(line.stagesMs['model.answer']).toBeGreaterThan(0);
  expect(line.tokens?.input).toBeGreaterThan(0);
  expect(line.tokens?.output).toBeGreaterThan(0);
  expect(line.costUsd).toBeGreaterThan(0);
});

it('askStream over graphql-ws: the same line, its stages included', async () => {
  const line = await nextLine(async () => {
    const events = await harness.as(TENANT).askStream(QUESTION);
    expect(events.at(-1)?.__typename).toBe('AskCompleted');
  });
  expect(line).toMatchObject({ ...MODEL_LINE, feature: 'ask', outcome: 'full', reason: 'none' });
  expectTraceId(line);
  expect(Object.keys(line.stagesMs)).toEqual(['retrieval.lexical', 'model.answer']);
  expect(line.tokens?.output).toBeGreaterThan(0);
});

it('summarize, then the same from the cache: no tokens and no cost the second time', async () => {
  const first = await nextLine(() => harness.as(TENANT).summarize({ text: SENSITIVE }));
  expect(first).toMatchObject({ ...MODEL_LINE, feature: 'summarize', outcome: 'full', cached: false });
  expect(first.tokens).not.toBeNull();
  const cached = await nextLine(() => harness.as(TENANT).summarize({ text: SENSITIVE }));
  expect(cached).toMatchObject({ feature: 'summarize', cached: true, tokens: null, costUsd: 0 });
  expect(Object.keys(cached.stagesMs)).toEqual(['model.summarize']);
});

it('a stream the client leaves: its line says abandoned, with the stages it ran', async () => {
  harness.providers.openai.faults.always({ kind: 'slow-drip', delayMs: 500 });
  const connection = openWsConnection(harness.wsUrl, {
    authorization: `Bearer ${await harness.token(TENANT)}`,
  });
  try {
    const line = await nextLine(async () => {
      const stream = connection.start(
        'subscription ($input: AskInput!) { askStream(input: $input) { __typename } }',
        { input: { question: `${QUESTION} Again?` } },
      );
      await waitUntil(() => stream.results.length > 0, 5_000, 'a first delta');
      stream.stop();
    });
    expect(line).toMatchObject({
      msg: 'stream abandoned by the client',
      feature: 'ask',
      outcome: 'abandoned',
    });
    expect(Object.keys(line.stagesMs)).toEqual(['retrieval.lexical', 'model.answer']);
  } finally {
    harness.providers.openai.faults.clear();
    await connection.dispose();
  }
});

it('no line holds the tenant’s text, personal data or secrets, with redaction before the provider or without', async () => {
  member(await harness.as(REDACTING).ask(QUESTION), 'Answer');
  await harness.as(REDACTING).summarize({ text: `${SENSITIVE} Summarize it.` });
  await harness.as(REDACTING).search(QUESTION);
  // A bad token: refused, and logged (if at all) without it.
  const response = await fetch(harness.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}.not-a-jwt` },
    body: JSON.stringify({ query: '{ usage { tenantId } }' }),
  });
  expect(response.status).toBe(401);
  await new Promise((resolve) => setImmediate(resolve));

  expect(lines.length).toBeGreaterThan(10);
  for (const line of lines) {
    for (const secret of [EMAIL, CARD, PHONE, KEY, 'quokka', 'marmalade', 'Harbour ledger'])
      expect(line).not.toContain(secret);
  }
  expect(findLeaks(lines.join(''))).toEqual([]);
});
