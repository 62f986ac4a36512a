// The feature's output rails (GatewayCall.checkReply, watchReply) as the chain walker runs them on a completion.
import { createStreamRestorer } from '../guardrails/pii';
import type { DeltaCheck, ReplyCheck } from './chain-walker';
import type { GatewayCall } from './gateway-call';
import { restoredText } from './pii-redaction';
import type { RedactedVariables } from './pii-redaction';
import type { Completion } from './providers/model-provider';

/**
 * The call's output rails on a completion's text, restored first where the call redacts (a rail compares the
 * reply with the raw sources); a repaired completion is charged for both replies.
 */
export function replyCheckOf(
  call: GatewayCall,
  redaction: RedactedVariables | null,
): ReplyCheck<Completion> | undefined {
  const { checkReply, watchReply } = call;
  if (!checkReply && !watchReply) return undefined;
  return {
    check: (completion) => checkReply?.(restoredText(completion.text, redaction)) ?? { ok: true },
    watch: watchReply && (() => restoring(watchReply(), redaction)),
    afterRepair: (rejected, repaired) => ({
      ...repaired,
      usage: {
        inputTokens: rejected.usage.inputTokens + repaired.usage.inputTokens,
        outputTokens: rejected.usage.outputTokens + repaired.usage.outputTokens,
      },
    }),
  };
}

/**
 * A stream's check fed the text its client is sent: placeholders restored as the stream restores them, one
 * cut across deltas held until it closes (restoredStream, pii-redaction.ts).
 */
function restoring(check: DeltaCheck, redaction: RedactedVariables | null): DeltaCheck {
  if (!redaction) return check;
  const restorer = createStreamRestorer(redaction.placeholders);
  return (delta) => check(restorer.push(delta));
}
