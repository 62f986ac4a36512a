// GET /status in headless Chromium (issue 12: an operator had nothing to look at but raw /metrics). Real traffic
// through the fake providers — answers, a move down the route chain, circuits opening, the extractive floor —
// then the page: one document that loads nothing else, under a Content-Security-Policy it does not violate,
// whose charts drew (lines with length, bars with width) with their labels visible and label values shown as
// text. The recorder snapshots every half second here, so the "last hour" is the last 30 seconds. A screenshot
// lands in reports/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { FAST_RETRIES, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import type { ChatRequest } from '../support/providers';
import { member } from '../support/results';
import { requirePostgres } from '../support/services';
import { waitUntil } from '../support/wait-for';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

const TENANT = 'status-page-co';
const SNAPSHOT_MS = 500;
const OPENAI_MODEL = 'gpt-status-large';
const ANTHROPIC_MODEL = 'claude-status-large';
// Shown on the page as text, never as markup (the grader's labels come from config, but the page trusts none).
const HOSTILE_VERSION = 'answer.v9<b>bold</b>';
const SCREENSHOT = join('reports', 'status-page.png');

const DOCUMENT = {
  id: 'refund-policy',
  title: 'Refund policy',
  body:
    'Enterprise customers may request a refund within 30 days of purchase. Refunds are paid to the original ' +
    'card within five business days. Annual plans are refunded pro rata after the first month.',
};

