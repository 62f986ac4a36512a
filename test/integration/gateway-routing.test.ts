// Routing through the public API: a tenant restricted to the self-hosted provider never reaches the others, even
// when self-hosted fails, while tenants named after Object.prototype members are ordinary tenants; simple work
// goes to the small model; the attempt's AbortSignal reaches both SDKs and closes the hung connection; no provider
// means NO_PROVIDER_CONFIGURED, and a policy that allows no configured provider PROVIDER_NOT_ALLOWED; a bad GATEWAY_ROUTES_JSON stops the start with a ConfigError naming it.
import { ConfigError } from '../../subgraph/errors/config-error';
import { replyByTask } from '../support/providers';
import type { FakeProviderServer, RecordedRequest } from '../support/providers';
import { startHarness, useFakeProviders } from '../support/harness';
import type { Harness } from '../support/harness';
import { echoResponder } from '../support/prompt-echo';
import { member } from '../support/results';
import { requirePostgres } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

const RESTRICTED_TENANT = 'onprem-co';
const CLOUD_TENANT = 'cloud-co';
const PROTOTYPE_TENANTS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
const OPENAI_MODEL = 'gpt-test-large';
const OPENAI_SMALL_MODEL = 'gpt-test-small';
const ANTHROPIC_MODEL = 'claude-test-large';
const SELFHOSTED_MODEL = 'llama-test';
const SMALL_MODEL_MAX_INPUT_CHARS = 300;
const ATTEMPT_TIMEOUT_MS = 300;

const DOCUMENT = {
  id: 'orchard-handbook',
  title: 'Orchard handbook',
  body:
    'Apple trees are pruned in late winter before the buds open. Pears ripen off the tree. ' +
    'The orchard is irrigated twice a week during dry summers.',
};

// Each provider answers in its own words, grounded in the document (answers) or the text (summaries), so a
// result shows who wrote it and passes the output rails.
const REPLIES = {
  openai: {
    answer: 'They are pruned in late winter [1].',
    summary: 'Yields rose and the pears ripened early.',
  },
  anthropic: {
    answer: 'Pruning is done in late winter [1].',
    summary: 'The pears ripened early this season.',
  },
  selfhosted: {
    answer: 'Apple trees are pruned before the buds open [1].',
    summary: 'This season the yields rose.',
  },
};
const providers = useFakeProviders(['openai', 'anthropic', 'selfhosted'], {
  openai: replyByTask(REPLIES.openai),
  anthropic: replyByTask(REPLIES.anthropic),
  selfhosted: replyByTask(REPLIES.selfhosted),
});
let labelNumber = 0;
const openai = () => providers.openai;
const anthropic = () => providers.anthropic;
const selfhosted = () => providers.selfhosted;

/** A distinct suffix per call, so that no cached result hides where a request was routed. */
function unique(label: string): string {
  labelNumber += 1;
  return `${label} #${labelNumber}`;
}

const ask = (harness: Harness, tenant: string, label: string) =>
  harness.as(tenant).ask(`When are apple trees pruned? (${unique(label)})`);
const summarize = (harness: Harness, tenant: string, text: string) => harness.as(tenant).summarize({ text });

/** Ask and summarize (a text of `chars`) both answered by the extractive floor with `reason`; the summary. */
async function expectFloor(harness: Harness, tenant: string, label: string, reason: string, chars: number) {
  expect(await ask(harness, tenant, label)).toMatchObject({
    __typename: 'DegradedAnswer',
    reason,
    passages: [{ documentId: DOCUMENT.id }],
    meta: { provider: null, model: null },
  });
  const summary = await summarize(harness, tenant, textOf(chars, label));
  expect(summary).toMatchObject({
    __typename: 'DegradedSummary',
    reason,
    meta: { provider: null, model: null },
  });
  return summary;
}

/** A text of exactly `chars` characters, distinct per call. */
function textOf(chars: number, label: string): string {
  const base = `Orchard report ${unique(label)}: yields rose and the pears ripened early this season. `;
  const text = base.repeat(Math.ceil(chars / base.length) + 1).slice(0, chars);
  expect(text).toHaveLength(chars);
  return text;
}

/** The meta of an uncached model result. */
const by = (provider: string, model: string, promptVersion: string) => ({
  provider,
  model,
  promptVersion,
  cached: false,
  costUsd: expect.any(Number),
});

