// Routing through the public API: a tenant restricted to the self-hosted provider never reaches the others, even
// when self-hosted fails; simple work goes to the small model; the attempt's AbortSignal reaches both SDKs and
// closes the hung connection; no provider means NO_PROVIDER_CONFIGURED; a bad GATEWAY_ROUTES_JSON is a ConfigError.
import { ConfigError } from '../../subgraph/errors/config-error';
import { loadConfig } from '../../subgraph/config';
import { createGateway } from '../../subgraph/gateway/create-gateway';
import { createLogger } from '../../subgraph/observability/logger';
import { createMetrics } from '../../subgraph/observability/metrics';
import { startFakeAnthropic, startFakeOpenAI } from '../support/providers';
import type { FakeProviderServer, RecordedRequest } from '../support/providers';
import { TEST_JWT_SECRET, gql, startTestSubgraph } from '../support/subgraph';
import type { TestSubgraph } from '../support/subgraph';
import { tokenFor } from '../support/tokens';

const RESTRICTED_TENANT = 'onprem-co';
const CLOUD_TENANT = 'cloud-co';
const OPENAI_MODEL = 'gpt-test-large';
const OPENAI_SMALL_MODEL = 'gpt-test-small';
const ANTHROPIC_MODEL = 'claude-test-large';
const SELFHOSTED_MODEL = 'llama-test';
const SMALL_MODEL_MAX_INPUT_CHARS = 300;
const ATTEMPT_TIMEOUT_MS = 300;

const INGEST = `mutation($input: IngestDocumentInput!) { ingestDocument(input: $input) { documentId } }`;
const ASK = `query($q: String!) {
  ask(input: { question: $q }) {
    __typename
    ... on Answer { text meta { provider model } }
    ... on DegradedAnswer { reason passages { documentId } meta { provider model } }
    ... on AIUnavailable { reason message }
  }
}`;
const SUMMARIZE = `query($text: String!) {
  summarize(input: { text: $text }) {
    __typename
    ... on Summary { text meta { provider model } }
    ... on DegradedSummary { text reason meta { provider model } }
    ... on AIUnavailable { reason message }
  }
}`;

const DOCUMENT = {
  id: 'orchard-handbook',
  title: 'Orchard handbook',
  body:
    'Apple trees are pruned in late winter before the buds open. Pears ripen off the tree. ' +
    'The orchard is irrigated twice a week during dry summers.',
};

interface Meta {
  provider: string | null;
  model: string | null;
}
interface Result {
  __typename: string;
  text?: string;
  reason?: string;
  passages?: { documentId: string }[];
  meta?: Meta;
}

let openai: FakeProviderServer;
let anthropic: FakeProviderServer;
let selfhosted: FakeProviderServer;
const tokens: Record<string, string> = {};
let labelNumber = 0;

/** A distinct suffix per call, so that no cached result hides where a request was routed. */
function unique(label: string): string {
  labelNumber += 1;
  return `${label} #${labelNumber}`;
}

async function query(
  subgraph: TestSubgraph,
  tenant: string,
  source: string,
  variables: Record<string, unknown>,
) {
  const token = tokens[tenant] ?? (tokens[tenant] = await tokenFor(tenant));
  const response = await gql<Record<string, Result>>(subgraph.url, source, { token, variables });
  expect(response.status).toBe(200);
  expect(response.body.errors).toBeUndefined();
  const result = Object.values(response.body.data ?? {})[0];
  if (!result) throw new Error('no result');
  return result;
}

const ask = (subgraph: TestSubgraph, tenant: string, label: string) =>
  query(subgraph, tenant, ASK, { q: `When are apple trees pruned? (${unique(label)})` });
const summarize = (subgraph: TestSubgraph, tenant: string, text: string) =>
  query(subgraph, tenant, SUMMARIZE, { text });

/** A text of exactly `chars` characters, distinct per call. */
function textOf(chars: number, label: string): string {
  const base = `Orchard report ${unique(label)}: yields rose and the pears ripened early this season. `;
  const text = base.repeat(Math.ceil(chars / base.length) + 1).slice(0, chars);
  expect(text).toHaveLength(chars);
  return text;
}

const modelsRequested = (server: FakeProviderServer): unknown[] =>
  server.requests.map((request) =>
    typeof request.body === 'object' && request.body !== null && 'model' in request.body
      ? request.body.model
      : undefined,
  );

