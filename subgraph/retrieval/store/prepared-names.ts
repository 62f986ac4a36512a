// Which statements the PostgreSQL pool sends as named prepared statements (pg-database.ts). An unnamed
// statement is parsed, analysed and planned by the server on every call; a named one once per connection,
// then only bound and executed, and PostgreSQL re-plans it by itself after DDL on what it uses or a change of
// role. A text gets a name on its second call, so one-off statements (a migration, a generated bulk insert)
// never take one, and a connection holds at most `capacity` of them: node-postgres never deallocates.
// PGlite's worker keeps its own cache of the same kind (pglite-statements.mjs).
import { createHash } from 'node:crypto';

/** Texts given a name, per process (each connection prepares those it runs). */
export const NAMED_CAPACITY = 256;
/** Texts seen once, waiting for a second call. */
const SEEN_CAPACITY = 1024;
/** A longer text is never named: generated statements are rarely repeated word for word. */
const MAX_NAMED_TEXT = 16_384;

/** The statement name to send `text` under, or undefined to send it unnamed. */
export type PreparedName = (text: string) => string | undefined;

export function preparedNames(capacity = NAMED_CAPACITY): PreparedName {
  const named = new Map<string, string>();
  const seen = new Set<string>();
  return (text) => {
    const name = named.get(text);
    if (name !== undefined || text.length > MAX_NAMED_TEXT || named.size >= capacity) return name;
    if (!seen.delete(text)) {
      if (seen.size >= SEEN_CAPACITY) seen.delete(seen.values().next().value as string);
      seen.add(text);
      return undefined;
    }
    // The same text has the same name on every connection and in every replica (PostgreSQL allows 63 bytes).
    const given = `ai_${createHash('sha256').update(text).digest('base64url').slice(0, 40)}`;
    named.set(text, given);
    return given;
  };
}