const modelsRequested = (server: FakeProviderServer): unknown[] =>
  server.requests.map((request) =>
    typeof request.body === 'object' && request.body !== null && 'model' in request.body
      ? request.body.model
      : undefined,
  );

async function ingest(harness: Harness, tenant: string): Promise<void> {
  expect(await harness.as(tenant).ingest(DOCUMENT)).toMatchObject({ documentId: DOCUMENT.id });
}

describe('with openai, anthropic and self-hosted configured', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({
      providers,
      env: {
        OPENAI_MODEL,
        OPENAI_SMALL_MODEL,
        ANTHROPIC_MODEL,
        SELFHOSTED_MODEL,
        TENANT_POLICIES_JSON: JSON.stringify({
          tenants: { [RESTRICTED_TENANT]: { allowedProviders: ['selfhosted'] } },
        }),
        SMALL_MODEL_MAX_INPUT_CHARS: String(SMALL_MODEL_MAX_INPUT_CHARS),
        DEADLINE_MS: '1500',
        ATTEMPT_TIMEOUT_MS: String(ATTEMPT_TIMEOUT_MS),
        RETRY_MAX_ATTEMPTS: '1',
        RETRY_BASE_DELAY_MS: '5',
        CIRCUIT_CONSECUTIVE_FAILURES: '1000',
        CIRCUIT_RATE_WINDOW: '10000',
      },
    });
    await ingest(harness, RESTRICTED_TENANT);
    await ingest(harness, CLOUD_TENANT);
  });
  afterAll(() => harness?.stop());

  describe('a tenant restricted to the self-hosted provider', () => {
    it('is answered by self-hosted alone: ask and summarize never reach openai or anthropic', async () => {
      expect(await ask(harness, RESTRICTED_TENANT, 'restricted, healthy')).toEqual({
        __typename: 'Answer',
        text: REPLIES.selfhosted.answer,
        citations: [{ documentId: DOCUMENT.id, chunkId: expect.any(String), title: DOCUMENT.title }],
        meta: by('selfhosted', SELFHOSTED_MODEL, 'answer.v2'),
      });
      expect(await summarize(harness, RESTRICTED_TENANT, textOf(120, 'restricted, healthy'))).toEqual({
        __typename: 'Summary',
        text: REPLIES.selfhosted.summary,
        meta: by('selfhosted', SELFHOSTED_MODEL, 'summarize.v1'),
      });
      expect(modelsRequested(selfhosted())).toEqual([SELFHOSTED_MODEL, SELFHOSTED_MODEL]);
      expect(openai().requestCount()).toBe(0);
      expect(anthropic().requestCount()).toBe(0);
    });

    it('gets the extractive floor when self-hosted fails, still without reaching openai or anthropic', async () => {
      selfhosted().faults.always({ kind: 'status', status: 503 });
      await expectFloor(harness, RESTRICTED_TENANT, 'restricted, self-hosted down', 'PROVIDER_ERROR', 120);
      expect(selfhosted().requestCount()).toBe(2);
      expect(openai().requestCount()).toBe(0);
      expect(anthropic().requestCount()).toBe(0);
    });

    it('does not restrict another tenant, who is answered by openai first', async () => {
      selfhosted().faults.always({ kind: 'status', status: 503 });
      expect(await ask(harness, CLOUD_TENANT, 'unrestricted tenant')).toEqual({
        __typename: 'Answer',
        text: REPLIES.openai.answer,
        citations: [{ documentId: DOCUMENT.id, chunkId: expect.any(String), title: DOCUMENT.title }],
        meta: by('openai', OPENAI_MODEL, 'answer.v2'),
      });
      expect(openai().requestCount()).toBe(1);
      expect(anthropic().requestCount()).toBe(0);
      expect(selfhosted().requestCount()).toBe(0);
    });

    // A policy lookup keyed by tenant id must not find Object.prototype's members (a `tenants.constructor`).
    it.each(PROTOTYPE_TENANTS)(
      'does not restrict tenant `%s`, who gets model summaries and answers from the default chain, with no GraphQL error',
      async (tenant) => {
        const echo = echoResponder();
        openai().respondWith(echo.responder);
        const client = harness.as(tenant);
        await client.ingest({
          id: 'doc',
          title: 'Cobalt note',
          body: `The cobalt invoices of ${tenant} are filed every Tuesday.`,
        });
        const summary = await client.summarize({ documentId: 'doc' });
        expect(summary).toMatchObject({ __typename: 'Summary', meta: { provider: 'openai', cached: false } });
        expect(member(summary, 'Summary').text).toContain(`cobalt invoices of ${tenant}`);

        const answer = await client.ask('cobalt invoices filed');
        expect(answer).toMatchObject({ __typename: 'Answer', meta: { provider: 'openai' } });
        expect(member(answer, 'Answer').text).toContain(`cobalt invoices of ${tenant}`);
        expect(member(answer, 'Answer').citations.map((c) => c.documentId)).toEqual(['doc']);

        const usage = await client.usage();
        expect(usage.tenantId).toBe(tenant);
        expect(usage.requestsToday).toBe(2);
        expect(selfhosted().requestCount() + anthropic().requestCount()).toBe(0);
      },
    );
  });

  describe('simple work goes to the small model', () => {
    it.each<[string, string, number[], string]>([
      [
        `at most SMALL_MODEL_MAX_INPUT_CHARS (${SMALL_MODEL_MAX_INPUT_CHARS}) characters uses OPENAI_SMALL_MODEL`,
        'short',
        [40, SMALL_MODEL_MAX_INPUT_CHARS],
        OPENAI_SMALL_MODEL,
      ],
      [
        'more than SMALL_MODEL_MAX_INPUT_CHARS characters uses OPENAI_MODEL',
        'long',
        [SMALL_MODEL_MAX_INPUT_CHARS + 1, 5_000],
        OPENAI_MODEL,
      ],
    ])('summarize of %s', async (_name, label, lengths, model) => {
      for (const chars of lengths) {
        const result = await summarize(harness, CLOUD_TENANT, textOf(chars, label));
        expect(result).toMatchObject({ __typename: 'Summary', meta: { provider: 'openai', model } });
      }
      expect(modelsRequested(openai())).toEqual(lengths.map(() => model));
    });

    it('ask, which has no small route, uses OPENAI_MODEL', async () => {
      expect(await ask(harness, CLOUD_TENANT, 'ask model')).toMatchObject({
        meta: { provider: 'openai', model: OPENAI_MODEL },
      });
      expect(modelsRequested(openai())).toEqual([OPENAI_MODEL]);
    });
  });

  it('the attempt timeout’s AbortSignal reaches both SDKs: each hung request’s connection is closed by the client in time', async () => {
    openai().faults.always({ kind: 'hang' });
    anthropic().faults.always({ kind: 'hang' });
    const started = Date.now();
    // openai, then anthropic, each abandoned after one attempt; self-hosted, last in the chain, answers.
    expect(await ask(harness, CLOUD_TENANT, 'abort reaches the SDK')).toMatchObject({
      __typename: 'Answer',
      meta: { provider: 'selfhosted' },
    });
    const answeredAt = Date.now();
    const hung: RecordedRequest[] = [...openai().requests, ...anthropic().requests];
    expect(hung).toHaveLength(2);
    for (const request of hung) {
      expect(request.at).toBeGreaterThanOrEqual(started);
      expect(request.aborted).toBe(true);
      const heldMs = (request.closedAt ?? Number.POSITIVE_INFINITY) - request.at;
      expect(heldMs).toBeGreaterThanOrEqual(ATTEMPT_TIMEOUT_MS - 50);
      // Closed by the attempt's own signal, not by the request's deadline (DEADLINE_MS 1500): a bound of twice
      // the attempt timeout tells the two apart with room for a loaded machine's event-loop lag, which once
      // took 159 ms past the timeout under CI.
      expect(heldMs).toBeLessThan(2 * ATTEMPT_TIMEOUT_MS);
      expect(request.closedAt).toBeLessThanOrEqual(answeredAt);
    }
    // The anthropic attempt started only after the openai one was abandoned.
    expect(anthropic().requests[0]?.at).toBeGreaterThanOrEqual(openai().requests[0]?.closedAt ?? Infinity);
  });
});

