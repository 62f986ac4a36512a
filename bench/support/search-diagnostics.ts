// Where one search's time goes, measured inside the subgraph process on its own seeded store, with no load.
// The store's searchLexical runs as served (one BM25 statement over the chunks matching any query term), with
// its statement put under EXPLAIN ANALYZE: how long it ran, how many rows it gave, whether the GIN index drove it. Snippets are made in
// TypeScript (snippetOf), timed here on the hits. Besides: how many chunks the query matches, the cost of the
// tenant-scoped transaction, table sizes, and whether the GIN index serves a match under row level security.
import type { App } from '../../subgraph/app';
import { createDocumentStore } from '../../subgraph/retrieval/store/document-store';
import { inTenantScope } from '../../subgraph/retrieval/store/tenant-scope';
import type { SqlDatabase, SqlTransaction } from '../../subgraph/retrieval/store/sql';
import { snippetOf } from '../../subgraph/retrieval/snippet';

export interface DiagnoseArgs {
  queries: string[];
  limit: number;
  repeats: number;
}

/** One statement the store ran for a search: one pass of its match ladder. */
export interface PassDiagnosis {
  /** bm25: the one statement the store runs. */
  pass: string;
  rows: number;
  executionMs: number;
  /** The plan scans `chunks_tsv_idx`. */
  ginIndex: boolean;
  plan: string[];
}

export interface QueryDiagnosis {
  query: string;
  /** Chunks matching the OR of the query's lexemes, and all of them (plainto_tsquery's AND). */
  orMatches: number;
  andMatches: number;
  /** The passes searchLexical ran for this query, each under EXPLAIN ANALYZE. */
  passes: PassDiagnosis[];
  hits: number;
  /** Median ms, sequential, uncontended: the whole store call, and the snippets of its hits made in JS. */
  searchLexicalMs: number;
  snippetsMs: number;
}

export interface SearchDiagnosis {
  chunks: number;
  heapBytes: number;
  toastBytes: number;
  queries: QueryDiagnosis[];
  emptyScopedTransactionMs: number;
  /** Whether the served table had planner statistics (reltuples >= 0) before the diagnosis ran ANALYZE. */
  statisticsBeforeDiagnosis: boolean;
  /** Plans of an AND match: under the app role with RLS (as served) and as the owner (RLS bypassed). */
  andPlanUnderRls: string[];
  andPlanAsOwner: string[];
  leakproof: Record<string, boolean>;
}

const GIN_INDEX = 'chunks_tsv_idx';
const PASS_NAMES = ['bm25'];
// The query as search parses it (migration 017's lexical_text: CJK runs as bigrams), or a CJK query counts 0.
const orQuery = (schema: string) =>
  `replace(plainto_tsquery('english', ${schema}.lexical_text($2))::text, ' & ', ' | ')::tsquery`;

async function medianMs(repeats: number, work: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return Math.round((times[Math.floor(times.length / 2)] ?? 0) * 100) / 100;
}

/** EXPLAIN cannot infer the types of bind parameters, so the values are written into the statement instead. */
function inlineParams(text: string, params: unknown[] = []): string {
  return text.replace(/\$(\d+)/g, (placeholder, index: string) => {
    const value = params[Number(index) - 1];
    if (typeof value === 'number') return String(value);
    if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
    throw new Error(`cannot inline ${placeholder} (${typeof value}) into an EXPLAIN`);
  });
}

const planLines = (rows: Record<string, unknown>[]): string[] =>
  rows.map((row) => String(Object.values(row)[0]));

/**
 * A database that runs each search statement (the CTE the store's searchLexical sends) twice in the same
 * transaction: once under EXPLAIN (ANALYZE, BUFFERS), whose plan it keeps, then for real, so the store sees
 * its rows and runs the passes it would run when serving.
 */
