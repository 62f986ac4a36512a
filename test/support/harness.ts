// One harness for the integration suites: the real subgraph (configured only through environment variables,
// as in production) in front of fake provider servers chosen by profile, a token per tenant, and a typed
// client per tenant that sends the shared operations. The document store is the machine's PostgreSQL under a
// schema of the harness's own (it starts in a fraction of PGlite's time), dropped by stop().
import type { Logger } from '../../subgraph/observability/logger';
import { startFakeAnthropic, startFakeOpenAI } from './providers';
import type { FakeProviderServer, Responder } from './providers';
import { requirePostgres } from './services';
import { dropPostgresSchema, POSTGRES_URL, uniqueSchemaName } from './stores';
import { gql, startTestSubgraph } from './subgraph';
import type { GraphQLResponse, TestSubgraph } from './subgraph';
import { tokenFor } from './tokens';
import { HARNESS_API_KEYS } from './provider-keys';
import { forwardingTo } from './late-bound';
import { readMetrics } from './metrics-reader';
import type { Metrics } from './metrics-reader';
import { ASK, ASK_STREAM, DELETE, INGEST, SEARCH, SUMMARIZE, SUMMARIZE_STREAM, USAGE } from './operations';
import type {
  AskResult,
  AskStreamEvent,
  IngestResult,
  SearchResult,
  SummarizeResult,
  SummarizeStreamEvent,
  TenantUsage,
} from './results';
import { subscribeOnce } from './ws-client';
import type { WsOutcome, WsSubscribeOptions } from './ws-client';

/** A fake provider server and the subgraph variables that point at it. */
export type ProviderProfile = 'openai' | 'anthropic' | 'selfhosted';

const PROFILE_ENV: Record<ProviderProfile, (server: FakeProviderServer) => Record<string, string>> = {
  openai: (server) => ({ OPENAI_API_KEY: HARNESS_API_KEYS.openai, OPENAI_BASE_URL: server.baseURL }),
  anthropic: (server) => ({
    ANTHROPIC_API_KEY: HARNESS_API_KEYS.anthropic,
    ANTHROPIC_BASE_URL: server.baseURL,
  }),
  // Self-hosted speaks the OpenAI wire format (vLLM, Ollama).
  selfhosted: (server) => ({ SELFHOSTED_BASE_URL: server.baseURL }),
};

/** Resilience settings for suites that inject faults: short retry delays, and circuits that never open. */
export const FAST_RETRIES = { RETRY_BASE_DELAY_MS: '5', RETRY_MAX_DELAY_MS: '20' } as const;
export const CIRCUITS_STAY_CLOSED = {
  CIRCUIT_CONSECUTIVE_FAILURES: '1000',
  CIRCUIT_RATE_WINDOW: '10000',
} as const;

export type Responders = Responder | Partial<Record<ProviderProfile, Responder>>;

export interface FakeProviders {
  readonly profiles: readonly ProviderProfile[];
  /** The server of a started profile; a profile not started is a test bug and throws. */
  readonly openai: FakeProviderServer;
  readonly anthropic: FakeProviderServer;
  readonly selfhosted: FakeProviderServer;
  /** The subgraph variables that configure every started profile. */
  readonly env: Record<string, string>;
  /** Requests received by every server together (on `path` only, when given). */
  requestCount(path?: string): number;
  /** Every server back to its start state: no faults, no recorded requests, its starting responder. */
  reset(): void;
  close(): Promise<void>;
}

function responderFor(responders: Responders | undefined, profile: ProviderProfile): Responder | undefined {
  if (responders === undefined || typeof responders === 'function') return responders;
  return responders[profile];
}

/** Starts one fake server per profile, each answering with its responder (the fake's default otherwise). */
export async function startFakeProviders(
  profiles: readonly ProviderProfile[],
  responders?: Responders,
): Promise<FakeProviders> {
  const started = await Promise.all(
    profiles.map(async (profile) => {
      const responder = responderFor(responders, profile);
      const server =
        profile === 'anthropic'
          ? await startFakeAnthropic({ responder })
          : await startFakeOpenAI({ responder });
      return [profile, server] as const;
    }),
  );
  const servers = new Map<ProviderProfile, FakeProviderServer>(started);
  const serverOf = (profile: ProviderProfile): FakeProviderServer => {
    const server = servers.get(profile);
    if (!server)
      throw new Error(`the ${profile} fake provider was not started (profiles: ${profiles.join(', ')})`);
    return server;
  };
  const all = () => [...servers.values()];
  return {
    profiles,
    get openai() {
      return serverOf('openai');
    },
    get anthropic() {
      return serverOf('anthropic');
    },
    get selfhosted() {
      return serverOf('selfhosted');
    },
    env: Object.assign({}, ...started.map(([profile, server]) => PROFILE_ENV[profile](server))) as Record<
      string,
      string
    >,
    requestCount: (path) => all().reduce((sum, server) => sum + server.requestCount(path), 0),
    reset: () => all().forEach((server) => server.reset()),
    close: async () => {
      await Promise.allSettled(all().map((server) => server.close()));
    },
  };
}

