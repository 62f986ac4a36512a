// The numbering of one request's placeholders. A question and the chunks sent with it are redacted through
// one context, so a value gets the same placeholder wherever it appears (the model can tell that the email
// in the question is the one in chunk 3) and the answer can be restored with one map.
import { detectPii } from './detect';
import type { PiiKind, PiiSpan } from './kinds';

export interface RedactedValue {
  kind: PiiKind;
  value: string;
}

export interface Redaction {
  /** The text with every detected value replaced by its placeholder. */
  text: string;
  /** Placeholder → original value, for every call through the same context so far (the context's own map). */
  placeholders: ReadonlyMap<string, RedactedValue>;
  /** What was found, as offsets into the original text. */
  found: PiiSpan[];
}

/** ⟦EMAIL_1⟧: brackets no tokenizer merges with neighbouring text and no ordinary text contains. */
export const placeholderOf = (kind: PiiKind, index: number): string => `⟦${kind}_${index}⟧`;

/** Spellings of one value that are the same value: case of emails and IBANs, separators inside numbers. */
function sameValueKey(kind: PiiKind, value: string): string {
  switch (kind) {
    case 'EMAIL':
    case 'IP':
      return value.toLowerCase();
    case 'IBAN':
    case 'CARD':
    case 'PHONE':
    case 'NATIONAL_ID':
      return value.replace(/[^\p{L}\p{N}+]/gu, '').toUpperCase();
    case 'SECRET':
      return value;
  }
}

export class RedactionContext {
  readonly #placeholders = new Map<string, RedactedValue>();
  readonly #byValue = new Map<string, string>();
  readonly #counts = new Map<PiiKind, number>();

  get placeholders(): ReadonlyMap<string, RedactedValue> {
    return this.#placeholders;
  }

  /** The placeholder of `value`, the one it already has in this context or the kind's next number. */
  placeholderFor(kind: PiiKind, value: string): string {
    const key = `${kind}\u0000${sameValueKey(kind, value)}`;
    const known = this.#byValue.get(key);
    if (known !== undefined) return known;
    const index = (this.#counts.get(kind) ?? 0) + 1;
    this.#counts.set(kind, index);
    const placeholder = placeholderOf(kind, index);
    this.#byValue.set(key, placeholder);
    this.#placeholders.set(placeholder, { kind, value });
    return placeholder;
  }

  redact(text: string): Redaction {
    const found = detectPii(text);
    let redacted = '';
    let from = 0;
    for (const span of found) {
      redacted +=
        text.slice(from, span.start) + this.placeholderFor(span.kind, text.slice(span.start, span.end));
      from = span.end;
    }
    return { text: redacted + text.slice(from), placeholders: this.#placeholders, found };
  }
}
