// PII kept from providers (the tenant policy's redactBeforeProvider): the gateway's one place where a call's
// text is redacted before any provider sees it and its answer restored after. A completion's variables go
// through one RedactionContext (the same email in the question and in passage 3 is the same ⟦EMAIL_1⟧, so
// the model can relate them, and one map restores the answer); each embedded text gets a context of its own,
// so a given text always sends, and embeds as, the same redacted string. Only counts by kind are reported.
import { createStreamRestorer, RedactionContext, restore } from '../guardrails/pii';
import type { PiiKind, PiiSpan, RedactedValue } from '../guardrails/pii';
import { countRails } from '../guardrails/rail-outcome';
import type { Metrics } from '../observability/metrics';
import type { GatewayStreamEvent } from './gateway-call';
import type { WalkResult } from './chain-walker';

/** Values replaced, by kind: what the counter and the log see, never the values. */
export type RedactionCounts = Partial<Record<PiiKind, number>>;

export interface RedactedVariables {
  /** The variables as the provider may see them: every string redacted, numbers as given. */
  variables: Record<string, string | number>;
  /** Placeholder → original value, for the whole call: what restores the answer. */
  placeholders: ReadonlyMap<string, RedactedValue>;
  counts: RedactionCounts;
}

function countByKind(found: readonly PiiSpan[], into: RedactionCounts = {}): RedactionCounts {
  for (const { kind } of found) into[kind] = (into[kind] ?? 0) + 1;
  return into;
}

export function redactVariables(variables: Record<string, string | number>): RedactedVariables {
  const context = new RedactionContext();
  const counts: RedactionCounts = {};
  const redacted: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value !== 'string') {
      redacted[name] = value;
      continue;
    }
    const { text, found } = context.redact(value);
    countByKind(found, counts);
    redacted[name] = text;
  }
  return { variables: redacted, placeholders: context.placeholders, counts };
}

/** Each text redacted in a fresh context: the same text always becomes the same string, whatever its batch. */
export function redactTexts(texts: readonly string[]): { texts: string[]; counts: RedactionCounts } {
  const counts: RedactionCounts = {};
  const redacted = texts.map((text) => {
    const { text: sent, found } = new RedactionContext().redact(text);
    countByKind(found, counts);
    return sent;
  });
  return { texts: redacted, counts };
}

/** A reply with its placeholders put back, where the call redacted; as it came otherwise. */
export function restoredText(text: string, redaction: RedactedVariables | null): string {
  return redaction ? restore(text, redaction.placeholders) : text;
}

/** The redaction rail's outcome for one call, counted: `fixed` when a value was replaced, else `pass`. */
export function countRedaction(metrics: Metrics, counts: RedactionCounts): void {
  const fixed = Object.keys(counts).length > 0;
  countRails(metrics, [{ rail: 'redaction', outcome: fixed ? 'fixed' : 'pass' }]);
}

/**
 * A walk's events with the placeholders in its deltas restored. A delta ending inside a placeholder is held
 * until the placeholder closes; what is held is flushed before the walk's answer is handed back. A fallback
 * drops what is held: with `restart` the client discards the failed attempt's text, held part included.
 */
export async function* restoredStream<Reply>(
  walk: AsyncGenerator<GatewayStreamEvent, WalkResult<Reply>, undefined>,
  placeholders: ReadonlyMap<string, RedactedValue>,
  leftAtEnd?: (result: WalkResult<Reply>) => void,
): AsyncGenerator<GatewayStreamEvent, WalkResult<Reply>, undefined> {
  let restorer = createStreamRestorer(placeholders);
  try {
    for (;;) {
      const next = await walk.next();
      if (next.done) {
        const rest = next.value.kind === 'answered' ? restorer.flush() : '';
        if (rest !== '') {
          // The walk has ended (its result carries what it cost, so it told nobody that it was left): a consumer
          // that leaves at this last delta is told the result, for that cost to reach its ledger.
          let delivered = false;
          try {
            yield { type: 'delta', text: rest };
            delivered = true;
          } finally {
            if (!delivered) leftAtEnd?.(next.value);
          }
        }
        return next.value;
      }
      const event = next.value;
      if (event.type === 'fallback') {
        restorer = createStreamRestorer(placeholders);
        yield event;
        continue;
      }
      const text = restorer.push(event.text);
      if (text !== '') yield { type: 'delta', text };
    }
  } finally {
    // The consumer left mid-stream: close the walk, which closes the attempt's provider stream.
    await walk.return(undefined as never);
  }
}
