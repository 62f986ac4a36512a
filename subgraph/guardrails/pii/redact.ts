// The redactor's entry points: redact one text (in a context of its own unless one is given, see
// redaction-context.ts), and put the values back where a model echoed their placeholders.
import { RedactionContext } from './redaction-context';
import type { RedactedValue, Redaction } from './redaction-context';

export function redact(text: string, context: RedactionContext = new RedactionContext()): Redaction {
  return context.redact(text);
}

// Models sometimes pad the inside of a bracket pair; the kind and number are what identify the value.
const PLACEHOLDER = /⟦\s*([A-Z]+(?:_[A-Z]+)*_\d+)\s*⟧/g;

/** `text` with each known placeholder replaced by its original value; unknown ones are left as written. */
export function restore(text: string, placeholders: ReadonlyMap<string, RedactedValue>): string {
  return text.replace(
    PLACEHOLDER,
    (written, name: string) => placeholders.get(`⟦${name}⟧`)?.value ?? written,
  );
}