async function ingest(subgraph: TestSubgraph, tenant: string): Promise<void> {
  const result = await query(subgraph, tenant, INGEST, { input: DOCUMENT });
  expect(result).toMatchObject({ documentId: DOCUMENT.id });
}

beforeAll(async () => {
  [openai, anthropic, selfhosted] = await Promise.all([
    startFakeOpenAI({ responder: () => 'OpenAI: pruned in late winter [1].' }),
    startFakeAnthropic({ responder: () => 'Anthropic: pruned in late winter [1].' }),
    startFakeOpenAI({ responder: () => 'Self-hosted: pruned in late winter [1].' }),
  ]);
});

afterAll(async () => {
  await Promise.all([openai?.close(), anthropic?.close(), selfhosted?.close()]);
});

beforeEach(() => {
  openai.reset();
  anthropic.reset();
  selfhosted.reset();
});

describe('with openai, anthropic and self-hosted configured', () => {
  let subgraph: TestSubgraph;

  beforeAll(async () => {
    subgraph = await startTestSubgraph({
      OPENAI_API_KEY: 'k',
      OPENAI_BASE_URL: openai.baseURL,
      OPENAI_MODEL,
      OPENAI_SMALL_MODEL,
      ANTHROPIC_API_KEY: 'k',
      ANTHROPIC_BASE_URL: anthropic.baseURL,
      ANTHROPIC_MODEL,
      SELFHOSTED_BASE_URL: selfhosted.baseURL,
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
    });
    await ingest(subgraph, RESTRICTED_TENANT);
    await ingest(subgraph, CLOUD_TENANT);
  });
  afterAll(() => subgraph?.stop());

  describe('a tenant restricted to the self-hosted provider', () => {
    it('is answered by self-hosted alone: ask and summarize never reach openai or anthropic', async () => {
      expect(await ask(subgraph, RESTRICTED_TENANT, 'restricted, healthy')).toEqual({
        __typename: 'Answer',
        text: 'Self-hosted: pruned in late winter [1].',
        meta: { provider: 'selfhosted', model: SELFHOSTED_MODEL },
      });
      expect(await summarize(subgraph, RESTRICTED_TENANT, textOf(120, 'restricted, healthy'))).toEqual({
        __typename: 'Summary',
        text: 'Self-hosted: pruned in late winter [1].',
        meta: { provider: 'selfhosted', model: SELFHOSTED_MODEL },
      });
      expect(modelsRequested(selfhosted)).toEqual([SELFHOSTED_MODEL, SELFHOSTED_MODEL]);
      expect(openai.requestCount()).toBe(0);
      expect(anthropic.requestCount()).toBe(0);
    });

    it('gets the extractive floor when self-hosted fails, still without reaching openai or anthropic', async () => {
      selfhosted.faults.always({ kind: 'status', status: 503 });
      expect(await ask(subgraph, RESTRICTED_TENANT, 'restricted, self-hosted down')).toMatchObject({
        __typename: 'DegradedAnswer',
        reason: 'PROVIDER_ERROR',
        passages: [{ documentId: DOCUMENT.id }],
        meta: { provider: null, model: null },
      });
      expect(
        await summarize(subgraph, RESTRICTED_TENANT, textOf(120, 'restricted, self-hosted down')),
      ).toMatchObject({
        __typename: 'DegradedSummary',
        reason: 'PROVIDER_ERROR',
        meta: { provider: null, model: null },
      });
      expect(selfhosted.requestCount()).toBe(2);
      expect(openai.requestCount()).toBe(0);
      expect(anthropic.requestCount()).toBe(0);
    });

    it('does not restrict another tenant, who is answered by openai first', async () => {
      selfhosted.faults.always({ kind: 'status', status: 503 });
      expect(await ask(subgraph, CLOUD_TENANT, 'unrestricted tenant')).toEqual({
        __typename: 'Answer',
        text: 'OpenAI: pruned in late winter [1].',
        meta: { provider: 'openai', model: OPENAI_MODEL },
      });
      expect(openai.requestCount()).toBe(1);
      expect(anthropic.requestCount()).toBe(0);
      expect(selfhosted.requestCount()).toBe(0);
    });
  });

  describe('simple work goes to the small model', () => {
    it(`summarize of at most SMALL_MODEL_MAX_INPUT_CHARS (${SMALL_MODEL_MAX_INPUT_CHARS}) characters uses OPENAI_SMALL_MODEL`, async () => {
      for (const chars of [40, SMALL_MODEL_MAX_INPUT_CHARS]) {
        const result = await summarize(subgraph, CLOUD_TENANT, textOf(chars, 'short'));
        expect(result).toMatchObject({
          __typename: 'Summary',
          meta: { provider: 'openai', model: OPENAI_SMALL_MODEL },
        });
      }
      expect(modelsRequested(openai)).toEqual([OPENAI_SMALL_MODEL, OPENAI_SMALL_MODEL]);
    });

    it('summarize of more than SMALL_MODEL_MAX_INPUT_CHARS characters uses OPENAI_MODEL', async () => {
      for (const chars of [SMALL_MODEL_MAX_INPUT_CHARS + 1, 5_000]) {
        const result = await summarize(subgraph, CLOUD_TENANT, textOf(chars, 'long'));
        expect(result).toMatchObject({
          __typename: 'Summary',
          meta: { provider: 'openai', model: OPENAI_MODEL },
        });
      }
      expect(modelsRequested(openai)).toEqual([OPENAI_MODEL, OPENAI_MODEL]);
    });

    it('ask, which has no small route, uses OPENAI_MODEL', async () => {
      expect(await ask(subgraph, CLOUD_TENANT, 'ask model')).toMatchObject({
        meta: { provider: 'openai', model: OPENAI_MODEL },
      });
      expect(modelsRequested(openai)).toEqual([OPENAI_MODEL]);
    });
  });

  it('the attempt timeout’s AbortSignal reaches both SDKs: each hung request’s connection is closed by the client in time', async () => {
    openai.faults.always({ kind: 'hang' });
    anthropic.faults.always({ kind: 'hang' });
    const started = Date.now();
    // openai, then anthropic, each abandoned after one attempt; self-hosted, last in the chain, answers.
    expect(await ask(subgraph, CLOUD_TENANT, 'abort reaches the SDK')).toMatchObject({
      __typename: 'Answer',
      meta: { provider: 'selfhosted' },
    });
    const answeredAt = Date.now();
    const hung: RecordedRequest[] = [...openai.requests, ...anthropic.requests];
    expect(hung).toHaveLength(2);
    for (const request of hung) {
      expect(request.at).toBeGreaterThanOrEqual(started);
      expect(request.aborted).toBe(true);
      const heldMs = (request.closedAt ?? Number.POSITIVE_INFINITY) - request.at;
      expect(heldMs).toBeGreaterThanOrEqual(ATTEMPT_TIMEOUT_MS - 50);
      expect(heldMs).toBeLessThan(ATTEMPT_TIMEOUT_MS + 150);
      expect(request.closedAt).toBeLessThanOrEqual(answeredAt);
    }
    // The anthropic attempt started only after the openai one was abandoned.
    expect(anthropic.requests[0]?.at).toBeGreaterThanOrEqual(openai.requests[0]?.closedAt ?? Infinity);
  });
});