describe('with only openai configured, a tenant whose policy allows only anthropic', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({
      env: {
        OPENAI_API_KEY: 'k',
        OPENAI_BASE_URL: providers.openai.baseURL,
        // Naming a provider that is not configured is legitimate: the policy must load and hold.
        TENANT_POLICIES_JSON: JSON.stringify({
          tenants: { [RESTRICTED_TENANT]: { allowedProviders: ['anthropic'] } },
        }),
      },
    });
    await ingest(harness, RESTRICTED_TENANT);
    await ingest(harness, CLOUD_TENANT);
  });
  afterAll(() => harness?.stop());

  it('is never routed to openai: ask and summarize degrade to the extractive floor with PROVIDER_NOT_ALLOWED', async () => {
    await expectFloor(
      harness,
      RESTRICTED_TENANT,
      'allowed provider not configured',
      'PROVIDER_NOT_ALLOWED',
      200,
    );
    expect(providers.requestCount()).toBe(0);
  });

  it('leaves a tenant without a policy on openai', async () => {
    expect(await ask(harness, CLOUD_TENANT, 'unrestricted, openai only')).toMatchObject({
      __typename: 'Answer',
      meta: { provider: 'openai' },
    });
    expect(providers.openai.requestCount()).toBe(1);
  });
});

