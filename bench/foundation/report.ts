// The foundation benchmark's section of BENCHMARKS.md: the load table, the targets (ratios against the bare
// baseline measured in the same run), and where one search spends its time.
import { SEARCH_QUERIES } from '../support/corpus';
import { cpuMsPerResponse } from '../support/measure';
import { fixed, loadTable, machineLine, markdownTable, met, noisyMachineNote } from '../support/report';
import type { QueryDiagnosis, SearchDiagnosis } from '../support/search-diagnostics';
import { SEARCH_LIMIT } from './scenarios';
import type { FoundationSettings, Row } from './scenarios';

export const TARGETS = { throughputRatio: 0.8, searchP99Ms: 25 };

export interface FoundationReport {
  started: Date;
  command: string;
  settings: FoundationSettings;
  seeded: { documents: number; chunks: number; seedMs: number };
  auth: Row[];
  search: Row[];
  diagnosis: SearchDiagnosis;
}

function targets(report: FoundationReport): string {
  const [a, b] = report.auth;
  const [c] = report.search;
  const ratio = a && b ? b.measured.load.rps / a.measured.load.rps : NaN;
  const cpuRatio = a && b ? cpuMsPerResponse(a.measured) / cpuMsPerResponse(b.measured) : NaN;
  const p99 = c?.measured.load.p99Ms ?? NaN;
  return markdownTable(
    ['target', 'measured', 'result'],
    [
      [`throughput b/a ≥ ${TARGETS.throughputRatio}`, fixed(ratio), met(ratio >= TARGETS.throughputRatio)],
      [
        'cross-check: a/b of server CPU per response (what throughput would be if the server were the only load)',
        fixed(cpuRatio),
        cpuRatio >= TARGETS.throughputRatio ? 'at or above target' : 'below target',
      ],
      [
        `search p99 ≤ ${TARGETS.searchP99Ms} ms (c, ${report.settings.connections} connections)`,
        `${fixed(p99)} ms`,
        met(p99 <= TARGETS.searchP99Ms),
      ],
    ],
  );
}

const passSummary = (query: QueryDiagnosis) =>
  query.passes.map((pass) => `${pass.pass} ${pass.rows} rows ${fixed(pass.executionMs)} ms`).join('; ');
const indexSummary = (query: QueryDiagnosis) =>
  query.passes.map((pass) => `${pass.pass} ${pass.ginIndex ? 'yes' : 'no'}`).join(', ');

function diagnosis(report: FoundationReport): string {
  const d = report.diagnosis;
  const indexUsed = (plan: string[]) => (plan.some((line) => line.includes('chunks_tsv_idx')) ? 'yes' : 'no');
  const first = d.queries[0];
  return [
    '### Where one search spends its time',
    '',
    'Uncontended, sequential, inside the PGlite subgraph process after the load runs. The store runs a match ' +
      'ladder (all of the query’s lexemes, then all but one, then any one, each pass only while the page has ' +
      `fewer than ${SEARCH_LIMIT} hits); each pass it ran is shown with its rows and execution time under ` +
      'EXPLAIN ANALYZE, and whether its plan scans the GIN index `chunks_tsv_idx`. Snippets are made in ' +
      'TypeScript (`snippetOf`), not in the database. Medians of repeated runs, ms.',
    '',
    markdownTable(
      [
        'query',
        'OR matches (of chunks)',
        'AND matches',
        'passes run',
        'GIN index',
        'searchLexical',
        'snippets (JS)',
      ],
      d.queries.map((q) => [
        `\`${q.query}\``,
        `${q.orMatches} (${fixed((100 * q.orMatches) / Math.max(1, d.chunks), 0)}%)`,
        q.andMatches,
        passSummary(q),
        indexSummary(q),
        fixed(q.searchLexicalMs),
        fixed(q.snippetsMs, 3),
      ]),
    ),
    '',
    `- Tenant-scoped transaction alone (BEGIN, set_config role + tenant, SELECT 1, COMMIT): ${fixed(d.emptyScopedTransactionMs)} ms.`,
    `- Chunks table: heap ${fixed(d.heapBytes / 2 ** 20, 1)} MiB, TOAST ${fixed(d.toastBytes / 2 ** 20, 1)} MiB.`,
    `- Planner statistics on the chunks table while serving: ${d.statisticsBeforeDiagnosis ? 'yes' : 'none (never analyzed)'}; the check below ran ANALYZE first.`,
    `- GIN index used for an AND match under RLS (as served): ${indexUsed(d.andPlanUnderRls)}; as the table owner (RLS bypassed): ${indexUsed(d.andPlanAsOwner)}. LEAKPROOF: ${Object.entries(
      d.leakproof,
    )
      .map(([name, leakproof]) => `${name}=${String(leakproof)}`)
      .join(', ')}.`,
    '',
    '<details><summary>EXPLAIN (ANALYZE, BUFFERS) of each pass searchLexical ran, first query</summary>',
    '',
    ...(first?.passes ?? []).flatMap((pass) => [
      `Pass \`${pass.pass}\`:`,
      '',
      '```',
      ...pass.plan,
      '```',
      '',
    ]),
    'AND match under RLS:',
    '',
    '```',
    ...d.andPlanUnderRls,
    '```',
    '',
    'AND match as owner:',
    '',
    '```',
    ...d.andPlanAsOwner,
    '```',
    '',
    '</details>',
  ].join('\n');
}

export function renderFoundation(report: FoundationReport): string {
  const { settings, seeded } = report;
  return [
    `Run ${report.started.toISOString()} · ${machineLine()}.`,
    '',
    `Command: \`${report.command}\` · ${settings.connections} connections, ${settings.durationS} s measured ` +
      `after ${settings.warmupS} s of warm-up per scenario (a, b and b0 in ${settings.slices} alternating ` +
      `slices each) · ${seeded.documents} documents ingested as ${seeded.chunks} chunks into PGlite in ` +
      `${fixed(seeded.seedMs / 1000, 1)} s · ${SEARCH_QUERIES.length} search queries rotated, limit ${SEARCH_LIMIT}.`,
    '',
    noisyMachineNote(),
    '',
    loadTable([...report.auth, ...report.search]),
    '',
    '_unfinished_: requests still in flight when a run (or slice) stopped, at most one per connection; they are ' +
      'in no percentile, so where they are many next to _responses_ p99 is a lower bound. Every body is checked ' +
      'and a run with any _failed_ request is rejected. _server CPU ms / response_: CPU time of the server ' +
      'process over the window ÷ responses (for c2 it leaves out the PostgreSQL server). _in Node_: the ' +
      'subgraph’s own timing of each response, from the parsed request head to `finish`.',
    '',
    targets(report),
    '',
    diagnosis(report),
  ].join('\n');
}
