// aiJobUpdated subscriptions take the slots of their graphql-ws connection (WS_MAX_STREAMS_PER_CONNECTION) as
// the AI streams do: each one reads its job from the store while the job waits, so one socket subscribing ten
// thousand times to a queued job made ten thousand reads a poll, for every tenant on the replica to pay for
// (found by a read-only review). One past the limit is refused with JOB_LIMIT_EXCEEDED naming the variable,
// and a slot comes back when a subscription ends.
import { setTimeout as sleep } from 'node:timers/promises';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { AI_JOB_UPDATED, FAST_JOBS, START_SUMMARY_JOB } from '../support/job-operations';
import type { AIJob } from '../support/job-operations';
import { openWsConnection } from '../support/ws-client';
import type { WsConnection, WsStream } from '../support/ws-client';
import { waitUntil } from '../support/wait-for';

jest.setTimeout(60_000);

const TENANT = `watching-${process.pid}`;

describe('aiJobUpdated subscriptions per connection', () => {
  let harness: Harness;
  let connection: WsConnection;

  beforeAll(async () => {
    harness = await startHarness({
      store: 'pglite',
      // No runner: the job stays queued, so every subscription stays open.
      env: { ...FAST_JOBS, JOB_CONCURRENCY: '0', WS_MAX_STREAMS_PER_CONNECTION: '2' },
    });
    connection = openWsConnection(harness.wsUrl, { authorization: `Bearer ${await harness.token(TENANT)}` });
  });
  afterAll(async () => {
    await connection?.dispose();
    await harness?.stop();
  });

  it('refuses one past WS_MAX_STREAMS_PER_CONNECTION, naming it, and gives a slot back when one ends', async () => {
    const job = (
      await harness.as(TENANT).data<{ startSummaryJob: AIJob }>(START_SUMMARY_JOB, {
        input: { text: 'The quay closes at dusk. Cranes stop when the wind passes forty knots.' },
      })
    ).startSummaryJob;
    const watch = () => connection.start<{ aiJobUpdated: AIJob }>(AI_JOB_UPDATED, { id: job.id });
    const firstEvent = (stream: WsStream<{ aiJobUpdated: AIJob }>) =>
      waitUntil(() => stream.results.length > 0, 5_000, 'the job as it stands');

    const held = [watch(), watch()];
    for (const stream of held) await firstEvent(stream);
    expect(held.map((stream) => stream.results[0]?.data?.aiJobUpdated.status)).toEqual(['QUEUED', 'QUEUED']);

    const refused = await watch().ended;
    if (refused.kind !== 'results') throw new Error(`socket closed: ${refused.code}`);
    expect(refused.results.flatMap((result) => result.errors ?? [])).toEqual([
      expect.objectContaining({
        extensions: { code: 'JOB_LIMIT_EXCEEDED', limit: 'WS_MAX_STREAMS_PER_CONNECTION', max: 2 },
      }),
    ]);

    held[0]!.stop();
    await sleep(100);
    const next = watch();
    await firstEvent(next);
    expect(next.results[0]?.data?.aiJobUpdated.status).toBe('QUEUED');
  });
});
