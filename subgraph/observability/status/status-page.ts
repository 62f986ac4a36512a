// The status page: one self-contained HTML document (its style inline, its charts inline SVG; no script, font
// or other resource) with the instance's last hour at a glance. It reloads itself at the recorder's pace.
import { html, SafeHtml } from './escape-html';
import { formatCount, formatPercent, formatSpan, formatUsd } from './format';
import { STATUS_PAGE_STYLE } from './page-style';
import {
  circuitsSection,
  costSection,
  fallbacksSection,
  qualitySection,
  stagesSection,
} from './status-sections';
import type { StatusView } from './view-types';

// The sheet is a constant of ours, trusted as it is and kept byte for byte (outside the formatted template):
// escaping its quotes, or re-indenting it, would break it and its CSP hash.
const STYLE_ELEMENT = new SafeHtml(`<style>${STATUS_PAGE_STYLE}</style>`);

/** Reload at the snapshot interval, within 30 s and 5 min (a page reloading every second helps nobody). */
const refreshSeconds = (intervalMs: number) => Math.min(300, Math.max(30, Math.round(intervalMs / 1000)));

export function renderStatusPage(view: StatusView): string {
  const { requests, cost } = view;
  const openCircuits = view.circuits.filter((row) => row.open).length;
  const openStreams = view.openStreams.reduce((sum, row) => sum + row.count, 0);
  const card = (title: string, figure: string, note: string) =>
    html`<div class="card">
      <div class="note">${title}</div>
      <div class="figure">${figure}</div>
      <div class="note">${note}</div>
    </div>`;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta http-equiv="refresh" content="${refreshSeconds(view.intervalMs)}" />
        <title>AI subgraph status</title>
        <link rel="icon" href="data:," />
        ${STYLE_ELEMENT}
      </head>
      <body>
        <header>
          <h1>AI subgraph status</h1>
          <p class="lead">
            This instance over the last ${formatSpan(view.now - view.from)} (a snapshot every
            ${formatSpan(view.intervalMs)}, the latest ${view.capacity} kept, and one taken now), at
            ${new Date(view.now).toISOString()}. Figures of this replica only; Grafana
            (<code>dashboards/ai-subgraph.json</code>) shows every replica.
          </p>
        </header>
        <section class="cards">
          ${card('Requests', formatCount(requests.total), `${formatCount(requests.lifetime.total)} since start`)}
          ${card('Fallback rate', formatPercent(requests.fallbackRate), `${formatCount(requests.fallbacks)} degraded or unavailable`)}
          ${card('Model spend', formatUsd(cost.total), `${formatUsd(cost.lifetime)} since start`)}
          ${card('Circuits open', `${openCircuits} of ${view.circuits.length}`, openCircuits > 0 ? 'targets skipped until their cool-down' : 'every target in use')}
          ${card('Open streams', formatCount(openStreams), view.openStreams.map((row) => `${row.field} ${formatCount(row.count)}`).join(', ') || 'none')}
        </section>
        ${fallbacksSection(view)} ${stagesSection(view)} ${costSection(view)} ${qualitySection(view)}
        ${circuitsSection(view)}
        <p class="muted">The raw figures: <a href="/metrics">/metrics</a>.</p>
      </body>
    </html> `.markup;
}