function explainingDatabase(db: SqlDatabase, passes: PassDiagnosis[]): SqlDatabase {
  const explaining = (tx: SqlTransaction): SqlTransaction => ({
    // A batch is not a search's: run as it is.
    batch: (statements) => tx.batch(statements),
    async query<Row>(text: string, params?: unknown[]) {
      if (!text.trimStart().startsWith('WITH query_terms')) return tx.query<Row>(text, params);
      const explained = await tx.query<Record<string, unknown>>(
        `EXPLAIN (ANALYZE, BUFFERS) ${inlineParams(text, params)}`,
      );
      const plan = planLines(explained.rows);
      const result = await tx.query<Row>(text, params);
      const executionMs = /Execution Time: ([\d.]+) ms/.exec(plan.join('\n'))?.[1];
      passes.push({
        pass: PASS_NAMES[passes.length] ?? `pass ${passes.length + 1}`,
        rows: result.rows.length,
        executionMs: Number(executionMs ?? NaN),
        ginIndex: plan.some((line) => line.includes(GIN_INDEX)),
        plan,
      });
      return result;
    },
  });
  return { ...db, transaction: (work, mode) => db.transaction((tx) => work(explaining(tx)), mode) };
}

export async function diagnoseSearch(
  app: App,
  tenantId: string,
  args: DiagnoseArgs,
): Promise<SearchDiagnosis> {
  const { db } = app.store;
  const schema = app.config.store.schema;
  const appRole = app.config.store.appRole;
  const scoped = <Row>(text: string, params: unknown[]) =>
    inTenantScope(db, appRole, tenantId, (tx) => tx.query<Row>(text, params));
  const countWhere = (match: string) =>
    `SELECT count(*)::int AS n FROM ${schema}.chunks c WHERE c.tenant_id = $1 AND c.tsv @@ ${match}`;
  const andMatch = countWhere(`plainto_tsquery('english', ${schema}.lexical_text($2))`);

  const queries: QueryDiagnosis[] = [];
  for (const query of args.queries) {
    const passes: PassDiagnosis[] = [];
    const explained = createDocumentStore(explainingDatabase(db, passes), { schema, appRole });
    const hits = await explained.searchLexical(tenantId, query, args.limit);
    const ored = await scoped<{ n: number }>(countWhere(orQuery(schema)), [tenantId, query]);
    const anded = await scoped<{ n: number }>(andMatch, [tenantId, query]);
    queries.push({
      query,
      orMatches: ored.rows[0]?.n ?? 0,
      andMatches: anded.rows[0]?.n ?? 0,
      passes,
      hits: hits.length,
      searchLexicalMs: await medianMs(args.repeats, () =>
        app.store.documents.searchLexical(tenantId, query, args.limit),
      ),
      snippetsMs: await medianMs(args.repeats, () => hits.map((hit) => snippetOf(hit.content, query))),
    });
  }

  const leakproofRows = await db.query<{ proname: string; proleakproof: boolean }>(
    `SELECT proname, proleakproof FROM pg_proc WHERE proname IN ('ts_match_vq', 'texteq')`,
  );
  const sizes = await db.query<{ heap: number; toast: number }>(
    `SELECT pg_relation_size(oid)::float8 AS heap, pg_relation_size(reltoastrelid)::float8 AS toast
     FROM pg_class WHERE oid = '${schema}.chunks'::regclass`,
  );
  const chunkCount = await scoped<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${schema}.chunks WHERE tenant_id = $1`,
    [tenantId],
  );
  const emptyScopedTransactionMs = await medianMs(args.repeats * 4, () => scoped('SELECT 1', []));

  // The index question is asked with statistics present (ANALYZE), so that only RLS can keep the GIN index out.
  const analyzedBefore = await db.query<{ reltuples: number }>(
    `SELECT reltuples::float8 AS reltuples FROM pg_class WHERE oid = '${schema}.chunks'::regclass`,
  );
  await db.exec(`ANALYZE ${schema}.chunks`);
  const first = args.queries[0] ?? '';
  const andExplain = `EXPLAIN ${inlineParams(andMatch, [tenantId, first])}`;
  const andPlanUnderRls = planLines((await scoped<Record<string, unknown>>(andExplain, [])).rows);
  const andPlanAsOwner = planLines((await db.query<Record<string, unknown>>(andExplain)).rows);

  return {
    chunks: chunkCount.rows[0]?.n ?? 0,
    heapBytes: sizes.rows[0]?.heap ?? 0,
    toastBytes: sizes.rows[0]?.toast ?? 0,
    statisticsBeforeDiagnosis: (analyzedBefore.rows[0]?.reltuples ?? -1) >= 0,
    queries,
    emptyScopedTransactionMs,
    andPlanUnderRls,
    andPlanAsOwner,
    leakproof: Object.fromEntries(leakproofRows.rows.map((row) => [row.proname, row.proleakproof])),
  };
}
