// Concurrent streams are bounded per graphql-ws connection (WS_MAX_STREAMS_PER_CONNECTION, per replica) and
// per tenant (its policy's limits.maxConcurrentStreams, over every replica when Redis is configured). A
// stream over either limit opens no provider call: its one event is AskCompleted with AIUnavailable
// RATE_LIMITED naming the limit, and it completes. A slot comes back when its stream completes, is
// unsubscribed, or its socket closes. The outside test opened 300 provider streams from 300 askStreams on
// one socket.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { startHarness, useFakeProviders } from '../support/harness';
import { REDIS_URL, requireRedis } from '../support/services';
import type { Harness } from '../support/harness';
import { openWsConnection } from '../support/ws-client';
import type { WsConnection, WsOutcome, WsStream } from '../support/ws-client';
import { waitUntil } from '../support/wait-for';

const CHAT = '/v1/chat/completions';
requireRedis();
const ASK_STREAM = `subscription {
  askStream(input: { question: "How are quokka crates weighed?" }) {
    __typename
    ... on AskCompleted { result { __typename ... on AIUnavailable { reason message retryAfterSeconds } } }
  }
}`;
const DOCUMENT = {
  id: 'harbour',
  title: 'Harbour ledger',
  body: 'Every quokka crate is weighed twice before the marmalade leaves the harbour warehouse.',
};

interface AskStreamData {
  askStream: { __typename: string; result?: { __typename: string; reason?: string; message?: string } };
}

const unique = (name: string) => `${name}-${randomBytes(4).toString('hex')}`;

/** The outcome of a refused stream: one completed event, AIUnavailable RATE_LIMITED, naming `limit`. */
function refusedNaming(limit: string): WsOutcome<AskStreamData> {
  return {
    kind: 'results',
    results: [
      {
        data: {
          askStream: {
            __typename: 'AskCompleted',
            result: {
              __typename: 'AIUnavailable',
              reason: 'RATE_LIMITED',
              message: expect.stringContaining(limit) as unknown as string,
              retryAfterSeconds: null,
            } as AskStreamData['askStream']['result'],
          },
        },
      },
    ],
  };
}

