// The foundation benchmark's steps: the subgraph's per-request machinery (JWT verification, context, plugins,
// validation rules) against a bare Apollo Server measured side by side, and an authenticated search over a
// seeded corpus on PGlite, on PostgreSQL and through the retrieval cache. Each step starts the servers it
// needs as children of `run.children` and returns what it measured.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildGroup, Child } from '../support/child-process';
import { SEARCH_QUERIES } from '../support/corpus';
import { graphqlLabels } from '../support/load';
import type { LoadSpec } from '../support/load';
import { measure, measureInterleaved, requireClean } from '../support/measure';
import type { Measured } from '../support/measure';
import type { SearchDiagnosis } from '../support/search-diagnostics';
import { SERVERS, dropSchema, expectMember, subgraphEnv, uniqueSchema } from '../support/subgraph';

export const SEARCH_LIMIT = 10;
const TYPENAME = JSON.stringify({ query: '{ __typename }' });
const SEARCH = `query Search($input: SearchInput!) {
  search(input: $input) {
    __typename
    ... on SearchResults { hits { documentId chunkId title snippet score } meta { requestId latencyMs } }
    ... on DegradedSearchResults { hits { documentId chunkId title snippet score } reason meta { requestId latencyMs } }
    ... on AIUnavailable { reason message }
  }
}`;
const searchBody = (n: number) =>
  JSON.stringify({
    query: SEARCH,
    variables: { input: { query: SEARCH_QUERIES[n % SEARCH_QUERIES.length], limit: SEARCH_LIMIT } },
  });

/** With no provider configured, a right search answer is the lexical member with a full page of hits. */
function isSearchAnswer(status: number, body: string): boolean {
  if (status !== 200) return false;
  try {
    const parsed = JSON.parse(body) as { data?: { search?: { __typename?: string; hits?: unknown[] } } };
    const search = parsed.data?.search;
    return search?.__typename === 'DegradedSearchResults' && search.hits?.length === SEARCH_LIMIT;
  } catch {
    return false;
  }
}
const isTypename = (status: number, body: string) =>
  status === 200 && body.trim() === '{"data":{"__typename":"Query"}}';

export interface FoundationSettings {
  connections: number;
  durationS: number;
  warmupS: number;
  documents: number;
  chars: number;
  slices: number;
  databaseUrl: string;
}

export interface FoundationRun {
  settings: FoundationSettings;
  children: ChildGroup;
  headers: Record<string, string>;
}

export interface Seeded {
  subgraph: Child;
  documents: number;
  chunks: number;
  seedMs: number;
}

export interface Row {
  name: string;
  measured: Measured;
}

const spec = (run: FoundationRun, title: string, url: string, search: boolean): LoadSpec => ({
  title,
  url,
  connections: run.settings.connections,
  durationS: run.settings.durationS,
  warmupS: run.settings.warmupS,
  headers: run.headers,
  body: search ? searchBody : () => TYPENAME,
  classify: graphqlLabels,
  verify: search ? isSearchAnswer : isTypename,
});

/** The subgraph on PGlite in a temporary DATA_DIR, seeded through the ingest feature before it listens. */
export async function startSeededSubgraph(
  run: FoundationRun,
  extra: Record<string, string> = {},
): Promise<Seeded> {
  console.log(`seeding ${run.settings.documents} documents into the subgraph's store...`);
  const subgraph = await run.children.start(
    SERVERS.subgraph,
    subgraphEnv({
      // c, c1 and c2 measure the database path; c3 measures the retrieval cache the default config turns on.
      SEARCH_CACHE_MAX_MB: '0',
      BENCH_SEED_DOCUMENTS: String(run.settings.documents),
      BENCH_SEED_CHARS: String(run.settings.chars),
      ...extra,
    }),
  );
  await expectMember(
    String(subgraph.ready.url),
    run.headers,
    searchBody(0),
    'search',
    'DegradedSearchResults',
  );
  return {
    subgraph,
    documents: Number(subgraph.ready.documents),
    chunks: Number(subgraph.ready.chunks),
    seedMs: Number(subgraph.ready.seedMs),
  };
}

