// Quality sampling end to end, on PostgreSQL and PGlite: requests drawn at their tenant's sampling.rate are
// graded in the background (metrics by feature, model and prompt version) and, where the tenant keeps content,
// stored redacted for its ai:admin to read through aiSamples: never another tenant's, never past retention,
// nothing at all for a tenant whose rate is 0.
import { randomUUID } from 'node:crypto';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { AI_SAMPLES } from '../support/operations';
import type { AISample } from '../support/results';
import { requirePostgres } from '../support/services';
import { eventually } from '../support/wait-for';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

const POLICIES = {
  tenants: {
    'keep-a': { sampling: { rate: 1, keepContent: true } },
    'keep-b': { sampling: { rate: 1, keepContent: true, retentionDays: 7 } },
    zero: { sampling: { rate: 0, keepContent: true } },
    'graded-only': { sampling: { rate: 1 } },
  },
};

const EMAIL = 'jane.doe@example.com';
const EMAIL_PLACEHOLDER = '⟦EMAIL_1⟧';
const DOCUMENT = {
  id: 'warranty',
  title: 'Orion warranty',
  body:
    'The Orion warranty covers parts and labour for two years from the date of purchase. ' +
    'Claims are made at the counter with the receipt. Returns are accepted within thirty days.',
};
const WAIT_MS = 10_000;

