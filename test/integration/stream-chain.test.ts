// The stream walks the same chain as a query: a target whose circuit is open is skipped without a request,
// and the first token is awaited no longer than what is left of the request's deadline.
import { randomBytes } from 'node:crypto';
import { startFakeAnthropic, startFakeOpenAI } from '../support/providers';
import { gql, startTestSubgraph } from '../support/subgraph';
import { tokenFor } from '../support/tokens';
import { subscribeOnce } from '../support/ws-client';

const CHAT = '/v1/chat/completions';
const MESSAGES = '/v1/messages';
const ANSWER = 'Crates are weighed twice [1].';
const DOCUMENT = {
  id: 'harbour',
  title: 'Harbour ledger',
  body: 'Every quokka crate is weighed twice before the marmalade leaves the harbour warehouse.',
};
const ASK = `query { ask(input: { question: "How are quokka crates weighed?" }) { __typename } }`;
const ASK_STREAM = `subscription {
  askStream(input: { question: "How are quokka crates weighed?" }) {
    __typename
    ... on StreamNotice { reason restart }
    ... on AskCompleted {
      result { __typename ... on Answer { meta { provider } } ... on DegradedAnswer { reason } }
    }
  }
}`;

interface StreamEvent {
  __typename: string;
  reason?: string;
  restart?: boolean;
  result?: { __typename: string; reason?: string; meta?: { provider: string } };
}

async function setUp(env: Record<string, string>) {
  const [openai, anthropic] = await Promise.all([
    startFakeOpenAI({ responder: () => ANSWER }),
    startFakeAnthropic({ responder: () => ANSWER }),
  ]);
  const subgraph = await startTestSubgraph({
    OPENAI_API_KEY: 'k',
    OPENAI_BASE_URL: openai.baseURL,
    ANTHROPIC_API_KEY: 'k',
    ANTHROPIC_BASE_URL: anthropic.baseURL,
    CACHE_TTL_ANSWER_SECONDS: '0',
    ...env,
  });
  const token = await tokenFor(`chain-${randomBytes(4).toString('hex')}`);
  const ingested = await gql(
    subgraph.url,
    `mutation($input: IngestDocumentInput!) { ingestDocument(input: $input) { documentId } }`,
    { token, variables: { input: DOCUMENT } },
  );
  expect(ingested.body.errors).toBeUndefined();
  const stream = async (): Promise<StreamEvent[]> => {
    const outcome = await subscribeOnce<{ askStream: StreamEvent }>(subgraph.wsUrl, ASK_STREAM, {
      connectionParams: { authorization: `Bearer ${token}` },
    });
    if (outcome.kind !== 'results') throw new Error(`socket closed: ${outcome.code}`);
    return outcome.results.map((result) => result.data!.askStream);
  };
  return { openai, anthropic, subgraph, token, stream };
}

describe('a stream and an open circuit', () => {
  let env: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    env = await setUp({
      CIRCUIT_CONSECUTIVE_FAILURES: '1',
      CIRCUIT_COOLDOWN_MS: '60000',
      RETRY_MAX_ATTEMPTS: '1',
    });
  });
  afterAll(async () => {
    await env?.subgraph.stop();
    await Promise.allSettled([env?.openai.close(), env?.anthropic.close()]);
  });

  it('skips the primary without a request once a query has opened its circuit, and says CIRCUIT_OPEN', async () => {
    env.openai.faults.once({ kind: 'status', status: 503 });
    const opened = await gql<{ ask: { __typename: string } }>(env.subgraph.url, ASK, { token: env.token });
    expect(opened.body.data?.ask.__typename).toBe('Answer');
    expect(env.openai.requestCount(CHAT)).toBe(1);

    const events = await env.stream();
    expect(env.openai.requestCount(CHAT)).toBe(1);
    expect(events[0]).toEqual({ __typename: 'StreamNotice', reason: 'CIRCUIT_OPEN', restart: false });
    expect(events.at(-1)?.result).toEqual({ __typename: 'Answer', meta: { provider: 'anthropic' } });
    expect(env.anthropic.requestCount(MESSAGES)).toBe(2);
  });
});

describe('a stream whose primary never sends a first token', () => {
  let env: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    // The attempt timeout alone would wait 10 s for the first token; the deadline leaves only 1 s.
    env = await setUp({ DEADLINE_MS: '1000', ATTEMPT_TIMEOUT_MS: '10000' });
  });
  afterAll(async () => {
    await env?.subgraph.stop();
    await Promise.allSettled([env?.openai.close(), env?.anthropic.close()]);
  });

  it('waits for the first token no longer than what is left of the deadline', async () => {
    env.openai.faults.always({ kind: 'hang' });
    env.anthropic.faults.always({ kind: 'hang' });
    const started = Date.now();
    const events = await env.stream();
    const elapsed = Date.now() - started;
    expect(events.at(-1)?.result).toEqual({ __typename: 'DegradedAnswer', reason: 'PROVIDER_TIMEOUT' });
    expect(elapsed).toBeLessThan(3_000);
    // The hung request was abandoned when its clock ran out, not left open.
    const hung = env.openai.requests.find((request) => request.path === CHAT);
    expect(hung?.aborted).toBe(true);
  });
});
