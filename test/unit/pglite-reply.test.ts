// readReply: what the main thread accepts from the PGlite worker. A success carries any value; a failure
// carries an error's name, message and fields; anything else (no id, no ok flag, a malformed error) is no
// reply at all, which makes the client stop rather than leave a caller waiting.
import { readReply } from '../../subgraph/retrieval/store/pglite-worker-client';

describe('readReply', () => {
  it('reads a success with whatever value it carries', () => {
    expect(readReply({ id: 3, ok: true, value: [{ n: 1 }] })).toEqual({ id: 3, ok: true, value: [{ n: 1 }] });
    expect(readReply({ id: 4, ok: true })).toEqual({ id: 4, ok: true, value: undefined });
  });

  it('reads a failure with its name, message and fields', () => {
    const error = { name: 'error', message: 'duplicate key', fields: { code: '23505', severity: 'ERROR' } };
    expect(readReply({ id: 5, ok: false, error })).toEqual({ id: 5, ok: false, error });
  });

  it.each([
    ['nothing', undefined],
    ['a string', 'ok'],
    ['no id', { ok: true, value: 1 }],
    ['a text id', { id: '1', ok: true, value: 1 }],
    ['no ok flag', { id: 1, value: 1 }],
    ['a failure without its error', { id: 1, ok: false }],
    ['an error without fields', { id: 1, ok: false, error: { name: 'e', message: 'm' } }],
    [
      'an error whose fields are a list',
      { id: 1, ok: false, error: { name: 'e', message: 'm', fields: [] } },
    ],
    ['an error without a message', { id: 1, ok: false, error: { name: 'e', fields: {} } }],
  ])('refuses %s', (_what, message) => {
    expect(readReply(message)).toBeNull();
  });
});