/**
 * Fake providers for a whole suite, with the hooks that manage them: started before all its tests, back to
 * their start state before each, closed after all. Call it at the top level of the test file.
 */
export function useFakeProviders(
  profiles: readonly ProviderProfile[],
  responders?: Responders,
): FakeProviders {
  let started: FakeProviders | undefined;
  const current = (): FakeProviders => {
    if (!started) throw new Error('the fake providers are used before beforeAll started them');
    return started;
  };
  beforeAll(async () => {
    started = await startFakeProviders(profiles, responders);
  });
  afterAll(() => started?.close());
  beforeEach(() => current().reset());
  return {
    profiles,
    get openai() {
      return current().openai;
    },
    get anthropic() {
      return current().anthropic;
    },
    get selfhosted() {
      return current().selfhosted;
    },
    get env() {
      return current().env;
    },
    requestCount: (path) => current().requestCount(path),
    reset: () => current().reset(),
    close: () => current().close(),
  };
}

export interface HarnessOptions {
  /** Profiles to start fake servers for (stopped by stop()), or servers a suite shares between harnesses. */
  providers?: readonly ProviderProfile[] | FakeProviders;
  /** The responder of every started server, or one per profile. Ignored for shared servers. */
  responder?: Responders;
  /** Subgraph variables, applied after the providers' own (so a test may override those too). */
  env?: Record<string, string | undefined>;
  /** 'postgres' (the default): a schema of its own on the machine's server; 'pglite': PGlite in memory. */
  store?: 'postgres' | 'pglite';
  /** The subgraph's logger, for suites that read its lines (see logs.ts); silent by default. */
  logger?: Logger;
}

