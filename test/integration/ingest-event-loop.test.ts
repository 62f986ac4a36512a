// Outside review finding 1: ingesting a large document blocked the replica's event loop for about a second
// (every chunk screened for injection in one synchronous pass), so every other tenant's request on the replica
// waited that long. The screen now runs in slices of a few milliseconds, each in its own turn of the event loop
// (the extractive floor's queue): the loop's worst delay during a 1M-character ingest stays far below that.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { useHarness } from '../support/harness';

jest.setTimeout(120_000);

/** About `chars` characters of prose, in paragraphs: the common case, about a thousand chunks. */
function prose(chars: number): string {
  const words = ['harbour', 'lamp', 'keeper', 'weather', 'supply', 'boat', 'cliff', 'tide', 'signal', 'fog'];
  const sentences: string[] = [];
  let length = 0;
  for (let i = 0; length < chars - 200; i += 1) {
    const sentence = `Sentence ${i} says the ${words[i % 10]} and the ${words[(i * 7) % 10]} met at dawn near the ${words[(i * 3) % 10]}.${i % 8 === 7 ? '\n\n' : ' '}`;
    sentences.push(sentence);
    length += sentence.length;
  }
  return sentences.join('');
}

// Screening alone took ~1 s for such a document, in one turn; a loaded CI machine may add tens of ms elsewhere.
const MAX_LOOP_DELAY_MS = 150;

describe('Ingesting a large document blocks the replica’s event loop for about 1 s per document', () => {
  // No provider: the document is stored not embedded, so what is timed is chunking, screening and the store,
  // not the fake provider (in this process) hashing a thousand vectors or the vectors' own costs.
  const harness = useHarness({ env: { EMBED_SWEEP_INTERVAL_MS: '0' } });

  it('keeps the event loop’s worst delay under a slice-sized bound while a 1M-character document is ingested', async () => {
    const client = harness.as(`loop-${randomBytes(4).toString('hex')}`);
    // Warm: the first ingest compiles the code paths once.
    await client.ingest({ id: 'warm', title: 'Warm', body: prose(50_000) });
    const body = prose(1_000_000);
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const started = performance.now();
    const result = await client.ingest({ id: 'big', title: 'Big', body });
    const tookMs = performance.now() - started;
    delay.disable();
    const worstMs = delay.max / 1e6;
    expect(result).toMatchObject({ documentId: 'big', embedded: false, flagged: [] });
    expect(result.chunks).toBeGreaterThan(500);
    // Logged so a failure shows by how much: the old code held the loop ~1 s here.
    console.log(
      `1M-character ingest: ${tookMs.toFixed(0)} ms, worst event-loop delay ${worstMs.toFixed(0)} ms`,
    );
    expect(worstMs).toBeLessThan(MAX_LOOP_DELAY_MS);
  });
});
