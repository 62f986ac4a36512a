// A stream's delta gaps while searches run on the same process: the subgraph (a child, PGlite in the seeded
// DATA_DIR) streams a long askStream answer from the fake OpenAI server, which sends a delta every `dripMs`;
// this process times the gap between consecutive AnswerDeltas over graphql-ws, once with no other work
// (baseline) and once while `concurrency` callers search the same tenant over HTTP without pause. What the
// searches add to the gaps is how long they hold the subgraph's event loop.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { Child } from '../support/child-process';
import { post } from '../support/subgraph';
import { percentile, summarizeLatencies } from './service-time';
import type { Latencies } from './service-time';

const ASK_STREAM = `subscription AskStream($input: AskInput!) {
  askStream(input: $input) {
    __typename
    ... on AnswerDelta { index text }
    ... on StreamNotice { reason }
    ... on AskCompleted { result { __typename } }
  }
}`;

const SEARCH = `query Search($input: SearchInput!) {
  search(input: $input) {
    __typename
    ... on SearchResults { hits { chunkId score } }
    ... on DegradedSearchResults { hits { chunkId score } reason }
    ... on AIUnavailable { reason }
  }
}`;

export interface Gaps {
  deltas: number;
  p50Ms: number;
  p99Ms: number;
  /**
   * The gap a reader is in at a random instant of the stream, 99th percentile: deltas held back by a stalled
   * event loop arrive in a burst, whose many near-zero gaps would hide the stall from a per-delta p99.
   */
  timeWeightedP99Ms: number;
  maxMs: number;
  completed: string;
}

interface StreamEvent {
  askStream?: { __typename?: string; result?: { __typename?: string }; reason?: string };
}

/** The smallest gap such that gaps up to it cover `p` % of the time spent in gaps (sorted ascending). */
export function timeWeightedPercentile(sorted: readonly number[], p: number): number {
  const total = sorted.reduce((sum, gap) => sum + gap, 0);
  let covered = 0;
  for (const gap of sorted) {
    covered += gap;
    if (covered >= (p / 100) * total) return gap;
  }
  return NaN;
}

/** One askStream run to its end: the gaps between consecutive deltas as this client received them. */
export function streamGaps(wsUrl: string, token: string, question: string, timeoutMs: number): Promise<Gaps> {
  return new Promise<Gaps>((resolve, reject) => {
    const arrivals: number[] = [];
    let completed = 'none';
    const client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: { authorization: token },
    });
    const timer = setTimeout(
      () => finish(new Error(`askStream did not end within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const finish = (error?: Error) => {
      clearTimeout(timer);
      void client.dispose();
      if (error) return reject(error);
      const gaps = arrivals
        .slice(1)
        .map((at, i) => at - (arrivals[i] ?? at))
        .sort((a, b) => a - b);
      resolve({
        deltas: arrivals.length,
        p50Ms: percentile(gaps, 50),
        p99Ms: percentile(gaps, 99),
        timeWeightedP99Ms: timeWeightedPercentile(gaps, 99),
        maxMs: gaps.at(-1) ?? NaN,
        completed,
      });
    };
    client.subscribe<StreamEvent>(
      { query: ASK_STREAM, variables: { input: { question, limit: 6 } } },
      {
        next: (result) => {
          const event = result.data?.askStream;
          if (event?.__typename === 'AnswerDelta') arrivals.push(performance.now());
          else if (event?.__typename === 'AskCompleted') completed = event.result?.__typename ?? 'unknown';
          else if (event?.__typename === 'StreamNotice') completed = `notice ${event.reason ?? ''}`;
          if (result.errors) finish(new Error(JSON.stringify(result.errors).slice(0, 500)));
        },
        error: (error: unknown) => finish(error instanceof Error ? error : new Error(JSON.stringify(error))),
        complete: () => finish(),
      },
    );
  });
}

/** `concurrency` callers searching over HTTP without pause until `stop` resolves; their latencies. */
export async function searchLoad(
  url: string,
  headers: Record<string, string>,
  queries: readonly string[],
  concurrency: number,
  stop: Promise<unknown>,
): Promise<Latencies & { members: Record<string, number> }> {
  let stopped = false;
  void stop.finally(() => (stopped = true));
  const started = performance.now();
  const samples: number[] = [];
  const members: Record<string, number> = {};
  let next = 0;
  const loop = async () => {
    while (!stopped) {
      const query = queries[next++ % queries.length] ?? '';
      const body = JSON.stringify({ query: SEARCH, variables: { input: { query, limit: 10 } } });
      const sent = performance.now();
      const reply = await post(url, headers, body);
      samples.push(performance.now() - sent);
      const typename = reply.body.data?.search?.__typename;
      const member = typeof typename === 'string' ? typename : `HTTP ${reply.status}`;
      members[member] = (members[member] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return { ...summarizeLatencies(samples, performance.now() - started), members };
}

export interface StreamGapRun {
  baseline: Gaps;
  underLoad: Gaps;
  searches: Latencies & { members: Record<string, number> };
}

/** Baseline stream, then the same stream with `concurrency` searches running throughout. */
export async function measureStreamGaps(
  subgraph: Child,
  headers: Record<string, string>,
  options: { question: string; queries: readonly string[]; concurrency: number; timeoutMs: number },
): Promise<StreamGapRun> {
  const url = String(subgraph.ready.url);
  const wsUrl = url.replace(/^http/, 'ws');
  const token = headers.authorization ?? '';
  const baseline = await streamGaps(wsUrl, token, options.question, options.timeoutMs);
  let done: () => void = () => undefined;
  const stop = new Promise<void>((resolve) => (done = resolve));
  const load = searchLoad(url, headers, options.queries, options.concurrency, stop);
  // Let every search caller get going before the stream starts.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const underLoad = await streamGaps(wsUrl, token, options.question, options.timeoutMs).finally(done);
  return { baseline, underLoad, searches: await load };
}
