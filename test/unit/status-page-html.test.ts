// The status page's markup: every interpolated value is escaped (label values come from config and routes, but a
// page that trusted them would run whatever a bad one carried), only markup built by `html` passes as markup, and
// the one style sheet is the one the Content-Security-Policy allows by hash.
import { createHash } from 'node:crypto';
import { createMetrics } from '../../subgraph/observability/metrics';
import { escapeHtml, html, SafeHtml } from '../../subgraph/observability/status/escape-html';
import { createMetricsRecorder } from '../../subgraph/observability/status/metrics-recorder';
import { STATUS_PAGE_STYLE_HASH } from '../../subgraph/observability/status/page-style';
import { renderStatusPage } from '../../subgraph/observability/status/status-page';
import { statusView } from '../../subgraph/observability/status/status-view';

const HOSTILE = `<script>alert("x")</script>`;
const BREAKOUT = `"><img src=x onerror='alert(1)'>`;

describe('escaping', () => {
  it('escapes the five characters that can end text or a quoted attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
  });

  it('html escapes strings it interpolates, keeps its own markup, joins lists and drops absent values', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(
      html`<p title="${BREAKOUT}">${HOSTILE}${inner}${[inner, 'a&b']}${null}${false}${3}</p>`.markup,
    ).toBe(
      `<p title="&quot;&gt;&lt;img src=x onerror=&#39;alert(1)&#39;&gt;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;` +
        '<b>&lt;i&gt;</b><b>&lt;i&gt;</b>a&amp;b3</p>',
    );
    // A coordinate that is not a number never reaches an attribute as NaN or Infinity.
    expect(html`<rect width="${Number.NaN}" x="${Infinity}" />`.markup).toBe('<rect width="0" x="0" />');
    expect(new SafeHtml('<i>').toString()).toBe('<i>');
  });
});

describe('the rendered page', () => {
  it('shows hostile label values as text, never as markup, in tables, charts and titles alike', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    let clock = Date.UTC(2025, 0, 1);
    const recorder = createMetricsRecorder(metrics.registry, {
      intervalMs: 60_000,
      now: () => (clock += 60_000),
    });
    await recorder.record();
    metrics.featureRequests.inc({ feature: HOSTILE, outcome: 'degraded', reason: BREAKOUT, tier: 'none' });
    metrics.stageDuration.observe({ stage: HOSTILE }, 0.2);
    metrics.costUsd.inc({ feature: HOSTILE }, 0.01);
    metrics.qualityGrounding.observe({ feature: 'ask', model: BREAKOUT, prompt_version: HOSTILE }, 0.8);
    metrics.qualityChecks.inc({
      feature: 'ask',
      model: BREAKOUT,
      prompt_version: HOSTILE,
      check: 'abstained',
      result: 'false',
    });
    metrics.circuitOpen.set({ provider: 'openai', model: HOSTILE }, 1);
    await recorder.record();
    const page = renderStatusPage(
      statusView(await recorder.history(), {
        intervalMs: 60_000,
        capacity: 60,
        targets: [{ provider: 'anthropic', model: BREAKOUT }],
      }),
    );
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/<img/i);
    expect(page).not.toContain(`onerror='`);
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(page).toContain('&quot;&gt;&lt;img src=x onerror=&#39;alert(1)&#39;&gt;');
    // Each kind of place a label lands: a table cell, an SVG text label, an SVG tooltip, a circuit row.
    expect(page).toContain('<td class="">&lt;script&gt;');
    expect(page).toMatch(/<text class="label"[^>]*>\s*<title>&lt;script&gt;[^<]*<\/title>&lt;script&gt;/);
    expect(page).toMatch(/<title>&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; (p50|USD)/);
    expect(page).toContain('<code>openai:&lt;script&gt;');
  });

  it('carries one style sheet, the one whose hash the Content-Security-Policy allows, and no style attribute', async () => {
    const recorder = createMetricsRecorder(createMetrics({ defaultMetrics: false }).registry, {
      intervalMs: 60_000,
    });
    const page = renderStatusPage(
      statusView(await recorder.history(), { intervalMs: 60_000, capacity: 60, targets: [] }),
    );
    const sheets = [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((match) => match[1] ?? '');
    expect(sheets).toHaveLength(1);
    expect(`'sha256-${createHash('sha256').update(sheets[0]!).digest('base64')}'`).toBe(
      STATUS_PAGE_STYLE_HASH,
    );
    expect(page).not.toMatch(/\sstyle=/);
    expect(page).not.toMatch(/<script|<link rel="stylesheet"|<img|@import|url\(/i);
  });
});
