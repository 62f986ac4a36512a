// The completion cache through GraphQL, against fake providers, once with the memory cache and once with
// Redis: tenants never share entries, a re-ingested document changes the key of what was built on it,
// identical concurrent requests make one provider call, and a stale entry serves (within the grace) when
// every target fails.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { startFakeAnthropic, startFakeOpenAI } from '../support/providers';
import type { ChatRequest, FakeProviderServer } from '../support/providers';
import { dropPostgresSchema, POSTGRES_URL, uniqueSchemaName } from '../support/stores';
import { gql, startTestSubgraph } from '../support/subgraph';
import type { TestSubgraph } from '../support/subgraph';
import { tokenFor } from '../support/tokens';

const REDIS_URL = 'redis://127.0.0.1:6379';
const CHAT = '/v1/chat/completions';
const MESSAGES = '/v1/messages';

const INGEST = `mutation($input: IngestDocumentInput!) { ingestDocument(input: $input) { documentId chunks } }`;
const ASK = `query($q: String!) {
  ask(input: { question: $q }) {
    __typename
    ... on Answer {
      text
      citations { documentId chunkId }
      meta { provider model promptVersion cached costUsd }
    }
    ... on DegradedAnswer { reason passages { documentId } meta { provider cached costUsd } }
    ... on AIUnavailable { reason message }
  }
}`;
const SUMMARIZE = `query($id: ID!) {
  summarize(input: { documentId: $id }) {
    __typename
    ... on Summary { text meta { provider model promptVersion cached costUsd } }
    ... on DegradedSummary { text reason }
    ... on AIUnavailable { reason message }
  }
}`;

interface Meta {
  provider: string | null;
  model: string | null;
  promptVersion: string | null;
  cached: boolean;
  costUsd: number;
}
interface AskResult {
  __typename: string;
  text?: string;
  citations?: { documentId: string; chunkId: string }[];
  passages?: { documentId: string }[];
  reason?: string;
  meta?: Meta;
}
interface SummaryResult {
  __typename: string;
  text?: string;
  reason?: string;
  meta?: Meta;
}

