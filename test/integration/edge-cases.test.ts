// Edge cases locked in after the code review: a deleted and re-created document never gets the old one's
// cached summary or answer, tenants named after Object.prototype members are ordinary tenants, a bad
// askStream input ends in BAD_USER_INPUT naming the field, the alias limit refuses an operation before any
// resolver runs, /metrics carries cost by feature with no tenant label, and answer markers are renumbered
// to citation order.
import { randomBytes } from 'node:crypto';
import { startFakeAnthropic, startFakeOpenAI } from '../support/providers';
import type { ChatRequest, FakeProviderServer } from '../support/providers';
import { gql, startTestSubgraph } from '../support/subgraph';
import type { GraphQLResponse, TestSubgraph } from '../support/subgraph';
import { tokenFor } from '../support/tokens';
import { subscribeOnce } from '../support/ws-client';

const CHAT = '/v1/chat/completions';
const MESSAGES = '/v1/messages';
const RESTRICTED_TENANT = 'anthropic-only';
const PROTOTYPE_TENANTS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];

const INGEST = `mutation($input: IngestDocumentInput!) { ingestDocument(input: $input) { documentId chunks } }`;
const DELETE = `mutation($id: ID!) { deleteDocument(id: $id) }`;
const META = 'meta { provider model cached costUsd }';
const SUMMARIZE = `query($id: ID!) {
  summarize(input: { documentId: $id }) {
    __typename
    ... on Summary { text ${META} }
    ... on DegradedSummary { text reason }
    ... on AIUnavailable { reason message }
  }
}`;
const ASK = `query($q: String!) {
  ask(input: { question: $q }) {
    __typename
    ... on Answer { text citations { documentId chunkId title } ${META} }
    ... on DegradedAnswer { reason }
    ... on AIUnavailable { reason message }
  }
}`;
const ASK_STREAM = `subscription($q: String!) {
  askStream(input: { question: $q }) {
    __typename
    ... on AnswerDelta { text }
    ... on AskCompleted { result { __typename } }
  }
}`;
const USAGE = `{ usage { tenantId requestsToday byFeature { feature requests } } }`;

interface Meta {
  provider: string | null;
  model: string | null;
  cached: boolean;
  costUsd: number;
}
interface Citation {
  documentId: string;
  chunkId: string;
  title: string;
}
interface SummarizeData {
  summarize: { __typename: string; text?: string; meta?: Meta; reason?: string };
}
interface AskData {
  ask: { __typename: string; text?: string; citations?: Citation[]; meta?: Meta; reason?: string };
}
interface UsageData {
  usage: { tenantId: string; requestsToday: number; byFeature: { feature: string; requests: number }[] };
}

const between = (text: string, start: string, end: string): string => {
  const from = text.indexOf(start);
  const to = text.indexOf(end, from + start.length);
  return from < 0 || to < 0 ? '' : text.slice(from + start.length, to).trim();
};

/** The numbered passages of an answer prompt: `[n] (title) content` lines. */
function passagesOf(prompt: string): { n: number; title: string; content: string }[] {
  return [...prompt.matchAll(/^\[(\d+)\] \((.*?)\) (.*)$/gm)].map((m) => ({
    n: Number(m[1]),
    title: m[2] ?? '',
    content: m[3] ?? '',
  }));
}

