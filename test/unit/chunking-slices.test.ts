// Finding (outside review): ingest cut a 1M-character body into chunks in one turn of the event loop, 20-130 ms
// during which no other request on the replica was served (the screening and the vectors after it were already
// sliced). chunkTextInSlices gives chunkText's chunks, normalizing the lines and cutting the chunks a slice at a
// time, each further slice in a later turn.
import { chunkText, chunkTextInSlices } from '../../subgraph/retrieval/chunking';
import { countingTurns } from '../support/counting-turns';

const OPTIONS = { maxChars: 200, overlapChars: 40 };
const PARAGRAPH =
  'The depot opens at six.   Trucks leave for the coast every hour, e.g. at 7 a.m.\r\n' +
  'Drivers rest after four hours, as the rules of the road say they must.\n\n\n';
const TEXT = `  ${PARAGRAPH.repeat(30)}  \n`;

describe('ingest cut a large body into chunks in one turn of the event loop', () => {
  it("gives chunkText's chunks, offsets included, whatever the slice", async () => {
    const whole = chunkText(TEXT, OPTIONS);
    expect(whole.length).toBeGreaterThan(10);
    for (const sliceMs of [0, 1, 60_000]) {
      expect(await chunkTextInSlices(TEXT, OPTIONS, countingTurns().inTurn, sliceMs)).toEqual(whole);
    }
    expect(await chunkTextInSlices('', OPTIONS, countingTurns().inTurn, 0)).toEqual([]);
  });

  it('lets the loop serve others between slices: a callback due meanwhile runs before the chunks are done', async () => {
    const { inTurn, turns } = countingTurns();
    let done = false;
    let ranBeforeDone: boolean | undefined;
    setImmediate(() => (ranBeforeDone = !done));
    const chunks = await chunkTextInSlices(TEXT, OPTIONS, inTurn, 0);
    done = true;
    // One line per slice, then one chunk per slice: a turn between each.
    expect(turns()).toBeGreaterThan(chunks.length);
    expect(ranBeforeDone).toBe(true);
  });

  it('takes no turn for a body done within one slice', async () => {
    const { inTurn, turns } = countingTurns();
    await chunkTextInSlices(TEXT, OPTIONS, inTurn, 60_000);
    expect(turns()).toBe(0);
  });

  it('rejects bad options before any work, as chunkText throws', async () => {
    const { inTurn, turns } = countingTurns();
    await expect(chunkTextInSlices(TEXT, { maxChars: 10, overlapChars: 0 }, inTurn)).rejects.toThrow(
      /maxChars/,
    );
    expect(turns()).toBe(0);
  });
});