describe('with no provider configured', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness();
    await ingest(harness, CLOUD_TENANT);
  });
  afterAll(() => harness?.stop());

  it('ask and summarize degrade to the extractive floor with NO_PROVIDER_CONFIGURED', async () => {
    const summary = await expectFloor(harness, CLOUD_TENANT, 'no provider', 'NO_PROVIDER_CONFIGURED', 200);
    expect(member(summary, 'DegradedSummary').text.length).toBeGreaterThan(0);
    expect(providers.requestCount()).toBe(0);
  });
});

describe('a bad GATEWAY_ROUTES_JSON stops the start with a ConfigError naming it', () => {
  /** The error the subgraph's start (loadConfig, then createApp) fails with, given these variables. */
  const startFailure = (env: Record<string, string>): Promise<unknown> =>
    startHarness({ env }).then(
      async (harness) => {
        await harness.stop();
        throw new Error('the subgraph started');
      },
      (error: unknown) => error,
    );

  // Each row: the case, GATEWAY_ROUTES_JSON as given, and how the ConfigError's message starts.
  it.each<[string, string, RegExp]>([
    [
      'a route to a provider that is not configured',
      JSON.stringify({ tasks: { answer: { chain: [{ provider: 'selfhosted', model: 'llama-test' }] } } }),
      /^GATEWAY_ROUTES_JSON routes answer to selfhosted, which has no credentials/,
    ],
    ['invalid JSON', '{"tasks": {', /^GATEWAY_ROUTES_JSON expects readable JSON/],
    [
      'JSON that breaks the schema names the offending path',
      JSON.stringify({ tasks: { answer: { chain: [{ provider: 'openai', model: '' }] } } }),
      /^GATEWAY_ROUTES_JSON at tasks\.answer\.chain\.0\.model/,
    ],
    [
      'a `tenants` block, which belongs in the tenant policy document now',
      JSON.stringify({ tenants: { acme: { allowedProviders: ['openai'] } } }),
      /^GATEWAY_ROUTES_JSON at tenants: tenant policies moved to TENANT_POLICIES_FILE \/ TENANT_POLICIES_JSON/,
    ],
  ])('%s', async (_name, routes, message) => {
    const error = await startFailure({ OPENAI_API_KEY: 'k', GATEWAY_ROUTES_JSON: routes });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toHaveProperty('message', expect.stringMatching(message));
  });

  it('the same routes with the provider configured start a subgraph that answers on that route', async () => {
    const harness = await startHarness({
      providers,
      env: {
        SELFHOSTED_MODEL,
        GATEWAY_ROUTES_JSON: JSON.stringify({
          tasks: { answer: { chain: [{ provider: 'selfhosted', model: 'llama-test' }] } },
        }),
      },
    });
    try {
      await ingest(harness, CLOUD_TENANT);
      expect(await ask(harness, CLOUD_TENANT, 'configured route')).toMatchObject({
        __typename: 'Answer',
        text: REPLIES.selfhosted.answer,
        meta: { provider: 'selfhosted', model: 'llama-test' },
      });
      expect(providers.openai.requestCount('/v1/chat/completions')).toBe(0);
    } finally {
      await harness.stop();
    }
  });
});
