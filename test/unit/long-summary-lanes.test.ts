// A long summary's parts are summarized a few at a time (lanes over the parts). When one part's summarize
// throws (an error of the service, not a provider failure, which degrades), the run fails and the other lanes
// stop with it: their calls in flight see their signal abort, no further part starts, and the phase settles
// only once every lane has stopped. They used to go on through the remaining parts after the run had ended (the
// job released for a retry, or FAILED), out of reach of cancelAIJob and beyond JOB_CONCURRENCY (found by a
// review). The summarize step is handed in as summarizeByParts' dependency, as the job runner hands in the
// real pipeline, so a test can make exactly one part throw.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FeatureCall } from '../../subgraph/features/feature-call';
import type { SummarizeOutcome } from '../../subgraph/features/feature-result';
import { summarizeByParts } from '../../subgraph/jobs/long-summary';
import { fullSummary } from '../support/summary-outcome';

const PART_CHARS = 100;
/** Forty paragraphs of about 90 characters: forty parts, four lanes. */
const TEXT = Array.from(
  { length: 40 },
  (_, k) => `Crate ${k} holds lemons and limes for the northern market stalls of the old harbour town.`,
).join('\n\n');

const summary = fullSummary;

describe('summarizeByParts when a part fails', () => {
  it('aborts the other lanes, starts no further part, and settles once every lane has stopped', async () => {
    const started: number[] = [];
    const aborted: number[] = [];
    const settled: number[] = [];
    const failure = new Error('usage ledger unreachable');
    const summarize = async (call: FeatureCall, input: unknown): Promise<SummarizeOutcome> => {
      const text = (input as { text: string }).text;
      const part = Number(/Crate (\d+)/.exec(text)?.[1]);
      started.push(part);
      try {
        if (part === 4) throw failure; // the fifth part, taken by the lane that answered part 0 at once
        if (part === 0) return summary(`Crate ${part}.`);
        // The others are slow model calls, in flight when part 4 fails: only their signal ends them early.
        await sleep(3_000, undefined, { signal: call.signal });
        return summary(`Crate ${part}.`);
      } catch (error) {
        if (call.signal?.aborted) aborted.push(part);
        throw error;
      } finally {
        settled.push(part);
      }
    };
    const began = performance.now();
    await expect(
      summarizeByParts({ summarize, partChars: PART_CHARS, parallel: 4 }, {} as FeatureCall, TEXT, undefined),
    ).rejects.toBe(failure);
    expect(performance.now() - began).toBeLessThan(2_000);
    expect(started.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
    expect(aborted.sort((a, b) => a - b)).toEqual([1, 2, 3]);
    // Settled before the phase rejected, not after: nothing outlives it.
    expect(settled).toHaveLength(5);
    await sleep(100);
    expect(started).toHaveLength(5);
  });

  it("aborts every lane with the job's own cancel, rejecting with its reason", async () => {
    const cancel = new AbortController();
    const aborted: number[] = [];
    const summarize = async (call: FeatureCall, input: unknown): Promise<SummarizeOutcome> => {
      const part = Number(/Crate (\d+)/.exec((input as { text: string }).text)?.[1]);
      try {
        await sleep(3_000, undefined, { signal: call.signal });
        return summary(`Crate ${part}.`);
      } catch (error) {
        if (!call.signal?.aborted) throw error;
        aborted.push(part);
        // As the pipeline's model calls do: a call whose signal aborted rejects with the signal's reason.
        throw call.signal.reason;
      }
    };
    setTimeout(() => cancel.abort(new Error('cancelled by the caller')), 50);
    await expect(
      summarizeByParts(
        { summarize, partChars: PART_CHARS, parallel: 4 },
        { signal: cancel.signal } as FeatureCall,
        TEXT,
        undefined,
      ),
    ).rejects.toThrow('cancelled by the caller');
    expect(aborted.sort((a, b) => a - b)).toEqual([0, 1, 2, 3]);
  });
});
