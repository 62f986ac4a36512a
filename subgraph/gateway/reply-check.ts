// The feature's output rails (GatewayCall.checkReply) as the chain walker runs them on a completion.
import type { ReplyCheck } from './chain-walker';
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
  const { checkReply } = call;
  if (!checkReply) return undefined;
  return {
    check: (completion) => checkReply(restoredText(completion.text, redaction)),
    afterRepair: (rejected, repaired) => ({
      ...repaired,
      usage: {
        inputTokens: rejected.usage.inputTokens + repaired.usage.inputTokens,
        outputTokens: rejected.usage.outputTokens + repaired.usage.outputTokens,
      },
    }),
  };
}
