// The status page's sections, each a heading, its charts and a table: fallbacks, latency per stage, cost, quality
// and circuits. Every value reaches the markup through `html`, which escapes it.
import { html } from './escape-html';
import type { SafeHtml } from './escape-html';
import { formatCount, formatPercent, formatScore, formatSeconds, formatUsd } from './format';
import { barChart, distributionChart, lineChart, stateStrip } from './svg-charts';
import type { StatusView, YesNo } from './view-types';

const share = ({ yes, no }: YesNo) => (yes + no > 0 ? formatPercent(yes / (yes + no)) : '–');

export function fallbacksSection(view: StatusView): SafeHtml {
  const { requests } = view;
  const { from, now: to } = view;
  return html`<section id="fallbacks">
    <h2>Fallback rate</h2>
    <p class="lead">
      Requests that ended degraded or unavailable, of all feature requests (an abandoned stream counts as a
      request, not a fallback).
    </p>
    <div class="charts">
      ${lineChart({ id: 'fallback-rate', title: 'Fallback rate per interval', series: [requests.rateSeries], from, to, format: formatPercent, yMax: 0.1 })}
      ${lineChart({ id: 'request-outcomes', title: 'Requests per interval by outcome', series: requests.outcomeSeries, from, to, format: formatCount })}
    </div>
    ${table(
      ['feature', 'requests', 'fallbacks', 'fallback rate'],
      requests.byFeature.map((row) => [
        row.feature,
        num(row.total),
        num(row.fallbacks),
        num(formatPercent(row.fallbackRate)),
      ]),
    )}
    ${
      requests.reasons.length > 0
        ? html`<h3>Why not full</h3>
            ${table(
              ['reason', 'requests'],
              requests.reasons.map((row) => [row.reason, num(row.count)]),
            )}`
        : ''
    }
    ${
      requests.ladder.length > 0
        ? html`<h3>Moves down the route chain</h3>
            ${table(
              ['task', 'reason', 'moves'],
              requests.ladder.map((row) => [row.task, row.reason, num(row.count)]),
            )}`
        : ''
    }
  </section>`;
}

export function stagesSection(view: StatusView): SafeHtml {
  const { rows, p95Series } = view.stages;
  return html`<section id="stages">
    <h2>Latency per stage</h2>
    <div class="charts">
      ${barChart({
        id: 'stage-quantiles',
        title: 'p50 and p95 per stage over the window',
        bars: rows.map((row) => ({
          label: row.stage,
          values: [
            { name: 'p50', value: row.p50 },
            { name: 'p95', value: row.p95 },
          ],
        })),
        format: formatSeconds,
      })}
      ${lineChart({ id: 'stage-p95', title: 'p95 per stage per interval', series: p95Series, from: view.from, to: view.now, format: formatSeconds })}
    </div>
    ${table(
      ['stage', 'runs', 'p50', 'p95'],
      rows.map((row) => [
        row.stage,
        num(row.count),
        num(formatSeconds(row.p50)),
        num(formatSeconds(row.p95)),
      ]),
    )}
  </section>`;
}

export function costSection(view: StatusView): SafeHtml {
  const { cost } = view;
  return html`<section id="cost">
    <h2>Cost per feature</h2>
    <div class="charts">
      ${barChart({
        id: 'cost-features',
        title: 'Model spend per feature over the window',
        bars: cost.byFeature.map((row) => ({
          label: row.feature,
          values: [{ name: 'USD', value: row.usd }],
        })),
        format: formatUsd,
      })}
      ${lineChart({ id: 'cost-intervals', title: 'Model spend per interval by feature', series: cost.series, from: view.from, to: view.now, format: formatUsd })}
    </div>
    ${table(
      ['feature', 'in the window', 'since start'],
      cost.byFeature.map((row) => [row.feature, num(formatUsd(row.usd)), num(formatUsd(row.lifetimeUsd))]),
    )}
  </section>`;
}

export function qualitySection(view: StatusView): SafeHtml {
  const { rows, meanSeries } = view.quality;
  return html`<section id="quality">
    <h2>Quality by prompt version</h2>
    <p class="lead">
      Grades of sampled answers and summaries: grounding score (0–1), citations valid, abstentions.
    </p>
    <div class="charts">
      ${barChart({
        id: 'quality-versions',
        title: 'Mean grounding per prompt version over the window',
        bars: rows
          .filter((row) => row.graded > 0)
          .map((row) => ({
            label: `${row.promptVersion} · ${row.model}`,
            values: [{ name: 'mean grounding', value: row.meanGrounding }],
          })),
        format: formatScore,
      })}
      ${lineChart({ id: 'quality-grounding', title: 'Mean grounding per interval by prompt version', series: meanSeries, from: view.from, to: view.now, format: formatScore, yMax: 1 })}
    </div>
    ${table(
      [
        'feature',
        'prompt version',
        'model',
        'graded',
        'mean grounding',
        'distribution',
        'citations valid',
        'abstained',
      ],
      rows.map((row) => [
        row.feature,
        row.promptVersion,
        row.model,
        num(row.graded),
        num(formatScore(row.meanGrounding)),
        distributionChart(
          `grounding scores of ${row.promptVersion}`,
          row.distribution.bounds,
          row.distribution.counts,
        ),
        num(share(row.citationsValid)),
        num(share(row.abstained)),
      ]),
    )}
  </section>`;
}

export function circuitsSection(view: StatusView): SafeHtml {
  return html`<section id="circuits">
    <h2>Circuits</h2>
    ${table(
      ['target', 'now', 'over the window'],
      view.circuits.map((row) => [
        html`<code>${row.target}</code>`,
        html`<span class="state ${row.open ? 'open' : 'closed'}">${row.open ? 'open' : 'closed'}</span>`,
        stateStrip(`circuit of ${row.target} over the window`, row.history),
      ]),
    )}
  </section>`;
}

type Cell = string | number | SafeHtml | { numeric: string | number };

const num = (value: string | number): Cell => ({ numeric: value });

function table(headings: readonly string[], rows: readonly (readonly Cell[])[]): SafeHtml {
  if (rows.length === 0) return html`<p class="empty">Nothing in this window yet.</p>`;
  const numericColumns = new Set(
    (rows[0] ?? []).flatMap((cell, index) => (typeof cell === 'object' && 'numeric' in cell ? [index] : [])),
  );
  const cell = (value: Cell) => (typeof value === 'object' && 'numeric' in value ? value.numeric : value);
  return html`<table>
    <thead>
      <tr>
        ${headings.map((heading, index) => html`<th class="${numericColumns.has(index) ? 'num' : ''}">${heading}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (row) =>
          html`<tr>
            ${row.map((value, index) => html`<td class="${numericColumns.has(index) ? 'num' : ''}">${cell(value)}</td>`)}
          </tr>`,
      )}
    </tbody>
  </table>`;
}
