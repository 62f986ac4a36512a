// Scenario 2: the subgraph's summarize cache hit (the same text every time, everything on) against a bare
// Apollo Server answering `{ hello }` on the same http framework (express 5), each in its own process,
// in interleaved slices at the same concurrency. The target is a throughput ratio.
import type { Child } from '../support/child-process';
import { graphqlLabels } from '../support/load';
import type { LoadSpec } from '../support/load';
import { measureInterleaved } from '../support/measure';
import type { Measured } from '../support/measure';
import { SERVERS, expectMember } from '../support/subgraph';
import type { LoadShape } from './added-latency';
import { HELLO_BODY, isSummary, summarizeBody } from './setup';
import type { LatencyRun } from './setup';

export interface CacheHitRun {
  connections: number;
  bare: Measured;
  hit: Measured;
}

export async function measureCacheHit(
  run: LatencyRun,
  subgraph: Child,
  connections: number,
  shape: LoadShape,
): Promise<CacheHitRun> {
  console.log(`2) cache hit against a bare Apollo Server at ${connections} concurrent`);
  const url = String(subgraph.ready.url);
  // The first request fills the cache; every later one with the same text is a hit.
  await expectMember(url, run.headers, summarizeBody(false)(), 'summarize', 'Summary');
  const cached = await expectCached(url, run.headers);
  if (!cached) throw new Error('the second identical summarize was not a cache hit');
  return run.children.with(
    SERVERS.bare,
    { NODE_ENV: 'production', BENCH_BARE_SCHEMA: 'hello' },
    async (bare) => {
      const common = {
        connections,
        durationS: shape.durationS,
        warmupS: shape.warmupS,
        classify: graphqlLabels,
      };
      const bareSpec: LoadSpec = {
        ...common,
        title: 'bare Apollo Server { hello }',
        url: String(bare.ready.url),
        body: () => HELLO_BODY,
        verify: (status, body) => status === 200 && body.includes('"hello":"world"'),
      };
      const hitSpec: LoadSpec = {
        ...common,
        title: 'subgraph summarize, cache hit, all on',
        url,
        headers: run.headers,
        body: summarizeBody(false),
        verify: (status, body) => isSummary(status, body) && body.includes('"cached":true'),
      };
      const [bareRun, hitRun] = await measureInterleaved(
        [
          { spec: bareSpec, processes: { server: bare } },
          {
            spec: hitSpec,
            processes: { server: subgraph, others: { receiver: run.receiver }, subgraph: true },
          },
        ],
        shape.slices,
        { alternate: true },
      );
      if (!bareRun || !hitRun) throw new Error('the interleaved run lost a server');
      return { connections, bare: bareRun, hit: hitRun };
    },
  );
}

async function expectCached(url: string, headers: Record<string, string>): Promise<boolean> {
  const result = await expectMember(url, headers, summarizeBody(false)(), 'summarize', 'Summary');
  return (result.meta as { cached?: boolean } | undefined)?.cached === true;
}
