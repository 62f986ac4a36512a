// The sections of the latency benchmark's report on the two fault scenarios: 200 concurrent against a healthy
// provider (circuit opens, timeouts, shedding) and a hung primary (answers by a model, p99), each with ✓/✗.
import { loadTable, markdownTable, fixed } from '../support/report';
import { unreachable } from '../../subgraph/errors/unreachable';
import type { HungPrimaryRun } from './hung-primary';
import type { OverloadRun } from './overload';
import type { LoadShape } from './added-latency';
import { TARGETS, counts, failed, listed, mark, ms, total } from './report-cells';
import { PROVIDER_LATENCY_MS } from './setup';
import { CIRCUIT_METRIC, outcomeCount } from './subgraph-metrics';

export function overloadSection(o: OverloadRun, shape: LoadShape): string[] {
  const share = o.responses > 0 ? o.shed / o.responses : Number.NaN;
  const serverTimeouts = outcomeCount(o.outcomes, /\/PROVIDER_TIMEOUT$/);
  const serverShed = outcomeCount(o.outcomes, /^unavailable\/RATE_LIMITED$/);
  const timeoutsOk = o.providerTimeouts + serverTimeouts + o.attemptTimeouts === 0;
  return [
    `### 3. ${o.connections} concurrent against a healthy ${PROVIDER_LATENCY_MS} ms provider`,
    '',
    'A subgraph of its own (no circuit state from the other scenarios), everything on, warmed up at 10 ' +
      `concurrent for ${shape.warmupS} s, then ${o.connections} connections: 1 s of ` +
      `warm-up and ${shape.durationS} s measured. Circuit opens: \`${CIRCUIT_METRIC}\` ` +
      '(the gauge /metrics serves) polled every 250 ms from the start of the burst until 6 s after it, each ' +
      "0 → 1 an open. Answers: the responses of the measured window, and the subgraph's own count " +
      '(`ai_feature_requests_total`, the burst and the requests still open at its end).',
    '',
    markdownTable(
      ['target', 'measured', 'result'],
      [
        [
          'circuit opens = 0',
          `${o.circuitOpens.length}${o.circuitOpens.length ? ` (${o.circuitOpens.join(', ')})` : ''}`,
          mark(o.circuitOpens.length === 0),
        ],
        [
          '`PROVIDER_TIMEOUT` = 0',
          `${o.providerTimeouts} answers in the window, ${serverTimeouts} counted by the subgraph; ` +
            `${o.attemptTimeouts} attempts timed out against a target`,
          mark(timeoutsOk),
        ],
        [
          `shed (\`AIUnavailable\` \`RATE_LIMITED\`) ≤ ${TARGETS.shedShare * 100}%`,
          `${fixed(share * 100, 1)}% (${o.shed} of ${o.responses}; the subgraph counted ${serverShed} of ${total(o.outcomes)})`,
          mark(share <= TARGETS.shedShare),
        ],
      ],
    ),
    '',
    loadTable([{ name: o.measured.load.title, measured: o.measured }]),
    '',
    `- Answers in the window: ${counts(o.measured.load, 'answer:')}; neither a summary nor shed: ${o.otherAnswers}.`,
    `- \`ai_feature_requests_total\` (summarize) over the burst: ${listed(o.outcomes)}.`,
    `- \`ai_model_calls_total\` over the burst: ${listed(o.modelCalls)}.`,
    '',
  ];
}

export function hungSection(h: HungPrimaryRun, shape: LoadShape): string[] {
  const load = h.measured.load;
  const byModel = load.counts['typename:Summary'] ?? 0;
  const full = outcomeCount(h.outcomes, /^full\//);
  const allByModel =
    byModel === load.responses && failed(load) === 0 && full === total(h.outcomes) && full > 0;
  const withinShare = h.total > 0 ? h.withinOneSecond / h.total : Number.NaN;
  const fastEnough = load.p99Ms <= TARGETS.hungP99Ms && withinShare >= 0.99;
  const hedge = hedgeLine(h);
  return [
    `### 4. Primary hung, secondary healthy (${h.connections} concurrent)`,
    '',
    '`GATEWAY_ROUTES_JSON` routes summarize (and its small-model chain) to OpenAI first, Anthropic second; the ' +
      'fake OpenAI server starts hanging every chat completion when the measured window opens (after ' +
      `${shape.warmupS} s of healthy warm-up), default timeouts and breaker. ${hedge} ` +
      'A request still open when the load stops is in no client percentile, so both targets also read ' +
      "the subgraph's own count of the window's requests and the stragglers (`ai_feature_requests_total`, " +
      '`ai_feature_duration_seconds`).',
    '',
    markdownTable(
      ['target', 'measured', 'result'],
      [
        [
          'every request answered by a model (`Summary`, not the floor)',
          `window: ${byModel} of ${load.responses} (${counts(load, 'answer:')}), ${failed(load)} failed; ` +
            `subgraph: ${full} of ${total(h.outcomes)} full (${listed(h.outcomes)})`,
          mark(allByModel),
        ],
        [
          `p99 ≤ ${TARGETS.hungP99Ms} ms`,
          `window: ${ms(load.p99Ms)} ms (max ${ms(load.maxMs)} ms, ${load.unfinished} unfinished); ` +
            `subgraph: ${fixed(withinShare * 100, 1)}% within 1 s (${h.withinOneSecond} of ${h.total})`,
          mark(fastEnough),
        ],
      ],
    ),
    '',
    loadTable([{ name: load.title, measured: h.measured }]),
    '',
    `- Providers: ${counts(load, 'provider:')}. Circuit opens: ${h.circuitOpens.join(', ') || 'none'}. \`ai_model_calls_total\`: ${listed(h.modelCalls)}.`,
    '',
  ];
}

/** Requests of the burst that got the floor for a reason of their own (not a target, worth a line). */
export function floorNote(o: OverloadRun): string {
  const floor = [...o.outcomes.entries()].filter(([key]) => key.startsWith('degraded/'));
  if (floor.length === 0) return '';
  const limits = floor.some(([key]) => key === 'degraded/LIMITS_UNAVAILABLE');
  return (
    ` Not a target, but the same fault one level down: ${floor.map(([key, value]) => `${value} ${key}`).join(', ')}` +
    (limits
      ? ' — a rate or spend check on Redis that outlived LIMITS_TIMEOUT_MS (250 ms) while the event loop was saturated, served the floor as if Redis were down.'
      : '.')
  );
}

function hedgeLine(h: HungPrimaryRun): string {
  const asked = `\`--hedge-config=${h.hedgeConfig}\``;
  switch (h.hedge.kind) {
    case 'not asked':
      return "No `hedge` key in the route table (`--hedge-config` not given): the code's defaults.";
    case 'kept':
      return `The summarize route carried \`"hedge": ${h.hedgeConfig}\` (${asked}), kept by the route table.`;
    case 'dropped':
      return `${asked}: the route table **dropped** the \`hedge\` key (unknown to it), so the run had no hedging configured.`;
    case 'refused':
      return `${asked} was **refused by the route table** (${h.hedge.message}); the scenario ran without it.`;
    default:
      return unreachable(h.hedge);
  }
}
