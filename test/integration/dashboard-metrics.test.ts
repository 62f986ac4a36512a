// The Grafana dashboard in dashboards/ai-subgraph.json queries only metrics the subgraph exposes: every metric
// name its PromQL expressions read is a family in a running subgraph's /metrics. The check is on families (their
// `# TYPE` line, which prom-client writes for every registered metric before its first observation), not on
// series: a series with labels appears only once something observed it, and the dashboard must be right before
// the first fallback or the first graded sample. A histogram's `_bucket`, `_sum` and `_count` belong to its
// family, and only a histogram's. A renamed or misspelt metric fails here instead of drawing an empty panel.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { metricNamesIn } from '../support/promql-names';
import { requirePostgres } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

const DASHBOARD = join(__dirname, '..', '..', 'dashboards', 'ai-subgraph.json');

const targetSchema = z.object({ expr: z.string().min(1), datasource: z.object({ uid: z.string() }) });
interface PanelShape {
  title?: string;
  type: string;
  datasource?: { uid: string };
  targets?: z.infer<typeof targetSchema>[];
  panels?: PanelShape[];
}
const panelSchema: z.ZodType<PanelShape> = z.lazy(() =>
  z.object({
    title: z.string().optional(),
    type: z.string(),
    datasource: z.object({ uid: z.string() }).optional(),
    targets: z.array(targetSchema).optional(),
    panels: z.array(panelSchema).optional(),
  }),
);
const dashboardSchema = z.object({
  panels: z.array(panelSchema),
  templating: z.object({
    list: z.array(z.object({ name: z.string(), type: z.string(), query: z.unknown() })),
  }),
});

/** Every panel, those inside collapsed rows included. */
function allPanels(panels: readonly PanelShape[]): PanelShape[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}

const dashboard = dashboardSchema.parse(JSON.parse(readFileSync(DASHBOARD, 'utf8')));
const queryPanels = allPanels(dashboard.panels).filter((panel) => panel.type !== 'row');
const expressions = queryPanels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
const queried = [...new Set(expressions.flatMap(metricNamesIn))].sort();

/** `# TYPE <name> <type>` lines of the exposition: family name to type. */
function familiesOf(exposition: string): Map<string, string> {
  const families = new Map<string, string>();
  for (const match of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) families.set(match[1]!, match[2]!);
  return families;
}

describe('the Grafana dashboard', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness();
  });

  afterAll(() => harness?.stop());

  it('reads metric names out of PromQL, leaving functions, labels, ranges and keywords out', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.95, sum by (le, stage) (rate(ai_stage_duration_seconds_bucket{stage!~"x|y"}[$__rate_interval]))) / on (stage) group_left ai_b',
      ),
    ).toEqual(['ai_stage_duration_seconds_bucket', 'ai_b']);
  });

  it('queries, through the ${datasource} variable, the metrics the status page and the issue name', () => {
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
    );
    for (const panel of queryPanels) {
      expect({ panel: panel.title, uid: panel.datasource?.uid }).toEqual({
        panel: panel.title,
        uid: '${datasource}',
      });
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.datasource.uid).toBe('${datasource}');
    }
    expect(queried).toEqual(
      expect.arrayContaining([
        'ai_feature_requests_total',
        'ai_fallbacks_total',
        'ai_stage_duration_seconds_bucket',
        'ai_cost_usd_total',
        'ai_quality_grounding_score_sum',
        'ai_quality_grounding_score_count',
        'ai_quality_checks_total',
        'ai_circuit_open',
        'ai_model_time_to_first_token_seconds_bucket',
        'ai_model_tokens_sum',
        'ai_guardrail_outcomes_total',
        'ai_limit_refusals_total',
        'ai_open_subscriptions',
        'ai_jobs_total',
        'ai_jobs_running',
        'ai_job_run_duration_seconds_bucket',
        'ai_job_queue_wait_seconds_bucket',
      ]),
    );
  });

  it('draws only degradation reasons in "Degradation reasons", not the abandoned requests counted as reason none', () => {
    // Found by a review: outcome!="full" let outcome="abandoned", reason="none" draw a "none" series.
    const panel = queryPanels.find((candidate) => candidate.title === 'Degradation reasons');
    const [expr] = (panel?.targets ?? []).map((target) => target.expr);
    const selector = /ai_feature_requests_total\{([^}]*)\}/.exec(expr ?? '')?.[1] ?? '';
    const matchers = [...selector.matchAll(/(\w+)\s*(!?=)\s*"([^"]*)"/g)].map(([, label, op, value]) => ({
      label: label!,
      op,
      value,
    }));
    const selects = (series: Record<string, string>) =>
      matchers.every(({ label, op, value }) => (series[label] === value) === (op === '='));
    expect(selects({ outcome: 'abandoned', reason: 'none' })).toBe(false);
    expect(selects({ outcome: 'full', reason: 'none' })).toBe(false);
    expect(selects({ outcome: 'degraded', reason: 'PROVIDER_TIMEOUT' })).toBe(true);
    expect(selects({ outcome: 'unavailable', reason: 'RATE_LIMITED' })).toBe(true);
  });

  it('queries only metric families a running subgraph exposes at /metrics', async () => {
    const families = familiesOf((await harness.metrics()).text);
    const missing = queried.filter((name) => {
      if (families.has(name)) return false;
      const histogram = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1];
      return !(histogram && families.get(histogram) === 'histogram');
    });
    expect(missing).toEqual([]);
  });
});
