// Numbers people write in groups: an IBAN (DE89 3704 0044 0532 0130 00), a card (4111 1111 1111 1111), a phone
// (+1 415 555 0100), a national id (123 45 6789). A cut of the text at a space between two groups (a chunk's end
// or start, a snippet's window) leaves a piece on each side that no detector can tell for what it is, since a
// part fails the value's checksum and length, so the PII redactor passes both pieces and the parts reach the
// provider or a stored sample. A cut never falls at such a space.

/** The longest group counted: IBANs and cards are written in fours, phones in up to five, some ids in six. */
const MAX_GROUP_CHARS = 6;

const isGroupChar = (code: number): boolean => (code >= 48 && code <= 57) || (code >= 65 && code <= 90); // 0-9, A-Z
const isDigit = (code: number): boolean => code >= 48 && code <= 57;
const isWordChar = (code: number): boolean => isGroupChar(code) || (code >= 97 && code <= 122); // and a-z

/**
 * Whether the space at `index` separates two groups of one such number: the runs of letters and digits on both
 * sides short, made of digits and capitals only, and one of them holding a digit.
 */
export function isGroupSpace(text: string, index: number): boolean {
  if (text.charCodeAt(index) !== 32) return false;
  const before = groupEndingAt(text, index - 1, -1);
  const after = groupEndingAt(text, index + 1, 1);
  return before !== null && after !== null && (before.hasDigit || after.hasDigit);
}

/** The run of word characters from `from` walking `step`: null when empty, too long or not a group. */
function groupEndingAt(text: string, from: number, step: 1 | -1): { hasDigit: boolean } | null {
  let hasDigit = false;
  let length = 0;
  for (let i = from; i >= 0 && i < text.length; i += step) {
    const code = text.charCodeAt(i);
    if (!isWordChar(code)) break;
    if (!isGroupChar(code) || ++length > MAX_GROUP_CHARS) return null;
    hasDigit ||= isDigit(code);
  }
  return length === 0 ? null : { hasDigit };
}
