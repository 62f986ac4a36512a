// Foundation benchmark: what the subgraph's per-request machinery (JWT verification, context, plugins,
// validation rules) costs against a bare Apollo Server, and how fast an authenticated search is over 10,000
// chunks. Each server runs in its own child process; this process only generates load (autocannon).
//
//   npm run bench:foundation                      (= tsx bench/foundation.ts)
//   tsx bench/foundation.ts --duration 10 --warmup 2 --connections 50 --documents 1000 --slices 2 [--no-write]
//     [--skip-postgres] [--database-url postgresql://root@127.0.0.1:5432/test]
//
// Results print as markdown and replace this benchmark's block in BENCHMARKS.md.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { mintToken } from '../subgraph/auth/mint-token';
import { startChildServer } from './support/child-process';
import type { ChildServer } from './support/child-process';
import { SEARCH_QUERIES } from './support/corpus';
import { failuresOf, runInterleaved, runLoad } from './support/load';
import type { LoadOptions, LoadResult } from './support/load';
import { loadTable, markdownTable, writeSection } from './support/report';
import type { SearchDiagnosis } from './support/search-diagnostics';

const ROOT = join(__dirname, '..');
const BARE_ENTRY = join(__dirname, 'support', 'bare-server.ts');
const SUBGRAPH_ENTRY = join(__dirname, 'support', 'subgraph-server.ts');
const BENCHMARKS_FILE = join(ROOT, 'BENCHMARKS.md');

const SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
const ISSUER = 'https://auth.bench.example';
const AUDIENCE = 'ai-subgraph';
const TENANT = 'bench';
const SEARCH_LIMIT = 10;
const THROUGHPUT_RATIO_TARGET = 0.8;
const SEARCH_P99_TARGET_MS = 25;

const TYPENAME_BODY = JSON.stringify({ query: '{ __typename }' });
const TYPENAME_ANSWER = { data: { __typename: 'Query' } };
const SEARCH_DOCUMENT = `query Search($input: SearchInput!) {
  search(input: $input) {
    __typename
    ... on SearchResults { hits { documentId chunkId title snippet score } meta { requestId latencyMs } }
    ... on DegradedSearchResults { hits { documentId chunkId title snippet score } reason meta { requestId latencyMs } }
    ... on AIUnavailable { reason message }
  }
}`;

const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: '50' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    documents: { type: 'string', default: '1000' },
    slices: { type: 'string', default: '2' },
    chars: { type: 'string', default: '9000' },
    'no-write': { type: 'boolean', default: false },
    'skip-postgres': { type: 'boolean', default: false },
    'database-url': {
      type: 'string',
      default: process.env.BENCH_DATABASE_URL ?? 'postgresql://root@127.0.0.1:5432/test',
    },
  },
});

const positive = (name: string, raw: string | undefined): number => {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`--${name} expects a positive number, got ${raw}`);
  return value;
};
const options = {
  connections: positive('connections', args.connections),
  durationSeconds: positive('duration', args.duration),
  warmupSeconds: Number(args.warmup ?? '0'),
  documents: positive('documents', args.documents),
  slices: Math.round(positive('slices', args.slices)),
  charsPerDocument: positive('chars', args.chars),
  write: !args['no-write'],
  postgres: !args['skip-postgres'],
  databaseUrl: args['database-url'] ?? '',
};

const searchBodies = SEARCH_QUERIES.map((query) =>
  JSON.stringify({ query: SEARCH_DOCUMENT, variables: { input: { query, limit: SEARCH_LIMIT } } }),
);

/** A search answer is right when it is the lexical member with a full page of hits. */
function isSearchAnswer(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as {
      data?: { search?: { __typename?: string; hits?: unknown[] } };
      errors?: unknown;
    };
    const search = parsed.data?.search;
    return (
      parsed.errors === undefined &&
      search?.__typename === 'DegradedSearchResults' &&
      search.hits?.length === SEARCH_LIMIT
    );
  } catch {
    return false;
  }
}

