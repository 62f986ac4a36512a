// Which statements the PostgreSQL pool sends as named prepared statements (pg-database.ts). An unnamed
// statement is parsed, analysed and planned by the server on every call; a named one once per connection,
// then only bound and executed, and PostgreSQL re-plans it by itself after DDL on what it uses or a change of
// role. Which texts earn a name is the policy PGlite's worker uses too (repeated-texts.cjs), and a connection
// holds at most `capacity` of them: node-postgres never deallocates.
import { createHash } from 'node:crypto';
import { repeatedTexts } from './repeated-texts.cjs';

/** Texts given a name, per process (each connection prepares those it runs). */
export const NAMED_CAPACITY = 256;

/** The statement name to send `text` under, or undefined to send it unnamed. */
export type PreparedName = (text: string) => string | undefined;

export function preparedNames(capacity = NAMED_CAPACITY): PreparedName {
  const named = new Map<string, string>();
  const isRepeat = repeatedTexts();
  return (text) => {
    const name = named.get(text);
    if (name !== undefined || named.size >= capacity || !isRepeat(text)) return name;
    // The same text has the same name on every connection and in every replica (PostgreSQL allows 63 bytes).
    const given = `ai_${createHash('sha256').update(text).digest('base64url').slice(0, 40)}`;
    named.set(text, given);
    return given;
  };
}