export interface Harness extends TestSubgraph {
  providers: FakeProviders;
  /** A valid token for `tenant` (all scopes unless given), minted once per tenant and scopes. */
  token(tenant: string, scopes?: string[]): Promise<string>;
  /** A client sending the shared operations as `tenant`. */
  as(tenant: string, scopes?: string[]): TenantClient;
  /** The subgraph's /metrics, read over HTTP and parsed. */
  metrics(): Promise<Metrics>;
  /** Stops the subgraph, drops its schema, and closes the fake servers it started. */
  stop(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const { providers: providersOption = [], store = 'postgres' } = options;
  if (store === 'postgres') requirePostgres();
  const ownsProviders = !isFakeProviders(providersOption);
  const providers = isFakeProviders(providersOption)
    ? providersOption
    : await startFakeProviders(providersOption, options.responder);
  const schema = store === 'postgres' ? uniqueSchemaName('h') : null;
  let subgraph: TestSubgraph;
  try {
    subgraph = await startTestSubgraph(
      {
        ...(schema ? { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema } : {}),
        ...providers.env,
        ...options.env,
      },
      options.logger,
    );
  } catch (error) {
    if (schema) await dropPostgresSchema(schema).catch(() => undefined);
    if (ownsProviders) await providers.close();
    throw error;
  }
  const tokens = new Map<string, Promise<string>>();
  const token = (tenant: string, scopes?: string[]): Promise<string> => {
    const key = `${tenant}\n${scopes?.join(' ') ?? '*'}`;
    let minted = tokens.get(key);
    if (!minted) tokens.set(key, (minted = tokenFor(tenant, scopes)));
    return minted;
  };
  const harness: Harness = {
    ...subgraph,
    providers,
    token,
    as: (tenant, scopes) => tenantClient(harness, tenant, () => token(tenant, scopes)),
    metrics: () => readMetrics(subgraph.url),
    stop: async () => {
      try {
        await subgraph.stop();
      } finally {
        if (schema) await dropPostgresSchema(schema);
        if (ownsProviders) await providers.close();
      }
    },
  };
  return harness;
}

/**
 * A harness for a whole suite: started before its tests, stopped after them. Call it at the top level of the
 * test file or of a describe; what it returns is used as the started harness itself.
 */
export function useHarness(options: HarnessOptions = {}): Harness {
  let started: Harness | undefined;
  beforeAll(async () => {
    started = await startHarness(options);
  });
  afterAll(() => started?.stop());
  return forwardingTo(() => {
    if (!started) throw new Error('the harness is used before beforeAll started it');
    return started;
  });
}

function isFakeProviders(value: readonly ProviderProfile[] | FakeProviders): value is FakeProviders {
  return !Array.isArray(value);
}

export interface DocumentInput {
  id: string;
  title: string;
  body: string;
}

/** The shared operations, sent as one tenant. The typed calls expect HTTP 200 and no GraphQL error. */
export interface TenantClient {
  readonly tenant: string;
  token(): Promise<string>;
  /** Any operation, its response as it came (status, data, errors). */
  request<Data = Record<string, unknown>>(
    operation: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<Data>>;
  /** Any operation, expected to answer HTTP 200 with data and no errors. */
  data<Data>(operation: string, variables?: Record<string, unknown>): Promise<Data>;
  ingest(document: DocumentInput): Promise<IngestResult>;
  deleteDocument(id: string): Promise<boolean>;
  ask(input: string | { question: string; limit?: number }): Promise<AskResult>;
  summarize(input: { documentId?: string; text?: string; maxWords?: number }): Promise<SummarizeResult>;
  search(input: string | { query: string; limit?: number }): Promise<SearchResult>;
  usage(): Promise<TenantUsage>;
  /** One subscription over graphql-ws, with this tenant's token in connection_init, run to its end. */
  subscribe<Data>(
    operation: string,
    variables: Record<string, unknown>,
    options?: Omit<WsSubscribeOptions, 'connectionParams' | 'variables'>,
  ): Promise<WsOutcome<Data>>;
  /** askStream's events in order, expected to end in completion with no GraphQL error. */
  askStream(
    input: string | { question: string; limit?: number },
    timeoutMs?: number,
  ): Promise<AskStreamEvent[]>;
  summarizeStream(
    input: { documentId?: string; text?: string; maxWords?: number },
    timeoutMs?: number,
  ): Promise<SummarizeStreamEvent[]>;
}

function tenantClient(subgraph: TestSubgraph, tenant: string, token: () => Promise<string>): TenantClient {
  const request = async <Data>(operation: string, variables?: Record<string, unknown>) =>
    gql<Data>(subgraph.url, operation, { token: await token(), variables });
  const data = async <Data>(operation: string, variables?: Record<string, unknown>): Promise<Data> => {
    const response = await request<Data>(operation, variables);
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    if (!response.body.data) throw new Error('no data in the response');
    return response.body.data;
  };
  const subscribe = async <Data>(
    operation: string,
    variables: Record<string, unknown>,
    options: Omit<WsSubscribeOptions, 'connectionParams' | 'variables'> = {},
  ) =>
    subscribeOnce<Data>(subgraph.wsUrl, operation, {
      ...options,
      connectionParams: { authorization: `Bearer ${await token()}` },
      variables,
    });
  const events = async <Event, Field extends string>(
    operation: string,
    field: Field,
    input: unknown,
    timeoutMs: number | undefined,
  ): Promise<Event[]> => {
    const outcome = await subscribe<Record<Field, Event>>(operation, { input }, { timeoutMs });
    if (outcome.kind !== 'results') throw new Error(`socket closed: ${outcome.code} ${outcome.reason}`);
    for (const result of outcome.results) expect(result.errors).toBeUndefined();
    return outcome.results.map((result) => result.data?.[field] as Event);
  };
  const askInput = (input: string | { question: string; limit?: number }) =>
    typeof input === 'string' ? { question: input } : input;
  return {
    tenant,
    token,
    request,
    data,
    ingest: async (document) =>
      (await data<{ ingestDocument: IngestResult }>(INGEST, { input: document })).ingestDocument,
    deleteDocument: async (id) => (await data<{ deleteDocument: boolean }>(DELETE, { id })).deleteDocument,
    ask: async (input) => (await data<{ ask: AskResult }>(ASK, { input: askInput(input) })).ask,
    summarize: async (input) => (await data<{ summarize: SummarizeResult }>(SUMMARIZE, { input })).summarize,
    search: async (input) =>
      (
        await data<{ search: SearchResult }>(SEARCH, {
          input: typeof input === 'string' ? { query: input } : input,
        })
      ).search,
    usage: async () => (await data<{ usage: TenantUsage }>(USAGE)).usage,
    subscribe,
    askStream: (input, timeoutMs) =>
      events<AskStreamEvent, 'askStream'>(ASK_STREAM, 'askStream', askInput(input), timeoutMs),
    summarizeStream: (input, timeoutMs) =>
      events<SummarizeStreamEvent, 'summarizeStream'>(SUMMARIZE_STREAM, 'summarizeStream', input, timeoutMs),
  };
}