/** One request before the load, so a misconfigured server fails here with its answer, not as a fast 0 req/s. */
async function sanityCheck(
  url: string,
  body: string,
  token: string | undefined,
  verify: (b: string) => boolean,
) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body,
  });
  const text = await response.text();
  if (response.status !== 200 || !verify(text)) {
    throw new Error(`sanity request to ${url} answered ${response.status}: ${text.slice(0, 500)}`);
  }
}

function validated(label: string, result: LoadResult): { label: string; result: LoadResult } {
  process.stdout.write(
    `${label}: ${result.requestsPerSecond} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms\n`,
  );
  if (failuresOf(result) > 0) {
    throw new Error(
      `${label}: ${result.non2xx} non-2xx, ${result.errors} errors (${result.timeouts} timeouts), ` +
        `${result.mismatches} wrong bodies: not a valid measurement`,
    );
  }
  return { label, result };
}

async function measure(label: string, load: LoadOptions): Promise<{ label: string; result: LoadResult }> {
  await sanityCheck(load.url, load.bodies[0] ?? '', load.token, load.verifyBody);
  process.stdout.write(`running ${label} (${load.connections} connections, ${load.durationSeconds} s)...\n`);
  return validated(label, await runLoad(load));
}

function subgraphEnv(extra: Record<string, string>): Record<string, string> {
  return {
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    AUTH_JWT_SECRET: SECRET,
    AUTH_PUBLIC_KEY: '',
    AUTH_JWKS_URL: '',
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    REDIS_URL: '',
    DATABASE_URL: '',
    // c, c1 and c2 measure the database path; c3 measures the retrieval cache the default config turns on.
    SEARCH_CACHE_ENTRIES: '0',
    BENCH_TENANT: TENANT,
    BENCH_SEED_DOCUMENTS: String(options.documents),
    BENCH_SEED_CHARS: String(options.charsPerDocument),
    ...extra,
  };
}

async function withChild<T>(child: ChildServer, work: (child: ChildServer) => Promise<T>): Promise<T> {
  try {
    return await work(child);
  } finally {
    await child.stop();
  }
}

const fmt = (value: number, digits = 1) => value.toFixed(digits);

