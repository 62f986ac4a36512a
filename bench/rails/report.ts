// The `bench:rails` block of BENCHMARKS.md: the paired rails-on/rails-off table with the target, the rails'
// own functions for attribution, what the asks ended as, and the notes that say what the figures are worth.
import { fixed, machineLine, markdownTable, met, noisyMachineNote } from '../support/report';
import type { PairedRow, Outcomes } from './paired-run';
import type { RailCostRow } from './rail-costs';
import { RAIL_STEPS } from './rail-costs';
import type { RailsWorld, TenantKey } from './world';

export const TARGET_MS = 2;

const POLICY_LABEL: Record<TenantKey, string> = {
  default: 'default rails (injection flag, flagged chunks omit, grounding drop, no redaction)',
  strict: 'strictest rails (redactBeforeProvider, flagged chunks fence, topic deny list)',
};

export interface RailsReport {
  started: Date;
  command: string;
  settings: { requests: number; warmup: number; costRequests: number; documents: number };
  seeded: RailsWorld['seeded'];
  questions: number;
  flaggedQuestions: number;
  pairs: PairedRow[];
  costs: RailCostRow[];
  /** The guardrail counter over the measured pairs: rail → outcome → count. */
  railCounts: Record<string, Record<string, number>>;
}

function pairedTable(pairs: readonly PairedRow[]): string {
  const header = [
    'tenant policy',
    'asks per side',
    'off p50 / p90 / p99 ms',
    'on p50 / p90 / p99 ms',
    'Δ p50 ms',
    'Δ p90 ms',
    'Δ p99 ms',
    'paired median Δ ms',
    'on / off p50',
    `Δ p50 ≤ ${TARGET_MS} ms`,
  ];
  const triple = (t: PairedRow['on']) => `${fixed(t.p50Ms)} / ${fixed(t.p90Ms)} / ${fixed(t.p99Ms)}`;
  const rows = pairs.map((row) => {
    const delta = row.on.p50Ms - row.off.p50Ms;
    return [
      POLICY_LABEL[row.tenant],
      row.requests,
      triple(row.off),
      triple(row.on),
      fixed(delta),
      fixed(row.on.p90Ms - row.off.p90Ms),
      fixed(row.on.p99Ms - row.off.p99Ms),
      fixed(row.pairedMedianMs),
      fixed(row.on.p50Ms / row.off.p50Ms, 3),
      met(delta <= TARGET_MS),
    ];
  });
  return markdownTable(
    header,
    rows,
    header.map((_, i) => (i === 0 || i === header.length - 1 ? '---' : '---:')),
  );
}

function costTable(costs: readonly RailCostRow[]): string {
  const header = ['rail (own functions)', ...costs.map((row) => `${row.tenant}: p50 / p90 / p99 µs`)];
  const rows = RAIL_STEPS.map((step) => [
    step === 'all rails, per request' ? `**${step}**` : step,
    ...costs.map((row) => {
      const t = row.steps[step];
      return t ? `${fixed(t.p50Ms, 1)} / ${fixed(t.p90Ms, 1)} / ${fixed(t.p99Ms, 1)}` : '– (off by policy)';
    }),
  ]);
  return markdownTable(
    header,
    rows,
    header.map((_, i) => (i === 0 ? '---' : '---:')),
  );
}

const outcomeList = (outcomes: Outcomes) =>
  Object.entries(outcomes)
    .sort(([, a], [, b]) => b - a)
    .map(([outcome, count]) => `${outcome} ${count}`)
    .join(', ');

const railList = (counts: RailsReport['railCounts']) =>
  Object.entries(counts)
    .map(
      ([rail, outcomes]) =>
        `${rail}: ${Object.entries(outcomes)
          .map(([o, n]) => `${o} ${n}`)
          .join(', ')}`,
    )
    .join('; ');

