// Group commit (the SQL usage ledger's writes): the first item is written at once, items handed in while a
// write runs go together in the next one, each caller settles with the write that carried its item, and a
// failed write rejects its own items only.
import { groupCommit } from '../../subgraph/state/group-commit';

/** A write held until released, recording what each batch held. */
function heldWrites(fail: (batch: readonly string[]) => boolean = () => false) {
  const batches: string[][] = [];
  const releases: (() => void)[] = [];
  const write = async (batch: readonly string[]) => {
    batches.push([...batch]);
    await new Promise<void>((resolve) => releases.push(resolve));
    if (fail(batch)) throw new Error('store down');
  };
  const releaseNext = async () => {
    while (releases.length === 0) await new Promise((resolve) => setImmediate(resolve));
    releases.shift()?.();
  };
  return { batches, write, releaseNext };
}

describe('groupCommit', () => {
  it('writes the first item at once and gathers those that come during its write into the next', async () => {
    const { batches, write, releaseNext } = heldWrites();
    const writes = groupCommit(write);
    const settled: string[] = [];
    const first = writes.write('a').then(() => settled.push('a'));
    expect(batches).toEqual([['a']]);
    const later = ['b', 'c', 'd'].map((item) => writes.write(item).then(() => settled.push(item)));
    expect(batches).toEqual([['a']]);
    await releaseNext();
    await first;
    expect(settled).toEqual(['a']);
    await releaseNext();
    await Promise.all(later);
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
    expect(settled).toEqual(['a', 'b', 'c', 'd']);
    await writes.settled();
  });

  it('rejects the items of a failed write with its error, and writes the next batch as usual', async () => {
    const { batches, write, releaseNext } = heldWrites((batch) => batch.includes('bad'));
    const writes = groupCommit(write);
    const first = writes.write('ok');
    const failing = [writes.write('bad'), writes.write('unlucky')];
    await releaseNext();
    await expect(first).resolves.toBeUndefined();
    const after = writes.write('later');
    await releaseNext();
    await expect(Promise.all(failing)).rejects.toThrow('store down');
    await expect(failing[1]).rejects.toThrow('store down');
    await releaseNext();
    await expect(after).resolves.toBeUndefined();
    expect(batches).toEqual([['ok'], ['bad', 'unlucky'], ['later']]);
  });

  it('settles once every write started has ended', async () => {
    const { write, releaseNext } = heldWrites();
    const writes = groupCommit(write);
    let done = false;
    void writes.write('a');
    const settled = writes.settled().then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    await releaseNext();
    await settled;
    expect(done).toBe(true);
  });
});
