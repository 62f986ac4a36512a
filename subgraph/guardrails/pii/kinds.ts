// The kinds of personal data and secrets the redactor finds. A kind names a placeholder (⟦EMAIL_1⟧) and
// decides which detection wins where two overlap: the more specific, checksum-backed kinds rank first.
export const PII_KINDS = ['SECRET', 'EMAIL', 'IBAN', 'CARD', 'NATIONAL_ID', 'IP', 'PHONE'] as const;

export type PiiKind = (typeof PII_KINDS)[number];

/** A detected value: `[start, end)` are UTF-16 offsets into the scanned text. */
export interface PiiSpan {
  kind: PiiKind;
  start: number;
  end: number;
}

/** Lower ranks win an overlap: a secret that contains an email-like part stays one secret. */
export const kindRank = (kind: PiiKind): number => PII_KINDS.indexOf(kind);

/** One detector: every candidate span of its kind in `text`, validated, overlaps allowed. */
export type Detector = (text: string) => PiiSpan[];