export function renderRails(report: RailsReport): string {
  const { settings, seeded, pairs, costs } = report;
  const allMet = pairs.every((row) => row.on.p50Ms - row.off.p50Ms <= TARGET_MS);
  return [
    '## Guardrails: what all rails together add to an `ask` (issue 10)',
    `Run ${report.started.toISOString()} with \`${report.command}\`; ${machineLine()}.`,
    noisyMachineNote(),
    '### Setup',
    [
      `One process drives both pipelines with \`runPipeline\` (subgraph/features/model-pipeline.ts) on the same \`FeatureDeps\`: the real app (createApp) on PGlite in memory, no Redis,`,
      `and the fake OpenAI server (test/support/providers) in a child process with 0 ms added latency, answering each prompt with the first sentence of its first two unflagged passages, each cited`,
      '(`bench/rails/grounded-reply.ts`), so grounding checks real text. The completion cache, the search cache and the query-embedding cache are off',
      '(`CACHE_TTL_ANSWER_SECONDS=0`, `SEARCH_CACHE_MAX_MB=0`, `EMBED_CACHE_TTL_MS=0`): every ask embeds its question, searches the store and calls the model.',
      `Corpus: ${seeded.documents} generated business documents of ~3,000 characters (bench/support/corpus.ts) per tenant, every third with a contact paragraph carrying PII`,
      `(emails, phone numbers, an IBAN, a card number, an IP address), every tenth with an instruction aimed at a model; ${seeded.chunks} chunks in all, ${seeded.flaggedChunks} flagged at ingest`,
      `(seeded in ${fixed(seeded.seedMs / 1000, 1)} s). Questions: ${report.questions} on the corpus's topics in rotation, ${report.flaggedQuestions} of them phrased as injections (answered under \`flag\`, and counted); \`limit\` 6.`,
    ].join(' '),
    [
      "**Rails on**: today's `createAskPipeline` (subgraph/features/ask.ts): input rail (topics, injection screen), the guard call (no route names a guard model, so the gateway",
      'declines it), retrieval screen (stored verdicts, titles screened), fenced passages, echo and format rails in the gateway walk, provider redaction where the policy asks, citation and grounding rails, rail counting.',
      '**Rails off**: `bench/rails/unrailed-ask.ts`, the pre-rails pipeline recreated from `git show 251f49b:subgraph/features/ask.ts` (retrieve, numbered passages, the `answer` prompt, `citeInOrder`; no `checkReply`, `redactPii: false`).',
      "Both name the prompt `answer`; the prompt library serves its highest version (answer.v2) to both, so prompt size and wording are the same and the difference is the rails' alone.",
      `Each pair is one question asked through both, back to back, the order alternating (on-off, off-on), the tenants in turn: ${settings.warmup} warm-up pairs per tenant, then ${settings.requests} measured.`,
      'Wall time per ask with `process.hrtime`, from `runPipeline` called to result, metering included.',
    ].join(' '),
    '### Rails on vs off, same run',
    pairedTable(pairs),
    [
      '"Δ" is on − off of each percentile; "paired median Δ" is the median over the pairs of (on − off), each pair on the same question moments apart.',
      `Garbage collection that began during an ask, mean ms per ask (off → on): ${pairs.map((row) => `${row.tenant} ${fixed(row.gcMsPerAsk.off, 3)} → ${fixed(row.gcMsPerAsk.on, 3)}`).join('; ')}.`,
      `What the asks ended as: ${pairs.map((row) => `${row.tenant} on: ${outcomeList(row.outcomes.on)}; ${row.tenant} off: ${outcomeList(row.outcomes.off)}`).join('; ')}.`,
      `Rail outcomes over the measured pairs (the guardrail counter): ${railList(report.railCounts) || 'none'}.`,
    ].join(' '),
    "### Attribution: the rails' own functions",
    `Each rail's functions timed in process on the inputs a real ask gives them (the question, the passages \`retrieve()\` returns for it, retrieved afresh and untimed before each request, and the fake model's reply), ${settings.costRequests} requests per tenant, questions in the same rotation; microseconds per request.`,
    costTable(costs),
    notes(report),
    `Target: all rails together add ≤ ${TARGET_MS} ms p50 to an \`ask\` (Δ p50, same run) — ${allMet ? '**met**' : '**missed**'} for ${pairs.length === 1 ? 'the tenant policy measured' : 'both tenant policies'}.`,
  ].join('\n\n');
}

function notes(report: RailsReport): string {
  const agree = report.pairs.every(
    (row) => row.on.p50Ms - row.off.p50Ms <= TARGET_MS === row.pairedMedianMs <= TARGET_MS,
  );
  return [
    'Notes.',
    agree
      ? 'The difference of p50s and the paired median agree on the target.'
      : "**The difference of p50s and the paired median disagree on the target**: the Δ is within the run's noise; the attribution table is the steadier figure.",
    'The asks are dominated by retrieval (PGlite in the same process, full-text and vector search per question), so the p90 and p99 differences are mostly that noise (garbage collection, PGlite, other sessions on the shared cores) and can come out negative; the p50 difference and the paired median are the figures for the target.',
    'The attribution table times the same functions without the asks around them: its total is the rails’ own time per request, the figure to set beside the Δ p50.',
    "The retrieval screen reads each chunk's stored verdict; a document title, which goes into the prompt too, is screened the first time it is seen and remembered (screen-passages.ts), so after warm-up the screen is a read of verdicts.",
    'Not in the Δ: under `redactBeforeProvider` the question is also redacted before its embedding (hybrid-retrieval.ts reads the tenant policy), on both sides alike; ingest-time screening and redaction are paid once per document, not per ask.',
    'No route names a `guard` model here, so the guard row is the gateway declining the call; where one is routed it runs beside retrieval and adds latency only when it is slower than retrieval.',
    "The unrailed side numbers its passages as the rails-on side fences them (the same `[n] (title) content` lines, without the fence), and uses today's `citeInOrder`, which differs from the pre-rails one only in dropping a removed marker's leading space.",
  ].join(' ');
}
