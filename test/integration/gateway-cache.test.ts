// The completion cache through GraphQL, against fake providers, once with the memory cache and once with
// Redis: tenants never share entries, a re-ingested (or deleted and re-created) document changes the key of
// what was built on it, identical concurrent requests make one provider call, and a stale entry serves (within
// the grace) when every target fails.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { ChatRequest } from '../support/providers';
import { CIRCUITS_STAY_CLOSED, startFakeProviders, startHarness } from '../support/harness';
import type { FakeProviders, Harness, TenantClient } from '../support/harness';
import { member } from '../support/results';
import { connectRedis, REDIS_URL, requirePostgres, requireRedis } from '../support/services';

// What this suite needs: without them the suite fails at once, with one line saying what to start.
requirePostgres();
requireRedis();

const CHAT = '/v1/chat/completions';
const MESSAGES = '/v1/messages';

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
  let providers: FakeProviders;
  let redis: Redis;
  const harnesses: Harness[] = [];
  const tenants: string[] = [];
  let tenantCount = 0;
  /** A tenant no earlier test has used, so no test sees another's documents or entries. */
  const newTenant = (): string => {
    const tenant = `cache-${backend}-${run}-${(tenantCount += 1)}`;
    tenants.push(tenant);
    return tenant;
  };

  const start = async (env: Record<string, string> = {}): Promise<Harness> => {
    const harness = await startHarness({
      providers,
      env: {
        ...backendEnv,
        DEADLINE_MS: '1500',
        ATTEMPT_TIMEOUT_MS: '400',
        RETRY_BASE_DELAY_MS: '10',
        RETRY_MAX_DELAY_MS: '20',
        ...CIRCUITS_STAY_CLOSED,
        ...env,
      },
    });
    harnesses.push(harness);
    return harness;
  };

  const client = (harness: Harness): TenantClient => harness.as(newTenant());
  const chatCalls = () => providers.openai.requestCount(CHAT);
  const redisKeysOf = (tenant: string, kind = 'cache') => redis.keys(`ai:${kind}:{${tenant}}:*`);

  beforeAll(async () => {
    providers = await startFakeProviders(['openai', 'anthropic'], responder);
    // Used in both runs: the Redis run must write its entries there, the memory run must not.
    redis = connectRedis({ lazyConnect: true, maxRetriesPerRequest: 0 });
    await redis.connect();
  });

  afterEach(() => providers.reset());

  afterAll(async () => {
    await Promise.allSettled(harnesses.map((harness) => harness.stop()));
    if (redis) {
      for (const tenant of tenants) {
        const keys = [...(await redisKeysOf(tenant)), ...(await redisKeysOf(tenant, 'usage'))];
        if (keys.length > 0) await redis.del(...keys);
      }
      await redis.quit();
    }
    await providers?.close();
  });

  describe('with the default TTLs', () => {
    let harness: Harness;

    beforeAll(async () => {
      harness = await start();
    });

    it('never shares an entry between two tenants asking the same question over the same documents', async () => {
      const [a, b] = [client(harness), client(harness)];
      await a.ingest(vaultDoc('CODE-ALPHA'));
      await b.ingest(vaultDoc('CODE-ALPHA'));
      const question = 'What is the observatory vault code?';

      const before = chatCalls();
      const firstA = await a.ask(question);
      expect(firstA).toMatchObject({
        __typename: 'Answer',
        text: 'The vault code is CODE-ALPHA [1].',
        citations: [{ documentId: 'vault' }],
        meta: { provider: 'openai', model: 'gpt-4.1-mini', promptVersion: 'answer.v2', cached: false },
      });
      expect(member(firstA, 'Answer').meta.costUsd).toBeGreaterThan(0);
      expect(chatCalls()).toBe(before + 1);

      // Same question, same document, another tenant: its own provider call, never A's entry.
      const firstB = await b.ask(question);
      expect(firstB).toMatchObject({ __typename: 'Answer', meta: { cached: false } });
      expect(member(firstB, 'Answer').meta.costUsd).toBeGreaterThan(0);
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
            promptVersion: 'answer.v2',
            cached: true,
            costUsd: 0,
          },
        });
      }
      expect(chatCalls()).toBe(before + 2);
      expect(providers.anthropic.requestCount(MESSAGES)).toBe(0);

      // Where the entries live: in Redis under each tenant's own hash tag, or nowhere in Redis.
      const [keysA, keysB] = await Promise.all([redisKeysOf(a.tenant), redisKeysOf(b.tenant)]);
      if (backend === 'redis') {
        expect(keysA).toHaveLength(1);
        expect(keysB).toHaveLength(1);
      } else {
        expect([...keysA, ...keysB]).toEqual([]);
      }
    });

    it('asks the provider again after the cited document is re-ingested, and returns the new answer', async () => {
      const tenant = client(harness);
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
      const tenant = client(harness);
      await tenant.ingest(vaultDoc('CODE-ALPHA'));

      const before = chatCalls();
      expect(await tenant.summarize({ documentId: 'vault' })).toMatchObject({
        __typename: 'Summary',
        text: 'The document gives the code CODE-ALPHA.',
        meta: { provider: 'openai', promptVersion: 'summarize.v1', cached: false },
      });
      expect(await tenant.summarize({ documentId: 'vault' })).toMatchObject({
        __typename: 'Summary',
        text: 'The document gives the code CODE-ALPHA.',
        meta: { cached: true, costUsd: 0 },
      });
      expect(chatCalls()).toBe(before + 1);

      await tenant.ingest(vaultDoc('CODE-BRAVO'));
      expect(await tenant.summarize({ documentId: 'vault' })).toMatchObject({
        __typename: 'Summary',
        text: 'The document gives the code CODE-BRAVO.',
        meta: { cached: false },
      });
      expect(chatCalls()).toBe(before + 2);
    });

    it('summarize of a text differing from an earlier one only in case is not served that one’s cached summary: a summary reproduces its text’s case', async () => {
      const tenant = client(harness);
      const text = (code: string) =>
        `The observatory vault code is ${code}. Staff rotate the vault code every quarter and log each rotation.`;
      const before = chatCalls();
      expect(await tenant.summarize({ text: text('CODE-ALPHA') })).toMatchObject({
        __typename: 'Summary',
        text: 'The document gives the code CODE-ALPHA.',
        meta: { cached: false },
      });
      // Only the case differs: the summary of the first would quote a code this text does not hold.
      const other = await tenant.summarize({ text: text('code-alpha') });
      expect(JSON.stringify(other)).not.toContain('CODE-ALPHA');
      expect(chatCalls()).toBe(before + 2);
      // Whitespace alone still shares the entry.
      expect(await tenant.summarize({ text: `  ${text('CODE-ALPHA').replace(/ /g, '\n ')} ` })).toMatchObject(
        {
          __typename: 'Summary',
          meta: { cached: true },
        },
      );
      expect(chatCalls()).toBe(before + 2);
    });

    it('gets a fresh summary and answer from the model for a document deleted and re-created under the same id, never the deleted one’s cached ones', async () => {
      const tenant = client(harness);
      const question = 'orchard fruit ledger';
      const ledger = (body: string) => ({ id: 'd1', title: 'Orchard ledger', body });
      await tenant.ingest(
        ledger('The orchard fruit ledger lists crisp apples picked in autumn: CODE-APPLES.'),
      );

      const first = member(await tenant.summarize({ documentId: 'd1' }), 'Summary');
      expect(first.text).toContain('CODE-APPLES');
      expect(first.meta.cached).toBe(false);
      const firstAnswer = member(await tenant.ask(question), 'Answer');
      expect(firstAnswer.text).toContain('CODE-APPLES');
      expect(firstAnswer.meta.cached).toBe(false);
      // Asked again unchanged, both come from the cache: the misses below are the re-creation's doing.
      expect(member(await tenant.summarize({ documentId: 'd1' }), 'Summary').meta.cached).toBe(true);
      expect(member(await tenant.ask(question), 'Answer').meta.cached).toBe(true);
      const callsBefore = chatCalls();

      expect(await tenant.deleteDocument('d1')).toBe(true);
      await tenant.ingest(
        ledger('The orchard fruit ledger lists ripe bananas shipped in spring: CODE-BANANAS.'),
      );

      const second = member(await tenant.summarize({ documentId: 'd1' }), 'Summary');
      expect(second.meta.cached).toBe(false);
      expect(second.text).toContain('CODE-BANANAS');
      expect(second.text).not.toContain('CODE-APPLES');
      expect(chatCalls()).toBe(callsBefore + 1);

      const secondAnswer = member(await tenant.ask(question), 'Answer');
      expect(secondAnswer.meta.cached).toBe(false);
      expect(secondAnswer.text).toContain('CODE-BANANAS');
      expect(secondAnswer.text).not.toContain('CODE-APPLES');
      expect(secondAnswer.citations.map((c) => c.documentId)).toEqual(['d1']);
      expect(chatCalls()).toBe(callsBefore + 2);
    });

    it('makes one provider call for 10 identical concurrent requests and gives all 10 the answer', async () => {
      const tenant = client(harness);
      await tenant.ingest(vaultDoc('CODE-CHARLIE'));
      providers.openai.faults.setLatency(100);

      const before = chatCalls();
      const answers = (
        await Promise.all(Array.from({ length: 10 }, () => tenant.ask('Tell me the observatory vault code')))
      ).map((answer) => member(answer, 'Answer'));
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
      const paid = answers.filter((answer) => answer.meta.cached === false);
      expect(paid).toHaveLength(1);
      expect(paid[0]?.meta.costUsd).toBeGreaterThan(0);
      expect(
        answers.filter((answer) => answer.meta.cached === true && answer.meta.costUsd === 0),
      ).toHaveLength(9);
    });
  });

  describe('when every target fails after the answer TTL (1 s) has passed', () => {
    const question = 'What is the observatory vault code today?';

    const failEverything = () => {
      providers.openai.faults.always({ kind: 'status', status: 503 });
      providers.anthropic.faults.always({ kind: 'status', status: 503 });
    };

    it('serves the stale entry, marked cached, within the stale grace', async () => {
      const tenant = client(await start({ CACHE_TTL_ANSWER_SECONDS: '1' }));
      await tenant.ingest(vaultDoc('CODE-DELTA'));
      expect(await tenant.ask(question)).toMatchObject({
        __typename: 'Answer',
        text: 'The vault code is CODE-DELTA [1].',
        meta: { cached: false },
      });

      await sleep(1_200);
      failEverything();
      const [openaiBefore, anthropicBefore] = [chatCalls(), providers.anthropic.requestCount(MESSAGES)];
      const stale = await tenant.ask(question);
      expect(stale).toMatchObject({
        __typename: 'Answer',
        text: 'The vault code is CODE-DELTA [1].',
        citations: [{ documentId: 'vault' }],
        meta: { provider: 'openai', cached: true, costUsd: 0 },
      });
      // The entry was stale, not fresh: every target was tried (and failed) before it was served.
      expect(chatCalls()).toBeGreaterThan(openaiBefore);
      expect(providers.anthropic.requestCount(MESSAGES)).toBeGreaterThan(anthropicBefore);
    });

    it('serves the extractive floor instead when CACHE_STALE_GRACE_SECONDS=0', async () => {
      const tenant = client(await start({ CACHE_TTL_ANSWER_SECONDS: '1', CACHE_STALE_GRACE_SECONDS: '0' }));
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
