// `npm run token -- --expires-in`: whole seconds ("3600") or a count with a unit ("90s", "30m", "1h", "7d"),
// greater than zero. A token that is expired when it is minted is never what was asked for.
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** The lifetime `text` names, in seconds; an Error naming the flag for anything else. */
export function expiresInSeconds(text: string): number {
  const match = /^\s*(\d{1,9})\s*([smhd]?)\s*$/.exec(text);
  const seconds = match ? Number(match[1]) * UNIT_SECONDS[(match[2] || 's') as keyof typeof UNIT_SECONDS] : 0;
  if (seconds <= 0) {
    throw new Error(
      `--expires-in: "${text}" is not a lifetime; give seconds (3600) or a count with s, m, h or d (90s, 30m, 1h, 7d), above 0`,
    );
  }
  return seconds;
}