function diagnosisMarkdown(diagnosis: SearchDiagnosis): string {
  const rows = diagnosis.queries.map((q) => [
    `\`${q.query}\``,
    `${q.orMatches} (${fmt((100 * q.orMatches) / Math.max(1, diagnosis.chunks), 0)}%)`,
    q.andMatches,
    q.searchLexicalMs,
    q.matchOnlyMs,
    q.rankCdMs,
    q.rankMs,
    q.headlineMs,
  ]);
  const indexUsed = (plan: string[]) => plan.some((line) => line.includes('chunks_tsv_idx'));
  return [
    `Uncontended, sequential, inside the PGlite subgraph process after the load runs (median of repeated runs, ms):`,
    '',
    markdownTable(
      [
        'query',
        'OR matches (of chunks)',
        'AND matches',
        'searchLexical',
        'match only (count)',
        'ts_rank_cd top 10',
        'ts_rank top 10',
        'ts_headline ×10',
      ],
      rows,
    ),
    '',
    `- Tenant-scoped transaction alone (BEGIN, set_config role + tenant, SELECT 1, COMMIT): ` +
      `${diagnosis.emptyScopedTransactionMs} ms.`,
    `- Chunks table: heap ${fmt(diagnosis.heapBytes / 2 ** 20)} MiB, TOAST ${fmt(diagnosis.toastBytes / 2 ** 20)} MiB ` +
      '(rows over ~2 kB move their largest values, often the tsvector, out of line).',
    `- Planner statistics on the chunks table while serving: ` +
      `${diagnosis.statisticsBeforeDiagnosis ? 'yes' : 'none (never analyzed)'}; the index check below ran ANALYZE first.`,
    `- GIN index \`chunks_tsv_idx\` used for an AND match under RLS (as served): ` +
      `${indexUsed(diagnosis.andPlanUnderRls) ? 'yes' : 'no'}; as the table owner (RLS bypassed): ` +
      `${indexUsed(diagnosis.andPlanAsOwner) ? 'yes' : 'no'}. ` +
      `LEAKPROOF: ${Object.entries(diagnosis.leakproof)
        .map(([name, leakproof]) => `${name}=${leakproof}`)
        .join(', ')}.`,
    '',
    '<details><summary>EXPLAIN (ANALYZE, BUFFERS) of the store’s searchLexical, first query</summary>',
    '',
    '```',
    ...diagnosis.plan,
    '```',
    '',
    'AND match under RLS:',
    '',
    '```',
    ...diagnosis.andPlanUnderRls,
    '```',
    '',
    'AND match as owner:',
    '',
    '```',
    ...diagnosis.andPlanAsOwner,
    '```',
    '',
    '</details>',
  ].join('\n');
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadAtStart = loadavg()[0] ?? 0;
  const token = await mintToken({ secret: SECRET, tenantId: TENANT, issuer: ISSUER, audience: AUDIENCE });
  const common = {
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
  };
  const rows: { label: string; result: LoadResult }[] = [];

  // The subgraph on PGlite in a temporary DATA_DIR, seeded before it listens; and the bare baseline.
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-foundation-'));
  let seeded: { documents: number; chunks: number; seedMs: number };
  let diagnosis: SearchDiagnosis;
  let search: { label: string; result: LoadResult };
  try {
    process.stdout.write(`seeding ${options.documents} documents into the subgraph's PGlite...\n`);
    const subgraph = await startChildServer(SUBGRAPH_ENTRY, subgraphEnv({ DATA_DIR: dataDir }), {
      startTimeoutMs: 300_000,
    });
    ({ diagnosis, search, seeded } = await withChild(subgraph, async (child) => {
      const url = String(child.ready.url);
      const chunks = Number(child.ready.chunks);

      // a) and b): the same trivial query, bare versus the subgraph with a verified JWT, in alternating slices.
      const bare = await startChildServer(BARE_ENTRY, { NODE_ENV: 'production' });
      await withChild(bare, async (baseline) => {
        const a: LoadOptions = {
          ...common,
          name: 'bare',
          url: String(baseline.ready.url),
          serverCpuMicros: () => baseline.cpuMicros(),
          bodies: [TYPENAME_BODY],
          verifyBody: (body) => body.trim() === JSON.stringify(TYPENAME_ANSWER),
        };
        const b: LoadOptions = {
          ...a,
          name: 'subgraph-typename',
          url,
          token,
          serverCpuMicros: () => child.cpuMicros(),
        };
        const anonymous: LoadOptions = { ...b, name: 'subgraph-anonymous', token: undefined };
        await sanityCheck(a.url, TYPENAME_BODY, undefined, a.verifyBody);
        await sanityCheck(b.url, TYPENAME_BODY, token, b.verifyBody);
        await sanityCheck(b.url, TYPENAME_BODY, undefined, b.verifyBody);
        process.stdout.write(
          `running a), b) and b0) in ${options.slices} alternating slices each (${options.connections} ` +
            `connections, ${options.durationSeconds} s each in total)...\n`,
        );
        const [resultA, resultB, resultB0] = await runInterleaved([a, b, anonymous], options.slices);
        if (!resultA || !resultB || !resultB0) throw new Error('interleaved run lost a scenario');
        rows.push(validated('a) bare Apollo Server, `{ __typename }`, no auth', resultA));
        rows.push(validated('b) subgraph, `{ __typename }`, bearer JWT verified', resultB));
        rows.push(validated('b0) subgraph, `{ __typename }`, no token (anonymous; supplementary)', resultB0));
      });

      // c) search over the seeded chunks, then the same at one connection, then where its time goes.
      const searchRow = await measure(`c) subgraph, search over ${chunks} chunks (PGlite), JWT`, {
        ...common,
        name: 'search',
        url,
        token,
        serverCpuMicros: () => child.cpuMicros(),
        bodies: searchBodies,
        verifyBody: isSearchAnswer,
      });
      rows.push(searchRow);
      rows.push(
        await measure('c1) same search, 1 connection (service time; supplementary)', {
          ...common,
          connections: 1,
          durationSeconds: Math.max(3, Math.round(options.durationSeconds / 2)),
          warmupSeconds: Math.min(1, options.warmupSeconds),
          name: 'search-1',
          url,
          token,
          serverCpuMicros: () => child.cpuMicros(),
          bodies: searchBodies,
          verifyBody: isSearchAnswer,
        }),
      );
      process.stdout.write('diagnosing search inside the subgraph process...\n');
      const found = await child.call<SearchDiagnosis>('diagnose', {
        queries: SEARCH_QUERIES,
        limit: SEARCH_LIMIT,
        repeats: 5,
      });
      return {
        diagnosis: found,
        search: searchRow,
        seeded: { documents: Number(child.ready.documents), chunks, seedMs: Number(child.ready.seedMs) },
      };
    }));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }

  // c2) supplementary: the same search with the store on the PostgreSQL server (pg pool).
  if (options.postgres) {
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    try {
      const child = await startChildServer(
        SUBGRAPH_ENTRY,
        subgraphEnv({ DATABASE_URL: options.databaseUrl, DATABASE_SCHEMA: schema }),
        { startTimeoutMs: 300_000 },
      );
      rows.push(
        await withChild(child, (running) =>
          measure('c2) same search, store on PostgreSQL (supplementary)', {
            ...common,
            name: 'search-postgres',
            url: String(running.ready.url),
            token,
            serverCpuMicros: () => running.cpuMicros(),
            bodies: searchBodies,
            verifyBody: isSearchAnswer,
          }),
        ),
      );
    } catch (error) {
      throw new Error(
        `the PostgreSQL scenario failed (${error instanceof Error ? error.message : String(error)}); ` +
          'give --database-url or run with --skip-postgres',
      );
    } finally {
      const client = new Client({ connectionString: options.databaseUrl });
      await client
        .connect()
        .then(() => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`))
        .catch(() => undefined)
        .finally(() => client.end().catch(() => undefined));
    }
  }

  // c3) supplementary: the default config, whose retrieval cache answers the rotated queries after one pass.
  {
    const child = await startChildServer(
      SUBGRAPH_ENTRY,
      subgraphEnv({ DATA_DIR: ':memory:', SEARCH_CACHE_ENTRIES: '5000' }),
      { startTimeoutMs: 300_000 },
    );
    rows.push(
      await withChild(child, (running) =>
        measure('c3) same search, retrieval cache on (default config; supplementary)', {
          ...common,
          name: 'search-cached',
          url: String(running.ready.url),
          token,
          serverCpuMicros: () => running.cpuMicros(),
          bodies: searchBodies,
          verifyBody: isSearchAnswer,
        }),
      ),
    );
  }

  const loadAtEnd = loadavg()[0] ?? 0;
  const cores = availableParallelism();
  const ratio =
    rows[1] && rows[0] ? rows[1].result.requestsPerSecond / rows[0].result.requestsPerSecond : NaN;
  const ratioMet = ratio >= THROUGHPUT_RATIO_TARGET;
  const cpuA = rows[0]?.result.serverCpuMicrosPerRequest;
  const cpuB = rows[1]?.result.serverCpuMicrosPerRequest;
  const cpuRatio = cpuA && cpuB ? cpuA / cpuB : NaN;
  const p99Met = search.result.p99Ms <= SEARCH_P99_TARGET_MS;
  const noisy = Math.max(loadAtStart, loadAtEnd) >= 0.5;

  const generated = [
    `Run ${startedAt.toISOString()} · ${cores} CPUs (\`nproc\`), ${cpus()[0]?.model ?? 'unknown CPU'}, ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB · Node ${process.version} · 1-min load average ` +
      `${fmt(loadAtStart, 2)} at start, ${fmt(loadAtEnd, 2)} at end.`,
    '',
    `Command: \`npm run bench:foundation\` (= \`tsx bench/foundation.ts\`) with ${options.connections} ` +
      `connections, ${options.durationSeconds} s measured after ${options.warmupSeconds} s warm-up per scenario ` +
      `(a, b and b0 in ${options.slices} alternating slices each, so background drift hits them alike); ` +
      `${seeded.documents} documents ingested as ${seeded.chunks} chunks into PGlite in ` +
      `${fmt(seeded.seedMs / 1000)} s; ${SEARCH_QUERIES.length} search queries rotated, limit ${SEARCH_LIMIT}.`,
    '',
    ...(noisy
      ? [
          `**Not a quiet machine** (load average ≥ 0.5 on ${cores} CPUs while it ran): other work shared ` +
            'the cores, so these numbers are indicative only. Re-run on an idle machine before quoting them.',
          '',
        ]
      : []),
    loadTable(rows),
    '',
    '_unfinished_: requests still in flight when a run (or slice) stopped, at most one per connection. They ' +
      'are not in the percentiles; where they are many next to _requests_, the slowest waits are missing and ' +
      'p99 is a lower bound. Latencies are of 2xx responses, every body checked. _server CPU µs/req_: CPU ' +
      'time of the server process (all threads) over the run divided by the requests it completed; for c2 it ' +
      'leaves out the PostgreSQL server.',
    '',
    markdownTable(
      ['target', 'measured', 'result'],
      [
        [`throughput b/a ≥ ${THROUGHPUT_RATIO_TARGET}`, fmt(ratio, 2), ratioMet ? '**met**' : '**missed**'],
        [
          'cross-check: a/b of server CPU µs per request (what throughput would be if the server were the only load)',
          fmt(cpuRatio, 2),
          cpuRatio >= THROUGHPUT_RATIO_TARGET ? 'at or above target' : 'below target',
        ],
        [
          `search p99 ≤ ${SEARCH_P99_TARGET_MS} ms (c, ${options.connections} connections)`,
          `${search.result.p99Ms} ms`,
          p99Met ? '**met**' : '**missed**',
        ],
      ],
    ),
    '',
    '### Where one search spends its time',
    '',
    diagnosisMarkdown(diagnosis),
  ].join('\n');

  process.stdout.write(`\n${generated}\n`);
  if (options.write) {
    writeSection(
      BENCHMARKS_FILE,
      {
        heading: 'Foundation: auth overhead and search latency',
        marker: 'foundation results',
        intro:
          'Three scenarios at 50 concurrent connections (autocannon, programmatic), each server in its own ' +
          'child process: (a) a bare Apollo Server 5 with the same schema on express 5, no auth, answering ' +
          '`{ __typename }`; (b) the subgraph (`createApp` + `startServer`, PGlite, `LOG_LEVEL=silent`, ' +
          '`NODE_ENV=production`) answering the same query with a valid HS256 bearer token, so JWT ' +
          'verification runs on every request; (c) the subgraph answering an authenticated ' +
          '`search(input: {query, limit: 10})` over ~10,000 chunks ingested through the ingest feature from a ' +
          'generated business-English corpus (10 queries rotated). Supplementary rows: (b0) the subgraph ' +
          'answering `{ __typename }` without a token (anonymous callers may select it), which separates the ' +
          'JWT cost from the rest of the subgraph; (c1) the same search ' +
          'at one connection, i.e. its service time, and (c2) the same search with the store on the ' +
          'PostgreSQL server (`--skip-postgres` leaves it out); c, c1 and c2 run with the retrieval cache off ' +
          '(`SEARCH_CACHE_ENTRIES=0`), so every search reaches the database, and (c3) the same search with the ' +
          'default config, whose retrieval cache serves the rotated queries. Every response body is checked; a run with ' +
          'any failed request is rejected. Targets: b/a throughput ≥ 0.8, search p99 ≤ 25 ms.',
        outro: '',
      },
      generated,
    );
    process.stdout.write(`\nwrote ${BENCHMARKS_FILE}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:foundation failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
