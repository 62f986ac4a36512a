// A variable set under a name the subgraph does not read is ignored, so a misspelling silently leaves its
// setting at the default: `TENANT_POLICY_JSON` (for TENANT_POLICIES_JSON) loads no tenant policy at all, and a
// tenant restricted to its own model would be routed to any provider. A name that reads as one of ours with a
// slip (a plural, a lost or doubled underscore, two neighbours swapped, one letter lost, added or wrong) stops the
// start naming both. So does one of ours under another unit (SHUTDOWN_GRACE_SECONDS for SHUTDOWN_GRACE_MS): the
// operator meant the setting, and its default would silently stand. Only such near misses under one of our
// prefixes count: other software's variables (DATABASE_USER, DATABASE_SSL, PGPORT, OTEL_*, NODE_OPTIONS) are none
// of ours and are left alone.

/** Prefixes whose variables are standards of their own, read by libraries rather than listed here. */
const FOREIGN_PREFIXES = new Set(['OTEL', 'NODE', 'NPM']);

/** The most edits (after the normalisation below) a name may be from one of ours to count as a slip. */
const MAX_EDITS = 1;

/** The closest variable of `known` that `name` looks like a misspelling of, or null. */
export function misspeltVariable(name: string, known: ReadonlySet<string>): string | null {
  if (known.has(name)) return null;
  const prefix = name.split('_')[0] ?? '';
  if (FOREIGN_PREFIXES.has(prefix)) return null;
  const normalised = normalise(name);
  if (normalised.length < 6) return null;
  const stem = unitStem(name);
  let best: { variable: string; edits: number } | null = null;
  for (const variable of known) {
    // Under the same prefix only: PGPORT is PostgreSQL's, two letters from PORT but no slip of ours.
    if (variable.split('_')[0] !== prefix) continue;
    // The same setting in another unit: said before any spelling slip.
    if (stem !== null && unitStem(variable) === stem) return variable;
    const edits = editDistance(normalised, normalise(variable));
    if (edits <= MAX_EDITS && (!best || edits < best.edits)) best = { variable, edits };
  }
  return best?.variable ?? null;
}

/** The words naming a unit of time, as a variable's last word (JOB_DEADLINE_MS, CACHE_TTL_SECONDS). */
const UNITS = new Set([
  ...['MS', 'MILLIS', 'MILLISECOND', 'MILLISECONDS', 'S', 'SEC', 'SECS', 'SECOND', 'SECONDS'],
  ...['M', 'MIN', 'MINS', 'MINUTE', 'MINUTES', 'H', 'HOUR', 'HOURS', 'D', 'DAY', 'DAYS'],
]);

/** A name ending in a unit of time without it (SHUTDOWN_GRACE_MS → SHUTDOWN_GRACE), upper case; else null. */
function unitStem(name: string): string | null {
  const words = name.toUpperCase().split('_');
  return words.length >= 2 && UNITS.has(words.at(-1) ?? '') ? words.slice(0, -1).join('_') : null;
}

/** Upper case, each word made singular (POLICIES → POLICY, KEYS → KEY), the underscores dropped. */
function normalise(name: string): string {
  return name
    .toUpperCase()
    .split('_')
    .map((word) => {
      if (word.length > 4 && word.endsWith('IES')) return `${word.slice(0, -3)}Y`;
      if (word.length > 3 && word.endsWith('S') && !word.endsWith('SS')) return word.slice(0, -1);
      return word;
    })
    .join('');
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > MAX_EDITS) return MAX_EDITS + 1;
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const row = rows[i] as number[];
      const above = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        (above[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (above[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = value;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}