describe('with only openai configured, a tenant whose policy allows only anthropic', () => {
  let subgraph: TestSubgraph;

  beforeAll(async () => {
    subgraph = await startTestSubgraph({
      OPENAI_API_KEY: 'k',
      OPENAI_BASE_URL: openai.baseURL,
      // Naming a provider that is not configured is legitimate: the policy must load and hold.
      TENANT_POLICIES_JSON: JSON.stringify({
        tenants: { [RESTRICTED_TENANT]: { allowedProviders: ['anthropic'] } },
      }),
    });
    await ingest(subgraph, RESTRICTED_TENANT);
    await ingest(subgraph, CLOUD_TENANT);
    // A third subgraph in this file: its PGlite start can take long on a busy machine.
  }, 90_000);
  afterAll(() => subgraph?.stop());

  it('is never routed to openai: ask and summarize degrade to the extractive floor with PROVIDER_NOT_ALLOWED', async () => {
    const answer = await ask(subgraph, RESTRICTED_TENANT, 'allowed provider not configured');
    expect(answer).toMatchObject({
      __typename: 'DegradedAnswer',
      reason: 'PROVIDER_NOT_ALLOWED',
      passages: [{ documentId: DOCUMENT.id }],
      meta: { provider: null },
    });
    const summary = await summarize(
      subgraph,
      RESTRICTED_TENANT,
      textOf(200, 'allowed provider not configured'),
    );
    expect(summary.__typename).toBe('DegradedSummary');
    expect(summary.reason).toBe('PROVIDER_NOT_ALLOWED');
    expect(summary.meta).toEqual({ provider: null, model: null });
    expect(openai.requestCount()).toBe(0);
    expect(anthropic.requestCount()).toBe(0);
  });

  it('leaves a tenant without a policy on openai', async () => {
    expect(await ask(subgraph, CLOUD_TENANT, 'unrestricted, openai only')).toMatchObject({
      __typename: 'Answer',
      meta: { provider: 'openai' },
    });
    expect(openai.requestCount()).toBe(1);
  });
});