/** How the stream ended, or 'still open' when it runs past a generous bound (a refusal is immediate). */
async function endOf(stream: WsStream<AskStreamData>): Promise<WsOutcome<AskStreamData> | 'still open'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      stream.ended,
      new Promise<'still open'>((resolve) => (timer = setTimeout(() => resolve('still open'), 5_000))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe('limits on concurrent streams', () => {
  const providers = useFakeProviders(['openai']);
  const open: WsConnection[] = [];
  const harnesses: Harness[] = [];

  /** Provider calls so far: each admitted stream makes exactly one while the provider hangs. */
  const providerCalls = () => providers.requestCount(CHAT);
  const abortedCalls = () => providers.openai.requests.filter((request) => request.aborted).length;
  const expectProviderCalls = async (count: number) => {
    await waitUntil(() => providerCalls() >= count, 5_000, `${count} provider calls`);
    // A refused stream would show up as one more call: give it time to.
    await sleep(150);
    expect(providerCalls()).toBe(count);
  };

  async function harnessWith(env: Record<string, string>): Promise<Harness> {
    const harness = await startHarness({
      providers,
      env: {
        // Only the tests end the held streams: no deadline or attempt timeout does.
        DEADLINE_MS: '60000',
        ATTEMPT_TIMEOUT_MS: '60000',
        STREAM_MAX_MS: '600000',
        ...env,
      },
    });
    harnesses.push(harness);
    return harness;
  }

  async function connect(harness: Harness, tenant: string): Promise<WsConnection> {
    const connection = openWsConnection(harness.wsUrl, {
      authorization: `Bearer ${await harness.token(tenant)}`,
    });
    open.push(connection);
    return connection;
  }

  const ask = (connection: WsConnection): WsStream<AskStreamData> =>
    connection.start<AskStreamData>(ASK_STREAM);

  beforeEach(() => providers.openai.faults.always({ kind: 'hang' }));

  afterEach(async () => {
    await Promise.all(open.splice(0).map((connection) => connection.dispose()));
  });

  afterAll(async () => {
    for (const harness of harnesses) await harness.stop();
  });

  describe('on one replica (no Redis)', () => {
    let harness: Harness;
    const capped = unique('capped-co');

    beforeAll(async () => {
      harness = await harnessWith({
        WS_MAX_STREAMS_PER_CONNECTION: '3',
        TENANT_POLICIES_JSON: JSON.stringify({
          tenants: { [capped]: { limits: { maxConcurrentStreams: 4 } } },
        }),
      });
      for (const tenant of [capped, 'many-streams-co', 'other-co', 'single-co'])
        await harness.as(tenant).ingest(DOCUMENT);
    });

    it('of 10 askStreams on one socket only WS_MAX_STREAMS_PER_CONNECTION open provider calls; the rest complete at once as RATE_LIMITED (300 askStreams on one socket opened 300 provider streams)', async () => {
      const connection = await connect(harness, 'many-streams-co');
      const held = [ask(connection), ask(connection), ask(connection)];
      await expectProviderCalls(3);
      const refused = Array.from({ length: 7 }, () => ask(connection));
      for (const stream of refused)
        expect(await endOf(stream)).toEqual(refusedNaming('WS_MAX_STREAMS_PER_CONNECTION'));
      await expectProviderCalls(3);
      expect(held.every((stream) => stream.results.length === 0)).toBe(true);

      // The limit is the connection's: another socket of the same tenant opens its own streams.
      const second = await connect(harness, 'many-streams-co');
      ask(second);
      await expectProviderCalls(4);

      // An unsubscribe gives its slot back at once.
      held[0]!.stop();
      const next = ask(connection);
      await expectProviderCalls(5);
      expect(next.results).toEqual([]);
    });

    it("a stream past the tenant's limits.maxConcurrentStreams, over all its connections, opens no provider call", async () => {
      const first = await connect(harness, capped);
      const second = await connect(harness, capped);
      for (const connection of [first, first, first, second]) ask(connection);
      await expectProviderCalls(4);
      expect(await endOf(ask(second))).toEqual(refusedNaming('limits.maxConcurrentStreams'));
      await expectProviderCalls(4);

      // Another tenant is not held back by this one's limit.
      ask(await connect(harness, 'other-co'));
      await expectProviderCalls(5);

      // A closed socket gives back every slot its streams held, as soon as their provider calls are aborted.
      await first.dispose();
      await waitUntil(() => abortedCalls() === 3, 5_000, "the closed socket's 3 provider calls aborted");
      ask(second);
      ask(second);
      await expectProviderCalls(7);
    });

    it('gives the slot back when a stream completes, with an answer or after a provider failure', async () => {
      const single = unique('single-policy-co');
      const strict = await harnessWith({
        TENANT_POLICIES_JSON: JSON.stringify({
          tenants: { [single]: { limits: { maxConcurrentStreams: 1 } } },
        }),
      });
      await strict.as(single).ingest(DOCUMENT);
      providers.openai.faults.clear();
      const connection = await connect(strict, single);
      providers.openai.faults.once({ kind: 'status', status: 400 });
      for (let i = 0; i < 3; i++) {
        const outcome = await connection.run<AskStreamData>(ASK_STREAM);
        const last = outcome.kind === 'results' ? outcome.results.at(-1) : undefined;
        expect(last?.data?.askStream.__typename).toBe('AskCompleted');
        expect(last?.data?.askStream.result?.reason).not.toBe('RATE_LIMITED');
      }
      expect(providerCalls()).toBe(3);
    });
  });

  describe('over two replicas sharing Redis', () => {
    it("holds the tenant's limit across replicas, and frees a slot on one for the other", async () => {
      const env = {
        REDIS_URL,
        TENANT_POLICIES_JSON: JSON.stringify({ default: { limits: { maxConcurrentStreams: 2 } } }),
      };
      const a = await harnessWith(env);
      const b = await harnessWith(env);
      const tenant = unique('replicated-co');
      // Each harness has a store of its own: the document goes to both, so both replicas call the provider.
      await a.as(tenant).ingest(DOCUMENT);
      await b.as(tenant).ingest(DOCUMENT);
      const onA = await connect(a, tenant);
      const onB = await connect(b, tenant);
      const heldOnA = ask(onA);
      ask(onB);
      await expectProviderCalls(2);
      expect(await endOf(ask(onA))).toEqual(refusedNaming('limits.maxConcurrentStreams'));
      expect(await endOf(ask(onB))).toEqual(refusedNaming('limits.maxConcurrentStreams'));
      await expectProviderCalls(2);

      heldOnA.stop();
      await waitUntil(() => abortedCalls() === 1, 5_000, "the stopped stream's provider call aborted");
      ask(onB);
      await expectProviderCalls(3);
    });
  });
});
