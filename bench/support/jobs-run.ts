// What bench:jobs and bench/profile-jobs.ts share: the subgraph's settings for background jobs (the fake
// provider's env, no tracing, no seeded documents, the summary cache off so every job calls the model, a poll of
// 100 ms, limits the runs never reach), and the client's side: a summary job started, and waiting for jobs to end.
import { fakeProviderEnv, post, TENANT } from './subgraph';

const TEXT = 'The depot opens at six. Trucks leave for the coast every hour. Drivers rest after four hours.';
const START = `mutation($input: SummarizeInput!) { startSummaryJob(input: $input) { id status } }`;
const READ = `query($id: ID!) { aiJob(id: $id) { status } }`;

/** The subgraph's env for the jobs benchmarks, `concurrency` jobs at once; the store is the caller's to add. */
export function jobsSubgraphEnv(
  providers: { ready: Record<string, unknown> },
  concurrency: number,
): Record<string, string> {
  return {
    ...fakeProviderEnv(providers),
    OTEL_SDK_DISABLED: 'true',
    BENCH_SEED_DOCUMENTS: '0',
    CACHE_TTL_SUMMARIZE_SECONDS: '0',
    JOB_CONCURRENCY: String(concurrency),
    JOB_POLL_INTERVAL_MS: '100',
    TENANT_POLICIES_JSON: JSON.stringify({
      tenants: { [TENANT]: { jobs: { maxQueued: 100_000, maxRunning: 10_000 } } },
    }),
  };
}

/** Starts summary job number `n` (its text distinct, so no two share a cache entry); its id. */
export async function startJob(url: string, headers: Record<string, string>, n: number): Promise<string> {
  const reply = await post(
    url,
    headers,
    JSON.stringify({ query: START, variables: { input: { text: `${TEXT} ${n}` } } }),
  );
  const id = (reply.body.data?.startSummaryJob as { id?: string } | null)?.id;
  if (!id) throw new Error(`startSummaryJob failed: ${reply.status} ${reply.text.slice(0, 300)}`);
  return id;
}

async function isFinished(url: string, headers: Record<string, string>, id: string): Promise<boolean> {
  const reply = await post(url, headers, JSON.stringify({ query: READ, variables: { id } }));
  const status = (reply.body.data?.aiJob as { status?: string } | null)?.status;
  if (status === 'FAILED' || status === 'CANCELLED') throw new Error(`job ${id} ended ${status}`);
  return status === 'COMPLETED';
}

/** Waits until every job of `ids` (oldest first) has completed, reading the oldest unfinished ones. */
export async function allCompleted(
  url: string,
  headers: Record<string, string>,
  ids: string[],
): Promise<void> {
  const pending = [...ids];
  while (pending.length > 0) {
    const head = pending.slice(0, 16);
    const done = await Promise.all(head.map((id) => isFinished(url, headers, id)));
    const finished = new Set(head.filter((_, i) => done[i]));
    pending.splice(0, pending.length, ...pending.filter((id) => !finished.has(id)));
    if (finished.size < head.length) await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