/** A temporary DATA_DIR for the PGlite subgraph, removed when `work` is done. */
export async function withDataDir<T>(work: (dataDir: string) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-foundation-'));
  try {
    return await work(dataDir);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** a), b), b0): the same `{ __typename }` on the bare baseline and the subgraph, in alternating slices. */
export async function measureAuthOverhead(run: FoundationRun, seeded: Seeded): Promise<Row[]> {
  const url = String(seeded.subgraph.ready.url);
  return run.children.with(SERVERS.bare, { NODE_ENV: 'production' }, async (bare) => {
    const bareSpec = { ...spec(run, 'bare', String(bare.ready.url), false), headers: {} };
    const anonymous = { ...spec(run, 'subgraph, anonymous', url, false), headers: {} };
    const [a, b, b0] = await measureInterleaved(
      [
        { spec: bareSpec, processes: { server: bare } },
        { spec: spec(run, 'subgraph, JWT', url, false), processes: { server: seeded.subgraph } },
        { spec: anonymous, processes: { server: seeded.subgraph } },
      ],
      run.settings.slices,
    );
    if (!a || !b || !b0) throw new Error('the interleaved run lost a scenario');
    return [
      { name: 'a) bare Apollo Server, `{ __typename }`, no auth', measured: requireClean(a) },
      { name: 'b) subgraph, `{ __typename }`, bearer JWT verified', measured: requireClean(b) },
      {
        name: 'b0) subgraph, `{ __typename }`, no token (anonymous; supplementary)',
        measured: requireClean(b0),
      },
    ];
  });
}

/** c) search over the seeded chunks, c1) the same at one connection: its service time. */
export async function measureSearch(run: FoundationRun, seeded: Seeded): Promise<Row[]> {
  const url = String(seeded.subgraph.ready.url);
  const processes = { server: seeded.subgraph, subgraph: true };
  const c = await measure(spec(run, 'search', url, true), processes);
  const oneConnection = {
    ...spec(run, 'search, 1 connection', url, true),
    connections: 1,
    durationS: Math.max(3, Math.round(run.settings.durationS / 2)),
    warmupS: Math.min(1, run.settings.warmupS),
  };
  const c1 = await measure(oneConnection, processes);
  return [
    { name: `c) subgraph, search over ${seeded.chunks} chunks (PGlite), JWT`, measured: requireClean(c) },
    { name: 'c1) same search, 1 connection (service time; supplementary)', measured: requireClean(c1) },
  ];
}

/** Where one search's time goes, measured inside the subgraph process after the load. */
export function diagnose(seeded: Seeded): Promise<SearchDiagnosis> {
  console.log('diagnosing search inside the subgraph process...');
  return seeded.subgraph.call<SearchDiagnosis>('diagnose', {
    queries: SEARCH_QUERIES,
    limit: SEARCH_LIMIT,
    repeats: 5,
  });
}

/** c2) the same search with the store on the PostgreSQL server (pg pool), in a schema of its own. */
export async function measureSearchOnPostgres(run: FoundationRun): Promise<Row> {
  const schema = uniqueSchema('bench_fd');
  const { databaseUrl } = run.settings;
  try {
    const seeded = await startSeededSubgraph(run, { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema });
    const url = String(seeded.subgraph.ready.url);
    const measured = await measure(spec(run, 'search, PostgreSQL', url, true), {
      server: seeded.subgraph,
      subgraph: true,
    });
    await run.children.stop(seeded.subgraph);
    return { name: 'c2) same search, store on PostgreSQL (supplementary)', measured: requireClean(measured) };
  } finally {
    await dropSchema(databaseUrl, schema);
  }
}

/** c3) the default config, whose retrieval cache answers the rotated queries after one pass. */
export async function measureSearchCached(run: FoundationRun): Promise<Row> {
  const seeded = await startSeededSubgraph(run, { SEARCH_CACHE_MAX_MB: '32' });
  const url = String(seeded.subgraph.ready.url);
  const measured = await measure(spec(run, 'search, cached', url, true), {
    server: seeded.subgraph,
    subgraph: true,
  });
  await run.children.stop(seeded.subgraph);
  return {
    name: 'c3) same search, retrieval cache on (default config; supplementary)',
    measured: requireClean(measured),
  };
}