describe('with no provider configured', () => {
  let subgraph: TestSubgraph;

  beforeAll(async () => {
    subgraph = await startTestSubgraph({});
    await ingest(subgraph, CLOUD_TENANT);
  });
  afterAll(() => subgraph?.stop());

  it('ask and summarize degrade to the extractive floor with NO_PROVIDER_CONFIGURED', async () => {
    expect(await ask(subgraph, CLOUD_TENANT, 'no provider')).toMatchObject({
      __typename: 'DegradedAnswer',
      reason: 'NO_PROVIDER_CONFIGURED',
      passages: [{ documentId: DOCUMENT.id }],
      meta: { provider: null, model: null },
    });
    const summary = await summarize(subgraph, CLOUD_TENANT, textOf(200, 'no provider'));
    expect(summary).toMatchObject({
      __typename: 'DegradedSummary',
      reason: 'NO_PROVIDER_CONFIGURED',
      meta: { provider: null, model: null },
    });
    expect(summary.text?.length).toBeGreaterThan(0);
    expect(openai.requestCount() + anthropic.requestCount() + selfhosted.requestCount()).toBe(0);
  });
});

// Startup builds the gateway from the environment exactly like this (createApp -> createGateway); calling it
// directly skips opening a database that the failing configuration would never use.
function buildGateway(env: Record<string, string>) {
  const config = loadConfig({ NODE_ENV: 'test', AUTH_JWT_SECRET: TEST_JWT_SECRET, ...env });
  return createGateway(config.gateway, {
    redis: null,
    metrics: createMetrics({ defaultMetrics: false }),
    logger: createLogger('silent'),
  });
}

describe('a bad GATEWAY_ROUTES_JSON is a ConfigError naming it', () => {
  it('a route to a provider that is not configured', () => {
    const build = () =>
      buildGateway({
        OPENAI_API_KEY: 'k',
        GATEWAY_ROUTES_JSON: JSON.stringify({
          tasks: { answer: { chain: [{ provider: 'selfhosted', model: 'llama-test' }] } },
        }),
      });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/^GATEWAY_ROUTES_JSON routes answer to selfhosted, which has no credentials/);
  });

  it('invalid JSON', () => {
    const build = () => buildGateway({ OPENAI_API_KEY: 'k', GATEWAY_ROUTES_JSON: '{"tasks": {' });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/^GATEWAY_ROUTES_JSON expects readable JSON/);
  });

  it('JSON that breaks the schema names the offending path', () => {
    const build = () =>
      buildGateway({
        OPENAI_API_KEY: 'k',
        GATEWAY_ROUTES_JSON: JSON.stringify({
          tasks: { answer: { chain: [{ provider: 'openai', model: '' }] } },
        }),
      });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/^GATEWAY_ROUTES_JSON at tasks\.answer\.chain\.0\.model/);
  });

  it('a `tenants` block, which belongs in the tenant policy document now', () => {
    const build = () =>
      buildGateway({
        OPENAI_API_KEY: 'k',
        GATEWAY_ROUTES_JSON: JSON.stringify({ tenants: { acme: { allowedProviders: ['selfhosted'] } } }),
      });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(
      /^GATEWAY_ROUTES_JSON at tenants: tenant policies moved to TENANT_POLICIES_FILE \/ TENANT_POLICIES_JSON/,
    );
  });

  it('the same routes with the provider configured build a gateway', () => {
    const gateway = buildGateway({
      OPENAI_API_KEY: 'k',
      SELFHOSTED_BASE_URL: selfhosted.baseURL,
      GATEWAY_ROUTES_JSON: JSON.stringify({
        tasks: { answer: { chain: [{ provider: 'selfhosted', model: 'llama-test' }] } },
      }),
    });
    expect(gateway.hasProviders).toBe(true);
  });
});
