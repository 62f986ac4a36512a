// Where one search's time goes, measured inside the subgraph process on its own seeded store, with no load:
// the store's real query under EXPLAIN ANALYZE, how many chunks each query matches, and the cost of each part
// (matching, ranking, snippets, the tenant-scoped transaction), plus whether the GIN index can serve a match.
import type { App } from '../../subgraph/app';
import { createDocumentStore } from '../../subgraph/retrieval/store/document-store';
import { inTenantScope } from '../../subgraph/retrieval/store/tenant-scope';
import type { SqlDatabase, SqlExecutor } from '../../subgraph/retrieval/store/sql';

export interface DiagnoseArgs {
  queries: string[];
  limit: number;
  repeats: number;
}

export interface QueryDiagnosis {
  query: string;
  tsquery: string;
  /** Chunks matching the OR of the query's lexemes: the rows the store ranks. */
  orMatches: number;
  /** Chunks matching all lexemes (plainto_tsquery's AND), for comparison. */
  andMatches: number;
  /** Median ms of each part, sequential, uncontended. */
  searchLexicalMs: number;
  matchOnlyMs: number;
  rankCdMs: number;
  rankMs: number;
  headlineMs: number;
}

export interface SearchDiagnosis {
  chunks: number;
  /** The chunks table's heap and its TOAST table: tsvectors stored out of line are fetched per row matched. */
  heapBytes: number;
  toastBytes: number;
  queries: QueryDiagnosis[];
  emptyScopedTransactionMs: number;
  /** Whether the served table had planner statistics (reltuples >= 0) before the diagnosis ran ANALYZE. */
  statisticsBeforeDiagnosis: boolean;
  /** EXPLAIN (ANALYZE, BUFFERS) of the store's own searchLexical statement, for the first query. */
  plan: string[];
  /** Plans of an AND match: under the app role with RLS (as served) and as the owner (RLS bypassed). */
  andPlanUnderRls: string[];
  andPlanAsOwner: string[];
  leakproof: Record<string, boolean>;
}

const OR_QUERY = `replace(plainto_tsquery('english', $2)::text, ' & ', ' | ')::tsquery`;
const HEADLINE_OPTIONS =
  'MaxWords=40, MinWords=15, MaxFragments=2, FragmentDelimiter=" … ", StartSel="", StopSel=""';

async function medianMs(repeats: number, work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return Math.round((times[Math.floor(times.length / 2)] ?? 0) * 10) / 10;
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

/** A database whose searchLexical statement is run under EXPLAIN ANALYZE and its plan kept, not its rows. */
function explainingDatabase(db: SqlDatabase, plan: string[]): SqlDatabase {
  const explaining = (tx: SqlExecutor): SqlExecutor => ({
    async query<Row>(text: string, params?: unknown[]) {
      if (!text.includes('ts_headline')) return tx.query<Row>(text, params);
      const result = await tx.query<Record<string, unknown>>(
        `EXPLAIN (ANALYZE, BUFFERS) ${inlineParams(text, params)}`,
      );
      plan.push(...planLines(result.rows));
      return { rows: [] };
    },
  });
  return { ...db, transaction: (work) => db.transaction((tx) => work(explaining(tx))) };
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

  const [first] = args.queries;
  const plan: string[] = [];
  if (first !== undefined) {
    await createDocumentStore(explainingDatabase(db, plan), { schema, appRole }).searchLexical(
      tenantId,
      first,
      args.limit,
    );
  }

  const andMatch = `SELECT count(*)::int AS n FROM ${schema}.chunks c
    WHERE c.tenant_id = $1 AND c.tsv @@ plainto_tsquery('english', $2)`;
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

  const queries: QueryDiagnosis[] = [];
  for (const query of args.queries) {
    const params = [tenantId, query];
    const counted = await scoped<{ or_n: number; tsquery: string }>(
      `SELECT count(*)::int AS or_n, ${OR_QUERY}::text AS tsquery FROM ${schema}.chunks c
       WHERE c.tenant_id = $1 AND c.tsv @@ ${OR_QUERY}`,
      params,
    );
    const anded = await scoped<{ n: number }>(andMatch, params);
    const hits = await app.store.documents.searchLexical(tenantId, query, args.limit);
    const rankWith = (rank: string) =>
      scoped(
        `SELECT c.document_id, c.ordinal, ${rank}(c.tsv, ${OR_QUERY}, 32) AS score FROM ${schema}.chunks c
         WHERE c.tenant_id = $1 AND c.tsv @@ ${OR_QUERY}
         ORDER BY score DESC, c.document_id, c.ordinal LIMIT $3`,
        [...params, args.limit],
      );
    queries.push({
      query,
      tsquery: counted.rows[0]?.tsquery ?? '',
      orMatches: counted.rows[0]?.or_n ?? 0,
      andMatches: anded.rows[0]?.n ?? 0,
      searchLexicalMs: await medianMs(args.repeats, () =>
        app.store.documents.searchLexical(tenantId, query, args.limit),
      ),
      matchOnlyMs: await medianMs(args.repeats, () =>
        scoped(
          `SELECT count(*) FROM ${schema}.chunks c WHERE c.tenant_id = $1 AND c.tsv @@ ${OR_QUERY}`,
          params,
        ),
      ),
      rankCdMs: await medianMs(args.repeats, () => rankWith('ts_rank_cd')),
      rankMs: await medianMs(args.repeats, () => rankWith('ts_rank')),
      headlineMs: await medianMs(args.repeats, () =>
        scoped(
          `SELECT ts_headline('english', t, ${OR_QUERY}, '${HEADLINE_OPTIONS}') FROM unnest($3::text[]) AS t WHERE $1::text IS NOT NULL`,
          [...params, hits.map((hit) => hit.content)],
        ),
      ),
    });
  }

  const emptyScopedTransactionMs = await medianMs(args.repeats * 4, () => scoped('SELECT 1', []));

  // The index question is asked with statistics present (ANALYZE), so that only RLS can keep the GIN index out.
  const analyzedBefore = await db.query<{ reltuples: number }>(
    `SELECT reltuples::float8 AS reltuples FROM pg_class WHERE oid = '${schema}.chunks'::regclass`,
  );
  await db.exec(`ANALYZE ${schema}.chunks`);
  const andPlanUnderRls = first
    ? planLines(
        (await scoped<Record<string, unknown>>(`EXPLAIN ${inlineParams(andMatch, [tenantId, first])}`, []))
          .rows,
      )
    : [];
  const andPlanAsOwner = first
    ? planLines(
        (await db.query<Record<string, unknown>>(`EXPLAIN ${inlineParams(andMatch, [tenantId, first])}`))
          .rows,
      )
    : [];

  return {
    chunks: chunkCount.rows[0]?.n ?? 0,
    heapBytes: sizes.rows[0]?.heap ?? 0,
    toastBytes: sizes.rows[0]?.toast ?? 0,
    statisticsBeforeDiagnosis: (analyzedBefore.rows[0]?.reltuples ?? -1) >= 0,
    queries,
    emptyScopedTransactionMs,
    plan,
    andPlanUnderRls,
    andPlanAsOwner,
    leakproof: Object.fromEntries(leakproofRows.rows.map((row) => [row.proname, row.proleakproof])),
  };
}
