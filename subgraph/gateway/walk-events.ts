// The notices a chain walk streams to its caller when it leaves a target: a fallback to the next one, or a
// repair at the same one. Shared by the walk (chain-walker.ts) and the hedge's race (hedged-attempt.ts).
import type { ProviderError } from '../errors/provider-error';
import { reasonFor } from './failure-reason';
import type { GatewayStreamEvent } from './gateway-call';

export function repairEvent(): GatewayStreamEvent {
  return {
    type: 'fallback',
    reason: 'GUARDRAIL_REJECTED',
    restart: true,
    message: 'The answer did not pass the output checks; the model is correcting it',
  };
}

export function fallbackEvent(error: ProviderError, restart: boolean): GatewayStreamEvent {
  return {
    type: 'fallback',
    reason: reasonFor(error.kind),
    restart,
    message:
      error.kind === 'rejected'
        ? 'The answer did not pass the output checks; trying a fallback'
        : error.kind === 'budget'
          ? "This model's worst-case cost does not fit the spend cap; trying the next one"
          : restart
            ? 'The model failed mid-answer; restarting on a fallback'
            : 'The model was unavailable; trying a fallback',
  };
}