// Summaries echo the text between the prompt's markers; answers echo passage [1] and cite it, unless a
// test sets a fixed answer. The last answer prompt is kept so a test can see how passages were numbered.
let fixedAnswer: string | null = null;
let lastAnswerPrompt = '';
function responder(request: ChatRequest): string {
  const user = [...request.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
  if (user.includes('<<<TEXT')) return `Summary: ${between(user, '<<<TEXT', 'TEXT>>>').replace(/\s+/g, ' ')}`;
  lastAnswerPrompt = user;
  if (fixedAnswer !== null) return fixedAnswer;
  return `${passagesOf(user)[0]?.content ?? 'nothing'} [1]`;
}

let openai: FakeProviderServer;
let anthropic: FakeProviderServer;
let subgraph: TestSubgraph;

const unique = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

async function call<Data>(
  tenant: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResponse<Data>> {
  return gql<Data>(subgraph.url, query, { token: await tokenFor(tenant), variables });
}

async function ingest(tenant: string, id: string, title: string, body: string): Promise<void> {
  const response = await call(tenant, INGEST, { input: { id, title, body } });
  expect(response.body.errors).toBeUndefined();
}

async function summarize(tenant: string, id: string): Promise<SummarizeData['summarize']> {
  const response = await call<SummarizeData>(tenant, SUMMARIZE, { id });
  expect(response.body.errors).toBeUndefined();
  return response.body.data!.summarize;
}

async function ask(tenant: string, question: string): Promise<AskData['ask']> {
  const response = await call<AskData>(tenant, ASK, { q: question });
  expect(response.body.errors).toBeUndefined();
  return response.body.data!.ask;
}

beforeAll(async () => {
  openai = await startFakeOpenAI({ responder });
  anthropic = await startFakeAnthropic({ responder });
  subgraph = await startTestSubgraph({
    OPENAI_API_KEY: 'k',
    OPENAI_BASE_URL: openai.baseURL,
    ANTHROPIC_API_KEY: 'k',
    ANTHROPIC_BASE_URL: anthropic.baseURL,
    DEADLINE_MS: '3000',
    ATTEMPT_TIMEOUT_MS: '1500',
    RETRY_BASE_DELAY_MS: '10',
    // A policy for another tenant: a tenant named like an Object.prototype member must not find one.
    TENANT_POLICIES_JSON: JSON.stringify({
      tenants: { [RESTRICTED_TENANT]: { allowedProviders: ['anthropic'] } },
    }),
  });
});

afterAll(async () => {
  await subgraph?.stop();
  await openai?.close();
  await anthropic?.close();
});

beforeEach(() => {
  fixedAnswer = null;
});

describe('a document deleted and re-created under the same id', () => {
  it('gets a fresh summary and answer from the model, never the deleted document’s cached ones', async () => {
    const tenant = unique('reborn');
    const question = 'orchard fruit ledger';
    await ingest(
      tenant,
      'd1',
      'Orchard ledger',
      'The orchard fruit ledger lists crisp apples picked in autumn.',
    );

    const first = await summarize(tenant, 'd1');
    expect(first.__typename).toBe('Summary');
    expect(first.text).toContain('apples');
    expect(first.meta?.cached).toBe(false);
    const firstAnswer = await ask(tenant, question);
    expect(firstAnswer.__typename).toBe('Answer');
    expect(firstAnswer.text).toContain('apples');
    expect(firstAnswer.meta?.cached).toBe(false);
    // Asked again unchanged, both come from the cache: the misses below are the re-creation's doing.
    expect((await summarize(tenant, 'd1')).meta?.cached).toBe(true);
    expect((await ask(tenant, question)).meta?.cached).toBe(true);
    const callsBefore = openai.requestCount(CHAT);

    const deleted = await call<{ deleteDocument: boolean }>(tenant, DELETE, { id: 'd1' });
    expect(deleted.body.data?.deleteDocument).toBe(true);
    await ingest(
      tenant,
      'd1',
      'Orchard ledger',
      'The orchard fruit ledger lists ripe bananas shipped in spring.',
    );

    const second = await summarize(tenant, 'd1');
    expect(second.__typename).toBe('Summary');
    expect(second.meta?.cached).toBe(false);
    expect(second.text).toContain('bananas');
    expect(second.text).not.toContain('apples');
    expect(openai.requestCount(CHAT)).toBe(callsBefore + 1);

    const secondAnswer = await ask(tenant, question);
    expect(secondAnswer.__typename).toBe('Answer');
    expect(secondAnswer.meta?.cached).toBe(false);
    expect(secondAnswer.text).toContain('bananas');
    expect(secondAnswer.text).not.toContain('apples');
    expect(secondAnswer.citations?.map((c) => c.documentId)).toEqual(['d1']);
    expect(openai.requestCount(CHAT)).toBe(callsBefore + 2);
  });
});

describe('tenants named after Object.prototype members, with a tenant policy for another tenant', () => {
  it('the policy is in force for the tenant it names', async () => {
    await ingest(
      RESTRICTED_TENANT,
      'p1',
      'Policy note',
      'The policy note covers cobalt invoices for the depot.',
    );
    const anthropicCalls = anthropic.requestCount(MESSAGES);
    const summary = await summarize(RESTRICTED_TENANT, 'p1');
    expect(summary.__typename).toBe('Summary');
    expect(summary.meta?.provider).toBe('anthropic');
    expect(anthropic.requestCount(MESSAGES)).toBe(anthropicCalls + 1);
  });

  it.each(PROTOTYPE_TENANTS)(
    'tenant `%s` gets model summaries and answers from the default chain, with no GraphQL error',
    async (tenant) => {
      await ingest(tenant, 'doc', 'Cobalt note', `The cobalt invoices of ${tenant} are filed every Tuesday.`);
      const summary = await summarize(tenant, 'doc');
      expect(summary).toMatchObject({ __typename: 'Summary', meta: { provider: 'openai', cached: false } });
      expect(summary.text).toContain(`cobalt invoices of ${tenant}`);

      const answer = await ask(tenant, 'cobalt invoices filed');
      expect(answer).toMatchObject({ __typename: 'Answer', meta: { provider: 'openai' } });
      expect(answer.text).toContain(`cobalt invoices of ${tenant}`);
      expect(answer.citations?.map((c) => c.documentId)).toEqual(['doc']);

      const usage = await call<UsageData>(tenant, USAGE);
      expect(usage.body.errors).toBeUndefined();
      expect(usage.body.data?.usage.tenantId).toBe(tenant);
      expect(usage.body.data?.usage.requestsToday).toBe(2);
    },
  );
});

describe('askStream with bad input over graphql-ws', () => {
  it.each(['', '   '])(
    'question %j ends the subscription with BAD_USER_INPUT naming input.question',
    async (question) => {
      const chatCalls = openai.requestCount(CHAT);
      const outcome = await subscribeOnce(subgraph.wsUrl, ASK_STREAM, {
        connectionParams: { authorization: `Bearer ${await tokenFor(unique('ws-bad'))}` },
        variables: { q: question },
      });
      expect(outcome.kind).toBe('results');
      if (outcome.kind !== 'results') return;
      const errors = outcome.results.flatMap((result) => result.errors ?? []);
      expect(errors).toHaveLength(1);
      expect(errors[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.question' });
      expect(errors[0]?.message).toMatch(/^input\.question: /);
      expect(outcome.results.some((result) => result.data)).toBe(false);
      expect(openai.requestCount(CHAT)).toBe(chatCalls);
    },
  );
});

describe('the alias limit (MAX_QUERY_ALIASES, default 10)', () => {
  const aliased = (count: number): string =>
    `{ ${Array.from({ length: count }, (_, i) => `s${i}: search(input: { query: "cobalt ${i}" }) { __typename }`).join(' ')} }`;

  it('refuses 11 aliased fields with HTTP 400 GRAPHQL_VALIDATION_FAILED before any resolver runs', async () => {
    const tenant = unique('aliases');
    const providerCalls = openai.requestCount() + anthropic.requestCount();
    const response = await call(tenant, aliased(11));
    expect(response.status).toBe(400);
    expect(response.body.data).toBeUndefined();
    expect(response.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.body.errors?.[0]?.message).toMatch(/alias/i);
    expect(openai.requestCount() + anthropic.requestCount()).toBe(providerCalls);

    const usage = await call<UsageData>(tenant, USAGE);
    expect(usage.body.data?.usage).toMatchObject({ tenantId: tenant, requestsToday: 0, byFeature: [] });
  });

  it('accepts 10 aliased fields, and each is a counted search', async () => {
    const tenant = unique('aliases');
    const response = await call<Record<string, { __typename: string }>>(tenant, aliased(10));
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect(Object.keys(response.body.data ?? {})).toHaveLength(10);
    for (const result of Object.values(response.body.data ?? {}))
      expect(['SearchResults', 'DegradedSearchResults']).toContain(result.__typename);

    const usage = await call<UsageData>(tenant, USAGE);
    expect(usage.body.data?.usage.requestsToday).toBe(10);
    expect(usage.body.data?.usage.byFeature).toEqual([{ feature: 'search', requests: 10 }]);
  });
});

describe('/metrics', () => {
  it('exposes ai_cost_usd_total by feature only, with no tenant label', async () => {
    const tenant = unique('metrics-tenant');
    await ingest(tenant, 'm1', 'Cost memo', 'The cost memo prices zinc pallets for the warehouse.');
    const answer = await ask(tenant, 'zinc pallets price');
    expect(answer.__typename).toBe('Answer');
    expect(answer.meta?.costUsd).toBeGreaterThan(0);

    const response = await fetch(new URL('/metrics', subgraph.url));
    expect(response.status).toBe(200);
    const text = await response.text();
    const samples = text.split('\n').filter((line) => line.startsWith('ai_cost_usd_total'));
    expect(samples.length).toBeGreaterThan(0);
    for (const sample of samples) expect(sample).toMatch(/^ai_cost_usd_total\{feature="[a-z]+"\} \S+$/);
    const askSample = samples.find((sample) => sample.startsWith('ai_cost_usd_total{feature="ask"}'));
    expect(Number(askSample?.split(' ')[1])).toBeGreaterThan(0);
    expect(text).not.toMatch(/tenant="/);
    expect(text).not.toContain(tenant);
  });
});

describe('answer citation markers', () => {
  it('are renumbered to citation order: the first passage cited becomes [1] and citations[0]', async () => {
    const tenant = unique('cite');
    await ingest(tenant, 'doc-a', 'Alpha depot', 'The alpha depot holds granite blocks for the quarry.');
    await ingest(tenant, 'doc-b', 'Beta depot', 'The beta depot holds granite blocks for the harbour.');
    fixedAnswer = 'B holds [2]. A holds [1].';

    const answer = await ask(tenant, 'depot granite blocks');
    const numbered = passagesOf(lastAnswerPrompt);
    expect(numbered.map((p) => p.n)).toEqual([1, 2]);
    const documentOf: Record<string, string> = { 'Alpha depot': 'doc-a', 'Beta depot': 'doc-b' };

    expect(answer.__typename).toBe('Answer');
    expect(answer.text).toBe('B holds [1]. A holds [2].');
    expect(answer.citations?.map((c) => c.title)).toEqual([numbered[1]?.title, numbered[0]?.title]);
    expect(answer.citations?.map((c) => c.documentId)).toEqual([
      documentOf[numbered[1]?.title ?? ''],
      documentOf[numbered[0]?.title ?? ''],
    ]);
  });
});
