// Which statement texts deserve a prepared statement, on both stores (prepared-names.ts for the pool,
// pglite-statements.mjs for PGlite's worker): a text earns one on its second call, so one-off statements (a
// migration, a generated bulk insert) never take one, and a long text never does, since generated statements
// are rarely repeated word for word. Plain CommonJS, so that PGlite's worker thread (an ES module) and the
// compiled TypeScript (CommonJS) can both load it as it is.
'use strict';

/** Texts seen once, waiting for a second call. */
const SEEN_CAPACITY = 1024;
/** A longer text is never prepared. */
const MAX_PREPARED_TEXT = 16_384;

/**
 * `isRepeat(text)`: true on the second call with `text` since it was last forgotten (the caller then names it
 * and asks no more), false otherwise. The oldest text seen once is forgotten to make room.
 */
function repeatedTexts() {
  const seen = new Set();
  return function isRepeat(text) {
    if (text.length > MAX_PREPARED_TEXT) return false;
    if (seen.delete(text)) return true;
    if (seen.size >= SEEN_CAPACITY) seen.delete(seen.values().next().value);
    seen.add(text);
    return false;
  };
}

exports.SEEN_CAPACITY = SEEN_CAPACITY;
exports.MAX_PREPARED_TEXT = MAX_PREPARED_TEXT;
exports.repeatedTexts = repeatedTexts;
