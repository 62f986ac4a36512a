// Finding: a long summary left out the parts our limits refused and reported itself whole. summarizeByParts
// dropped every part whose step was AIUnavailable (the tenant's rate, load shedding, the spend cap) and
// summarized the rest as if they were the text: a COMPLETED Summary of half a contract, no sign of the gap. Now
// a part our passing limits refuse waits its retryAfter and is asked again while the job's deadline leaves
// room; past that, the whole run is that refusal (the runner puts the job back); a part refused for good makes
// the whole a DegradedSummary with that reason. The summarize step is handed in as the job runner hands in
// the real pipeline, so a test can refuse exactly one part.
import { Deadline } from '../../subgraph/gateway/resilience/deadline';
import type { FeatureCall } from '../../subgraph/features/feature-call';
import type { SummarizeOutcome } from '../../subgraph/features/feature-result';
import type { DegradationReason } from '../../subgraph/gateway/degradation-reason';
import { summarizeByParts } from '../../subgraph/jobs/long-summary';
import { fullSummary } from '../support/summary-outcome';

const PART_CHARS = 100;
/** Four paragraphs of about 90 characters: four parts. */
const TEXT = Array.from(
  { length: 4 },
  (_, k) => `Crate ${k} holds lemons and limes for the northern market stalls of the old harbour town.`,
).join('\n\n');

const refusal = (reason: DegradationReason, retryAfterSeconds?: number): SummarizeOutcome => ({
  kind: 'unavailable',
  reason,
  message: `refused: ${reason}`,
  retryAfterSeconds: retryAfterSeconds ?? null,
});

/** A step that summarizes each part as "Crate k.", refusing part `refused` with `refuse()` while it returns one. */
function steps(refused: number, refuse: () => SummarizeOutcome | null) {
  const asked: string[] = [];
  const summarize = (_call: FeatureCall, input: unknown): Promise<SummarizeOutcome> => {
    const text = (input as { text: string }).text;
    const part = /^Crate (\d+) holds/.exec(text)?.[1];
    asked.push(part === undefined ? 'reduce' : `part ${part}`);
    const refusedNow = Number(part) === refused && part !== undefined ? refuse() : null;
    return Promise.resolve(refusedNow ?? fullSummary(part === undefined ? text : `Crate ${part}.`));
  };
  return { asked, summarize };
}

const jobCall = (deadlineMs: number, signal?: AbortSignal): FeatureCall =>
  ({ deadline: new Deadline(deadlineMs), signal }) as FeatureCall;

describe('a long summary left out the parts our limits refused and reported itself whole', () => {
  it('asks a part refused by our rate limit again after its retryAfter, while the deadline leaves room', async () => {
    let refusals = 1;
    const { asked, summarize } = steps(2, () => (refusals-- > 0 ? refusal('RATE_LIMITED', 1) : null));
    const began = performance.now();
    const whole = await summarizeByParts(
      { summarize, partChars: PART_CHARS, parallel: 4 },
      jobCall(10_000),
      TEXT,
      undefined,
    );
    expect(whole.kind).toBe('full');
    if (whole.kind !== 'full') return;
    // Every part is in the whole, the refused one after its second asking, a second later.
    expect(whole.value.text).toBe('Crate 0.\n\nCrate 1.\n\nCrate 2.\n\nCrate 3.');
    expect(asked.filter((step) => step === 'part 2')).toHaveLength(2);
    expect(performance.now() - began).toBeGreaterThanOrEqual(990);
  });

  it('is that refusal, to be put back, when the wait would not fit the deadline', async () => {
    const { asked, summarize } = steps(1, () => refusal('RATE_LIMITED', 60));
    const whole = await summarizeByParts(
      { summarize, partChars: PART_CHARS, parallel: 4 },
      jobCall(3_000),
      TEXT,
      undefined,
    );
    expect(whole).toMatchObject({ kind: 'unavailable', reason: 'RATE_LIMITED', retryAfterSeconds: 60 });
    // Asked once, and no summary of the other three parts was made as if they were the whole text.
    expect(asked.filter((step) => step === 'part 1')).toHaveLength(1);
    expect(asked).not.toContain('reduce');
  });

  it('is a DegradedSummary with the reason when a part is refused for good (the spend cap)', async () => {
    const { asked, summarize } = steps(3, () => refusal('BUDGET_EXCEEDED'));
    const whole = await summarizeByParts(
      { summarize, partChars: PART_CHARS, parallel: 4 },
      jobCall(10_000),
      TEXT,
      undefined,
    );
    expect(whole).toMatchObject({ kind: 'degraded', reason: 'BUDGET_EXCEEDED' });
    expect(asked.filter((step) => step === 'part 3')).toHaveLength(1);
  });

  it("ends a part's wait with the job's cancel, rejecting with its reason", async () => {
    const { summarize } = steps(0, () => refusal('RATE_LIMITED', 5));
    const cancel = new AbortController();
    const reason = new Error('job cancelled');
    const began = performance.now();
    const run = summarizeByParts(
      { summarize, partChars: PART_CHARS, parallel: 4 },
      jobCall(60_000, cancel.signal),
      TEXT,
      undefined,
    );
    setTimeout(() => cancel.abort(reason), 100);
    await expect(run).rejects.toBe(reason);
    expect(performance.now() - began).toBeLessThan(4_000);
  });
});
