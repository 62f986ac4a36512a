// Restores placeholders in a streamed answer. A delta may end inside a placeholder (`… ⟦EMA`), so the open
// tail is held back until its closing bracket arrives: the only text a stream ever delays.
import { restore } from './redact';
import type { RedactedValue } from './redaction-context';

/** Longer than any placeholder (⟦NATIONAL_ID_12345⟧ and padding): an open bracket further back is just text. */
const LONGEST_PLACEHOLDER = 40;

export interface StreamRestorer {
  /** The restored text that can be sent now. */
  push(delta: string): string;
  /** Whatever is still held back, restored, at the end of the stream. */
  flush(): string;
}

export function createStreamRestorer(placeholders: ReadonlyMap<string, RedactedValue>): StreamRestorer {
  let held = '';
  return {
    push(delta) {
      const text = held + delta;
      const open = text.lastIndexOf('⟦');
      const pending = open >= 0 && !text.includes('⟧', open) && text.length - open < LONGEST_PLACEHOLDER;
      held = pending ? text.slice(open) : '';
      return restore(pending ? text.slice(0, open) : text, placeholders);
    },
    flush() {
      const rest = held;
      held = '';
      return restore(rest, placeholders);
    },
  };
}