describe.each(['postgres', 'pglite'] as const)('quality sampling on %s', (store) => {
  let subgraph: Harness;

  beforeAll(async () => {
    subgraph = await startHarness({
      store,
      providers: ['openai'],
      env: { TENANT_POLICIES_JSON: JSON.stringify(POLICIES) },
    });
    for (const tenant of Object.keys(POLICIES.tenants)) await subgraph.as(tenant).ingest(DOCUMENT);
  });

  afterAll(() => subgraph?.stop());

  const samplesOf = async (tenant: string, limit?: number) =>
    (await subgraph.as(tenant).data<{ aiSamples: AISample[] }>(AI_SAMPLES, { limit })).aiSamples;

  /** The tenant's sample whose input is `input`, once it is there and (unless `graded` is false) graded. */
  const sampleWith = (tenant: string, input: string, graded = true) =>
    eventually(
      async () =>
        (await samplesOf(tenant)).find(
          (sample) => sample.input === input && (!graded || sample.quality !== null),
        ),
      WAIT_MS,
      `${tenant}'s sample of "${input}"`,
    );

  /** A question of its own, so a sample is told apart from the others by its input. */
  const question = (words: string) => `How long does the Orion warranty last? ${words} ${randomUUID()}`;

  it('keeps a sampled ask with the email in its question redacted, and grades it', async () => {
    const asked = question(`Reply to ${EMAIL}.`);
    const answer = await subgraph.as('keep-a').ask(asked);
    expect(answer.__typename).toBe('Answer');
    if (answer.__typename !== 'Answer') return;

    const sample = await sampleWith('keep-a', asked.replace(EMAIL, EMAIL_PLACEHOLDER));
    expect(sample.input).not.toContain(EMAIL);
    expect(sample).toMatchObject({
      feature: 'ask',
      output: answer.text,
      outcome: 'full',
      reason: null,
      quality: { grounding: 1, citationsValid: true, abstained: false },
    });
    expect(new Date(sample.createdAt).toISOString()).toBe(sample.createdAt);
  });

  it('shows tenant A’s samples to A only, and B’s to B only', async () => {
    const askedByA = question('Asked by A.');
    const askedByB = question('Asked by B.');
    await subgraph.as('keep-a').ask(askedByA);
    await subgraph.as('keep-b').ask(askedByB);
    await sampleWith('keep-a', askedByA);
    await sampleWith('keep-b', askedByB);

    const inputsOfA = (await samplesOf('keep-a', 100)).map((sample) => sample.input);
    const inputsOfB = (await samplesOf('keep-b', 100)).map((sample) => sample.input);
    expect(inputsOfA).toContain(askedByA);
    expect(inputsOfA).not.toContain(askedByB);
    expect(inputsOfB).toEqual([askedByB]);
  });

  it('keeps nothing and grades nothing for a tenant whose rate is 0', async () => {
    await subgraph.app.quality.idle();
    const before = await subgraph.metrics();
    await subgraph.as('zero').ask(question('Not sampled.'));
    await subgraph.as('zero').summarize({ text: DOCUMENT.body });
    await subgraph.as('zero').search('warranty');
    await subgraph.app.quality.idle();

    expect(await samplesOf('zero')).toEqual([]);
    const after = await subgraph.metrics();
    expect(after.value('ai_quality_grounding_score_count')).toBe(
      before.value('ai_quality_grounding_score_count'),
    );
    expect(after.value('ai_quality_checks_total')).toBe(before.value('ai_quality_checks_total'));
  });

  it('grades a tenant’s samples into the metrics by feature, model and prompt version without keeping them', async () => {
    const answer = await subgraph.as('graded-only').ask(question('Graded only.'));
    if (answer.__typename !== 'Answer') throw new Error(`expected an Answer, got ${answer.__typename}`);
    const { model, promptVersion } = answer.meta;
    const labels = { feature: 'ask', model: String(model), prompt_version: String(promptVersion) };
    await subgraph.app.quality.idle();
    const before = await subgraph.metrics();
    await subgraph.as('graded-only').ask(question('Graded only, again.'));
    await subgraph.app.quality.idle();

    const after = await subgraph.metrics();
    const delta = (name: string, extra: Record<string, string> = {}) =>
      after.value(name, { ...labels, ...extra }) - before.value(name, { ...labels, ...extra });
    expect(delta('ai_quality_grounding_score_count')).toBe(1);
    expect(delta('ai_quality_grounding_score_sum')).toBe(1);
    expect(delta('ai_quality_checks_total', { check: 'citations_valid', result: 'true' })).toBe(1);
    expect(delta('ai_quality_checks_total', { check: 'abstained', result: 'false' })).toBe(1);
    expect(await samplesOf('graded-only')).toEqual([]);
  });

  it('keeps a summary of a given text, redacted, graded with no citations to check', async () => {
    const text = `${DOCUMENT.body} Write to ${EMAIL} with questions. ${randomUUID()}`;
    const summary = await subgraph.as('keep-a').summarize({ text });
    if (summary.__typename !== 'Summary') throw new Error(`expected a Summary, got ${summary.__typename}`);

    const sample = await sampleWith('keep-a', text.replace(EMAIL, EMAIL_PLACEHOLDER));
    expect(sample.feature).toBe('summarize');
    expect(sample.output).toBe(summary.text.replace(EMAIL, EMAIL_PLACEHOLDER));
    expect(sample.quality).toEqual({
      grounding: expect.any(Number),
      citationsValid: null,
      abstained: false,
    });
  });

  it('keeps a search, ungraded, and an askStream like the ask it is', async () => {
    const query = `warranty ${randomUUID()}`;
    await subgraph.as('keep-a').search(query);
    const streamed = question('Streamed.');
    await subgraph.as('keep-a').askStream(streamed);
    await subgraph.app.quality.idle();

    const search = await sampleWith('keep-a', query, false);
    expect(search).toMatchObject({ feature: 'search', quality: null });
    const stream = await sampleWith('keep-a', streamed);
    expect(stream).toMatchObject({ feature: 'ask', outcome: 'full' });
  });

  it('never returns a sample past its retention', async () => {
    const expired = `expired ${randomUUID()}`;
    const live = `live ${randomUUID()}`;
    const kept = (input: string, daysAgo: number) =>
      subgraph.app.samples.put({
        tenantId: 'keep-a',
        sampleId: randomUUID(),
        requestId: randomUUID(),
        feature: 'ask',
        createdAt: new Date(Date.now() - daysAgo * 24 * 60 * 60 * 1000),
        retentionDays: 30,
        input,
        chunkIds: [],
        output: 'An answer.',
        outcome: 'full',
        reason: null,
      });
    await kept(expired, 31);
    await kept(live, 29);

    const inputs = (await samplesOf('keep-a', 100)).map((sample) => sample.input);
    expect(inputs).toContain(live);
    expect(inputs).not.toContain(expired);
  });

  // Found by a review: aiSamples read whatever was kept, whatever the tenant's policy says now.
  it('serves no sample kept before the policy stopped keeping content, and none past a shortened retention', async () => {
    const keptEarlier = (tenantId: string, input: string, daysAgo: number) =>
      subgraph.app.samples.put({
        tenantId,
        sampleId: randomUUID(),
        requestId: randomUUID(),
        feature: 'ask',
        createdAt: new Date(Date.now() - daysAgo * 24 * 60 * 60 * 1000),
        // Kept under a policy that has since changed: content on, a rate above 0, a month's retention.
        retentionDays: 30,
        input,
        chunkIds: [],
        output: 'An answer.',
        outcome: 'full',
        reason: null,
      });
    await keptEarlier('graded-only', `opted out ${randomUUID()}`, 1);
    await keptEarlier('zero', `rate zero ${randomUUID()}`, 1);
    const withinSeven = `within seven days ${randomUUID()}`;
    const pastSeven = `past seven days ${randomUUID()}`;
    await keptEarlier('keep-b', withinSeven, 6);
    await keptEarlier('keep-b', pastSeven, 8);

    expect(await samplesOf('graded-only', 100)).toEqual([]);
    expect(await samplesOf('zero', 100)).toEqual([]);
    const inputs = (await samplesOf('keep-b', 100)).map((sample) => sample.input);
    expect(inputs).toContain(withinSeven);
    expect(inputs).not.toContain(pastSeven);
  });

  it('serves aiSamples only to a token with ai:admin', async () => {
    const refused = await subgraph.as('keep-a', ['ai:ingest']).request(AI_SAMPLES);
    expect(refused.body.data ?? null).toBeNull();
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refused.body.errors?.[0]?.path).toEqual(['aiSamples']);
  });

  it.each([0, 101, -1])('refuses a limit of %d with BAD_USER_INPUT naming limit', async (limit) => {
    const refused = await subgraph.as('keep-a').request(AI_SAMPLES, { limit });
    expect(refused.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'limit' });
  });

  it('serves at most the limit, newest first', async () => {
    const [newest, ...rest] = await samplesOf('keep-a', 100);
    expect(rest.length).toBeGreaterThan(0);
    expect(await samplesOf('keep-a', 1)).toEqual([newest]);
    const times = [newest, ...rest].map((sample) => Date.parse(sample?.createdAt ?? ''));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });
});
