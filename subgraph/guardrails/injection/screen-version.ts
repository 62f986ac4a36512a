// The version of the injection screen's rules, stored with every chunk screened at ingest (chunks.screen_version).
// Bump it whenever a change to the rules, their scores or DEFAULT_INJECTION_THRESHOLD can change a verdict: the
// verdicts stored under an older version are then ignored and those chunks screened again when retrieved
// (guardrails/retrieval/chunk-verdict.ts), so no chunk is judged by rules that are gone. A smallint.
export const SCREEN_VERSION = 3;
