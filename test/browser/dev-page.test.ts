// The development page in headless Chromium (issue 8, finding: the page at /graphql was Apollo Sandbox from a
// CDN, with telemetry, and offline it showed "cannot be loaded"). The browser may reach the subgraph only:
// every other host is refused and recorded. A pasted token runs the worked example, and askStream's deltas
// are watched arriving in the DOM one by one before the final member shows. A screenshot lands in reports/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import type { ChatRequest } from '../support/providers';
import { requirePostgres } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

const CHAT = '/v1/chat/completions';
const ANSWER = 'Refunds are paid to the original card within five business days of the request [1].';
const SUMMARY = 'Enterprise refunds within 30 days, paid to the card in five business days.';
const SCREENSHOT = join('reports', 'dev-page.png');

function responder(request: ChatRequest): string {
  const user = [...request.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
  return user.includes('Question:') ? ANSWER : SUMMARY;
}

describe("the page at /graphql (issue 8: it was Apollo Sandbox from a CDN with telemetry; offline it showed 'cannot be loaded')", () => {
  let harness: Harness;
  let browser: Browser;
  let page: Page;
  let origin: string;
  const elsewhere: string[] = [];
  const seen: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    harness = await startHarness({
      providers: ['openai'],
      responder,
      env: { NODE_ENV: 'development', DEADLINE_MS: '20000' },
    });
    origin = new URL(harness.url).host;
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    // Offline but for the subgraph: anything for another host is refused, and remembered for the assertion.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).host === origin) return route.continue();
      elsewhere.push(url);
      return route.abort('internetdisconnected');
    });
    page = await context.newPage();
    page.on('request', (request) => seen.push(request.url()));
    page.on('websocket', (socket) => seen.push(socket.url()));
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await harness?.stop();
  });

  /** The union member (or error) the page shows for a section, once it shows one. */
  const member = async (section: string): Promise<string | null> => {
    const line = page.locator(`#${section}-result .member`);
    await line.waitFor();
    return line.textContent();
  };
  const run = async (button: string, section: string): Promise<string | null> => {
    await page.getByRole('button', { name: button, exact: true }).click();
    return member(section);
  };

  it('opened offline, it loads only from the subgraph, takes a pasted token, runs the worked example and shows askStream deltas as they arrive', async () => {
    const response = await page.goto(harness.url);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
    await page.locator('#token-input').waitFor();
    await expect(page.locator('#token-status').textContent()).resolves.toMatch(/No token yet/);

    // Without a token the page shows the server's refusal as it came.
    await expect(run('ask', 'ask')).resolves.toMatch(/^GraphQL error UNAUTHENTICATED: /);

    // The token, pasted as the page says (npm run token prints one), kept for the tab.
    const token = await harness.token('page-acme');
    await page.locator('#token-input').fill(`Bearer ${token}`);
    await page.getByRole('button', { name: 'Use this token' }).click();
    await expect(page.locator('#token-status').textContent()).resolves.toMatch(/tenant page-acme/);
    await expect(page.evaluate('sessionStorage.length')).resolves.toBe(1);

    await expect(run('ingestDocument', 'ingest')).resolves.toBe('IngestResult');
    // Search is lexical for now, so the page shows the Degraded member and its reason.
    await expect(run('search', 'search')).resolves.toBe('DegradedSearchResults');
    await expect(page.locator('#search-result pre').textContent()).resolves.toContain('SEMANTIC_UNAVAILABLE');
    await expect(run('ask', 'ask')).resolves.toBe('Answer');
    await expect(page.locator('#ask-result pre').textContent()).resolves.toContain('five business days');
    await expect(run('summarize', 'summarize')).resolves.toBe('Summary');

    // askStream: a new question (the ask above is cached), one word per delta, 120 ms apart.
    harness.providers.openai.faults.once({ kind: 'slow-drip', delayMs: 120 }, { path: CHAT });
    await page.locator('#stream-question').fill('When are refunds paid to the card?');
    await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
    const partial = await watchStreamText(page, 10_000);
    await expect(member('stream')).resolves.toBe('AskCompleted → Answer');

    // Seen growing, word by word, while the final member was still absent.
    expect(partial.length).toBeGreaterThanOrEqual(3);
    for (const [index, text] of partial.entries()) {
      expect(ANSWER.startsWith(text)).toBe(true);
      if (index > 0) expect(text.length).toBeGreaterThan(partial[index - 1]?.length ?? 0);
    }
    await expect(page.locator('#stream-text').textContent()).resolves.toBe(ANSWER);
    await expect(page.locator('#stream-events li').first().textContent()).resolves.toBe('AnswerDelta #0');
    await expect(page.locator('#stream-events').textContent()).resolves.toContain('Stream complete.');

    mkdirSync('reports', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    expect(elsewhere).toEqual([]);
    expect(seen.every((url) => new URL(url).host === origin)).toBe(true);
    expect(seen.some((url) => url.startsWith(`ws://${origin}/graphql`))).toBe(true);
    expect(problems).toEqual([]);
  }, 60_000);
});

/**
 * The streamed answer's text each time it changes, until the final member shows: the snapshots taken while
 * the stream was still open (a snapshot that already carries the whole answer is not partial).
 */
async function watchStreamText(page: Page, timeoutMs: number): Promise<string[]> {
  const snapshots: string[] = [];
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const [text, completed] = await Promise.all([
      page.locator('#stream-text').textContent(),
      page.locator('#stream-result .member').count(),
    ]);
    if (completed > 0) return snapshots;
    if (text && text !== snapshots.at(-1) && text !== ANSWER) snapshots.push(text);
    await sleep(15);
  }
  throw new Error(`askStream did not complete within ${timeoutMs} ms`);
}