/** Answers from what the prompt holds: the vault code in the passages or text, so a new body shows. */
function responder(request: ChatRequest): string {
  const user = [...request.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
  const code = /CODE-[A-Z]+/.exec(user)?.[0] ?? 'no code';
  return user.includes('Question:')
    ? `The vault code is ${code} [1].`
    : `The document gives the code ${code}.`;
}

const vaultDoc = (code: string) => ({
  id: 'vault',
  title: 'Vault procedures',
  body: `The observatory vault code is ${code}. Staff rotate the vault code every quarter and log each rotation.`,
});

const run = randomBytes(4).toString('hex');

describe.each([
  ['memory', {}],
  ['redis', { REDIS_URL }],
] as const)('completion cache through GraphQL (%s)', (backend, backendEnv) => {
  let openai: FakeProviderServer;
  let anthropic: FakeProviderServer;
  let redis: Redis;
  const subgraphs: TestSubgraph[] = [];
  const schemas: string[] = [];
  const tenants: string[] = [];
  let tenantCount = 0;
  /** A tenant no earlier test has used, so no test sees another's documents or entries. */
  const newTenant = (): string => {
    const tenant = `cache-${backend}-${run}-${(tenantCount += 1)}`;
    tenants.push(tenant);
    return tenant;
  };

  const start = async (env: Record<string, string> = {}): Promise<TestSubgraph> => {
    // The documents live in the machine's PostgreSQL (a schema per subgraph): it starts in a fraction of
    // PGlite's time, and the cache under test does not depend on the store.
    const schema = uniqueSchemaName();
    schemas.push(schema);
    const subgraph = await startTestSubgraph({
      ...backendEnv,
      DATABASE_URL: POSTGRES_URL,
      DATABASE_SCHEMA: schema,
      OPENAI_API_KEY: 'k',
      OPENAI_BASE_URL: openai.baseURL,
      ANTHROPIC_API_KEY: 'k',
      ANTHROPIC_BASE_URL: anthropic.baseURL,
      DEADLINE_MS: '1500',
      ATTEMPT_TIMEOUT_MS: '400',
      RETRY_BASE_DELAY_MS: '10',
      RETRY_MAX_DELAY_MS: '20',
      CIRCUIT_CONSECUTIVE_FAILURES: '1000',
      CIRCUIT_FAILURE_RATE: '1',
      ...env,
    });
    subgraphs.push(subgraph);
    return subgraph;
  };

  const client = async (subgraph: TestSubgraph, tenant: string) => {
    const token = await tokenFor(tenant);
    return {
      ingest: async (input: { id: string; title: string; body: string }) => {
        const response = await gql(subgraph.url, INGEST, { token, variables: { input } });
        expect(response.body.errors).toBeUndefined();
      },
      ask: async (q: string): Promise<AskResult> => {
        const response = await gql<{ ask: AskResult }>(subgraph.url, ASK, { token, variables: { q } });
        expect(response.body.errors).toBeUndefined();
        return response.body.data?.ask ?? { __typename: 'missing' };
      },
      summarize: async (id: string): Promise<SummaryResult> => {
        const response = await gql<{ summarize: SummaryResult }>(subgraph.url, SUMMARIZE, {
          token,
          variables: { id },
        });
        expect(response.body.errors).toBeUndefined();
        return response.body.data?.summarize ?? { __typename: 'missing' };
      },
    };
  };

  const chatCalls = () => openai.requestCount(CHAT);
  const redisKeysOf = (tenant: string, kind = 'cache') => redis.keys(`ai:${kind}:{${tenant}}:*`);

  beforeAll(async () => {
    [openai, anthropic] = await Promise.all([
      startFakeOpenAI({ responder }),
      startFakeAnthropic({ responder }),
    ]);
    // Used in both runs: the Redis run must write its entries there, the memory run must not.
    redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    await redis.connect();
  });

  afterEach(() => {
    openai.faults.clear().setLatency(0);
    anthropic.faults.clear().setLatency(0);
  });

  afterAll(async () => {
    await Promise.allSettled(subgraphs.map((subgraph) => subgraph.stop()));
    await Promise.all(schemas.map((schema) => dropPostgresSchema(schema)));
    if (redis) {
      for (const tenant of tenants) {
        const keys = [...(await redisKeysOf(tenant)), ...(await redisKeysOf(tenant, 'usage'))];
        if (keys.length > 0) await redis.del(...keys);
      }
      await redis.quit();
    }
    await Promise.allSettled([openai?.close(), anthropic?.close()]);
  });

  describe('with the default TTLs', () => {
    let subgraph: TestSubgraph;

    beforeAll(async () => {
      subgraph = await start();
    });

    it('never shares an entry between two tenants asking the same question over the same documents', async () => {
      const [tenantA, tenantB] = [newTenant(), newTenant()];
      const [a, b] = await Promise.all([client(subgraph, tenantA), client(subgraph, tenantB)]);
      await a.ingest(vaultDoc('CODE-ALPHA'));
      await b.ingest(vaultDoc('CODE-ALPHA'));
      const question = 'What is the observatory vault code?';

      const before = chatCalls();
      const firstA = await a.ask(question);
      expect(firstA).toMatchObject({
        __typename: 'Answer',
        text: 'The vault code is CODE-ALPHA [1].',
        citations: [{ documentId: 'vault' }],
        meta: { provider: 'openai', model: 'gpt-4.1-mini', promptVersion: 'answer.v1', cached: false },
      });
      expect(firstA.meta?.costUsd).toBeGreaterThan(0);
      expect(chatCalls()).toBe(before + 1);

      // Same question, same document, another tenant: its own provider call, never A's entry.
      const firstB = await b.ask(question);
      expect(firstB).toMatchObject({ __typename: 'Answer', meta: { cached: false } });
      expect(firstB.meta?.costUsd).toBeGreaterThan(0);
      expect(chatCalls()).toBe(before + 2);

      for (const tenantClient of [a, b]) {
        const again = await tenantClient.ask(question);
        expect(again).toMatchObject({
          __typename: 'Answer',
          text: 'The vault code is CODE-ALPHA [1].',
          citations: [{ documentId: 'vault' }],
          meta: {
            provider: 'openai',
            model: 'gpt-4.1-mini',
            promptVersion: 'answer.v1',
            cached: true,
            costUsd: 0,
          },
        });
      }
      expect(chatCalls()).toBe(before + 2);
      expect(anthropic.requestCount(MESSAGES)).toBe(0);

      // Where the entries live: in Redis under each tenant's own hash tag, or nowhere in Redis.
      const [keysA, keysB] = await Promise.all([redisKeysOf(tenantA), redisKeysOf(tenantB)]);
      if (backend === 'redis') {
        expect(keysA).toHaveLength(1);
        expect(keysB).toHaveLength(1);
      } else {
        expect([...keysA, ...keysB]).toEqual([]);
      }
    });

    it('asks the provider again after the cited document is re-ingested, and returns the new answer', async () => {
      const tenant = await client(subgraph, newTenant());
      await tenant.ingest(vaultDoc('CODE-ALPHA'));
      const question = 'Which code opens the observatory vault?';

      const before = chatCalls();
      expect(await tenant.ask(question)).toMatchObject({
        text: 'The vault code is CODE-ALPHA [1].',
        meta: { cached: false },
      });
      expect(await tenant.ask(question)).toMatchObject({
        text: 'The vault code is CODE-ALPHA [1].',
        meta: { cached: true, costUsd: 0 },
      });
      expect(chatCalls()).toBe(before + 1);

      await tenant.ingest(vaultDoc('CODE-BRAVO'));
      const afterReingest = await tenant.ask(question);
      expect(afterReingest).toMatchObject({
        __typename: 'Answer',
        text: 'The vault code is CODE-BRAVO [1].',
        citations: [{ documentId: 'vault' }],
        meta: { cached: false },
      });
      expect(chatCalls()).toBe(before + 2);
      // And the new answer is now the cached one.
      expect(await tenant.ask(question)).toMatchObject({
        text: 'The vault code is CODE-BRAVO [1].',
        meta: { cached: true },
      });
      expect(chatCalls()).toBe(before + 2);
    });

    it('summarizes a re-ingested document anew instead of serving the old summary', async () => {
      const tenant = await client(subgraph, newTenant());
      await tenant.ingest(vaultDoc('CODE-ALPHA'));

      const before = chatCalls();
      expect(await tenant.summarize('vault')).toMatchObject({
        __typename: 'Summary',
        text: 'The document gives the code CODE-ALPHA.',
        meta: { provider: 'openai', promptVersion: 'summarize.v1', cached: false },
      });
      expect(await tenant.summarize('vault')).toMatchObject({
        __typename: 'Summary',
        text: 'The document gives the code CODE-ALPHA.',
        meta: { cached: true, costUsd: 0 },
      });
      expect(chatCalls()).toBe(before + 1);

      await tenant.ingest(vaultDoc('CODE-BRAVO'));
      expect(await tenant.summarize('vault')).toMatchObject({
        __typename: 'Summary',
        text: 'The document gives the code CODE-BRAVO.',
        meta: { cached: false },
      });
      expect(chatCalls()).toBe(before + 2);
    });

    it('makes one provider call for 10 identical concurrent requests and gives all 10 the answer', async () => {
      const tenant = await client(subgraph, newTenant());
      await tenant.ingest(vaultDoc('CODE-CHARLIE'));
      openai.faults.setLatency(100);

      const before = chatCalls();
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => tenant.ask('Tell me the observatory vault code')),
      );
      expect(chatCalls() - before).toBe(1);
      for (const answer of answers) {
        expect(answer).toMatchObject({
          __typename: 'Answer',
          text: 'The vault code is CODE-CHARLIE [1].',
          citations: [{ documentId: 'vault' }],
          meta: { provider: 'openai' },
        });
      }
      // One request paid for the call; the others shared it and are charged nothing.
      const paid = answers.filter((answer) => answer.meta?.cached === false);
      expect(paid).toHaveLength(1);
      expect(paid[0]?.meta?.costUsd).toBeGreaterThan(0);
      expect(
        answers.filter((answer) => answer.meta?.cached === true && answer.meta.costUsd === 0),
      ).toHaveLength(9);
    });
  });

  describe('when every target fails after the answer TTL (1 s) has passed', () => {
    const question = 'What is the observatory vault code today?';

    const failEverything = () => {
      openai.faults.always({ kind: 'status', status: 503 });
      anthropic.faults.always({ kind: 'status', status: 503 });
    };

    it('serves the stale entry, marked cached, within the stale grace', async () => {
      const subgraph = await start({ CACHE_TTL_ANSWER_SECONDS: '1' });
      const tenant = await client(subgraph, newTenant());
      await tenant.ingest(vaultDoc('CODE-DELTA'));
      expect(await tenant.ask(question)).toMatchObject({
        __typename: 'Answer',
        text: 'The vault code is CODE-DELTA [1].',
        meta: { cached: false },
      });

      await sleep(1_200);
      failEverything();
      const [openaiBefore, anthropicBefore] = [chatCalls(), anthropic.requestCount(MESSAGES)];
      const stale = await tenant.ask(question);
      expect(stale).toMatchObject({
        __typename: 'Answer',
        text: 'The vault code is CODE-DELTA [1].',
        citations: [{ documentId: 'vault' }],
        meta: { provider: 'openai', cached: true, costUsd: 0 },
      });
      // The entry was stale, not fresh: every target was tried (and failed) before it was served.
      expect(chatCalls()).toBeGreaterThan(openaiBefore);
      expect(anthropic.requestCount(MESSAGES)).toBeGreaterThan(anthropicBefore);
    });

    it('serves the extractive floor instead when CACHE_STALE_GRACE_SECONDS=0', async () => {
      const subgraph = await start({ CACHE_TTL_ANSWER_SECONDS: '1', CACHE_STALE_GRACE_SECONDS: '0' });
      const tenant = await client(subgraph, newTenant());
      await tenant.ingest(vaultDoc('CODE-ECHO'));
      expect(await tenant.ask(question)).toMatchObject({ __typename: 'Answer', meta: { cached: false } });

      await sleep(1_200);
      failEverything();
      const before = chatCalls();
      expect(await tenant.ask(question)).toMatchObject({
        __typename: 'DegradedAnswer',
        reason: 'PROVIDER_ERROR',
        passages: [{ documentId: 'vault' }],
        meta: { provider: null, cached: false, costUsd: 0 },
      });
      expect(chatCalls()).toBeGreaterThan(before);
    });
  });
});