function responder(request: ChatRequest): string {
  const user = [...request.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
  return user.includes('Question:')
    ? 'Refunds are paid to the original card within five business days [1].'
    : 'Enterprise refunds within 30 days, paid to the card in five business days.';
}

/** The charts the page draws from the traffic below: each must show marks. */
const LINE_CHARTS = ['fallback-rate', 'request-outcomes', 'stage-p95', 'cost-intervals', 'quality-grounding'];
/** Line charts with a point in every interval (or in several): they must draw lines, not only dots. */
const SPANNING_CHARTS = ['fallback-rate', 'request-outcomes', 'cost-intervals'];
const BAR_CHARTS = ['stage-quantiles', 'cost-features', 'quality-versions'];

describe('the status page at /status (issue 12: nothing to look at but raw /metrics)', () => {
  let harness: Harness;
  let browser: Browser;
  let page: Page;
  const seen: string[] = [];
  const problems: string[] = [];

  /** Resolves once the recorder has kept another snapshot, so the traffic before it lands in its own interval. */
  async function nextSnapshot(): Promise<void> {
    const last = harness.app.statusRecorder.snapshots().at(-1)?.at ?? 0;
    await waitUntil(
      () => (harness.app.statusRecorder.snapshots().at(-1)?.at ?? 0) > last,
      5_000,
      'the next status snapshot',
    );
  }

  beforeAll(async () => {
    harness = await startHarness({
      providers: ['openai', 'anthropic'],
      responder,
      env: {
        ...FAST_RETRIES,
        STATUS_SNAPSHOT_INTERVAL_MS: String(SNAPSHOT_MS),
        OPENAI_MODEL,
        ANTHROPIC_MODEL,
        MODEL_PRICES_JSON: JSON.stringify({
          [`openai:${OPENAI_MODEL}`]: { inputPerMillion: 2.5, outputPerMillion: 10 },
          [`anthropic:${ANTHROPIC_MODEL}`]: { inputPerMillion: 3, outputPerMillion: 15 },
        }),
        // Every call on the main models, so the faults below reach the targets whose circuits the page shows.
        SMALL_MODEL_MAX_INPUT_CHARS: '0',
        RETRY_MAX_ATTEMPTS: '1',
        CIRCUIT_CONSECUTIVE_FAILURES: '2',
        CIRCUIT_RATE_WINDOW: '10000',
        CIRCUIT_COOLDOWN_MS: '600000',
      },
    });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    await context.route('**/*', (route) => {
      seen.push(route.request().url());
      return new URL(route.request().url()).origin === new URL(harness.url).origin
        ? route.continue()
        : route.abort('internetdisconnected');
    });
    // A violation is reported to the page as an event as well as to the console; both are collected.
    await context.addInitScript({
      content: `document.addEventListener('securitypolicyviolation', (event) =>
        console.error('CSP violation: ' + event.violatedDirective + ' ' + event.blockedURI));`,
    });
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning')
        problems.push(`${message.type()}: ${message.text()}`);
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await harness?.stop();
  });

  async function driveTraffic(): Promise<void> {
    const client = harness.as(TENANT);
    const chat = { path: '/v1/chat/completions' };
    const messages = { path: '/v1/messages' };
    await client.ingest(DOCUMENT);
    await nextSnapshot();
    // Full answers from the first target.
    member(await client.ask('When are refunds paid to the card?'), 'Answer');
    member(await client.summarize({ documentId: DOCUMENT.id }), 'Summary');
    await nextSnapshot();
    // The first target fails: the second answers (a move down the chain); two failures open the first's circuit.
    harness.providers.openai.faults.always({ kind: 'status', status: 500 }, chat);
    member(await client.ask('How long do enterprise customers have to ask for a refund?'), 'Answer');
    member(await client.ask('How are annual plans refunded?'), 'Answer');
    await nextSnapshot();
    // Both fail: the extractive floor answers, degraded, and the page's fallback rate is no longer zero.
    harness.providers.anthropic.faults.always({ kind: 'status', status: 500 }, messages);
    member(await client.summarize({ text: `${DOCUMENT.body} ${DOCUMENT.body}` }), 'DegradedSummary');
    member(await client.ask('Where are refunds paid?'), 'DegradedAnswer');
    // The quality grader (sampled, off the request path) writes these; written here directly, so the quality
    // chart is checked whatever the sampling rate.
    const grade = { feature: 'ask', model: OPENAI_MODEL, prompt_version: HOSTILE_VERSION };
    for (const score of [0.92, 0.85, 0.4]) harness.app.metrics.qualityGrounding.observe(grade, score);
    harness.app.metrics.qualityChecks.inc({ ...grade, check: 'citations_valid', result: 'true' }, 2);
    harness.app.metrics.qualityChecks.inc({ ...grade, check: 'citations_valid', result: 'false' }, 1);
    await nextSnapshot();
    await nextSnapshot();
  }

  it('draws the last window offline, from one document under its CSP: fallback rate, stages, cost, quality, circuits', async () => {
    await driveTraffic();
    const url = new URL('/status', harness.url).href;
    const response = await page.goto(url);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    // Taken before the checks, so that a failing run leaves the page it saw behind.
    mkdirSync('reports', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // The fallback rate: 2 of the 6 feature requests ended degraded.
    const card = page.locator('.card', { hasText: 'Fallback rate' }).locator('.figure');
    await expect(card.textContent()).resolves.toBe('33.3%');
    await expect(page.locator('#fallbacks').textContent()).resolves.toMatch(/summarize[\s\S]*PROVIDER_ERROR/);

    // Every chart drew marks of a visible size.
    for (const id of [...LINE_CHARTS, ...BAR_CHARTS]) {
      const chart = page.locator(`svg[aria-labelledby="${id}-title"]`);
      expect({ id, visible: await chart.isVisible() }).toEqual({ id, visible: true });
      const marks = await chartMarks(page, id);
      expect({ id, drawn: marks.width > 300 }).toEqual({ id, drawn: true });
      if (BAR_CHARTS.includes(id)) expect({ id, bars: marks.bars > 0 }).toEqual({ id, bars: true });
      else expect({ id, dots: marks.dots > 0 }).toEqual({ id, dots: true });
      // Charts whose series span several intervals draw lines with a length, not only dots.
      if (SPANNING_CHARTS.includes(id)) expect({ id, lines: marks.lines > 0 }).toEqual({ id, lines: true });
    }

    // Labels visible in the charts and tables.
    await expect(page.locator('#stages text.label', { hasText: 'model.answer' }).isVisible()).resolves.toBe(
      true,
    );
    await expect(page.locator('#cost text.label', { hasText: 'ask' }).isVisible()).resolves.toBe(true);
    const openaiCircuit = page.locator('#circuits tr', { hasText: `openai:${OPENAI_MODEL}` });
    await expect(openaiCircuit.locator('.state').textContent()).resolves.toBe('open');
    await expect(openaiCircuit.locator('rect.open').count()).resolves.toBeGreaterThan(0);
    await expect(openaiCircuit.isVisible()).resolves.toBe(true);

    // The hostile prompt version is text in the quality table, not a <b> element.
    const qualityRow = page.locator('#quality tr', { hasText: HOSTILE_VERSION });
    await expect(qualityRow.isVisible()).resolves.toBe(true);
    await expect(qualityRow.textContent()).resolves.toMatch(/3[\s\S]*0\.72[\s\S]*66\.7%/);
    await expect(page.locator('#quality b').count()).resolves.toBe(0);
    await expect(page.locator('#quality rect.bar').count()).resolves.toBeGreaterThan(0);

    // One document, nothing else: no style sheet, script, font or favicon fetched.
    expect(seen).toEqual([url]);
    expect(problems).toEqual([]);
  }, 90_000);
});

interface ChartMarks {
  /** The chart's rendered width in CSS pixels. */
  width: number;
  /** Lines with a non-empty path of non-zero length, dots, and bars of non-zero width. */
  lines: number;
  dots: number;
  bars: number;
}

/** What the chart titled `${id}-title` drew, measured by the browser's own layout. */
async function chartMarks(page: Page, id: string): Promise<ChartMarks> {
  // A string, run in the page: the test's TypeScript has no DOM types.
  return page.evaluate(`(() => {
    const svg = document.querySelector('svg[aria-labelledby="${id}-title"]');
    return {
      width: svg.getBoundingClientRect().width,
      lines: [...svg.querySelectorAll('path.line')].filter(
        (path) => (path.getAttribute('d') || '') !== '' && path.getTotalLength() > 0,
      ).length,
      dots: svg.querySelectorAll('circle.dot').length,
      bars: [...svg.querySelectorAll('rect.bar')].filter((rect) => rect.getBBox().width > 0).length,
    };
  })()`);
}
