// The output rails a model's reply passes inside the gateway walk (see GatewayCall.checkReply): no echo of
// the system prompt, then the feature's own check. Each verdict is recorded for the request's log line and
// counter; a failing reply is repaired or replaced by the next target's, so the feature sees only a passing
// reply, or a failure with GUARDRAIL_REJECTED.
import type { ReplyVerdict } from '../../gateway/gateway-call';
import { echoesInstructions } from '../grounding';
import type { RailName, RailOutcome } from '../rail-outcome';
import { railSpan } from '../rail-span';

export interface ReplyRail {
  rail: RailName;
  check: (text: string) => ReplyVerdict;
}

export const echoRail = (systemPrompt: string): ReplyRail => ({
  rail: 'echo',
  check: (text) =>
    echoesInstructions(text, systemPrompt)
      ? { ok: false, problem: 'the reply repeats the system prompt', repair: null }
      : { ok: true },
});

/**
 * One checkReply for the gateway from several rails, the first failing one deciding. `outcomes` collects
 * what each rail made of the request: rejected when any reply failed it, fixed when a later reply passed
 * after a repair, pass otherwise.
 */
export function replyRails(rails: readonly ReplyRail[]): {
  checkReply: (text: string) => ReplyVerdict;
  outcomes: () => RailOutcome[];
} {
  const failures = new Map<RailName, string>();
  const passed = new Set<RailName>();
  return {
    checkReply(text) {
      for (const { rail, check } of rails) {
        const verdict = railSpan(
          rail,
          () => check(text),
          (checked) => [{ rail, outcome: checked.ok ? 'pass' : 'rejected' }],
        );
        if (!verdict.ok) {
          failures.set(rail, verdict.problem);
          return verdict;
        }
        passed.add(rail);
      }
      return { ok: true };
    },
    outcomes: () =>
      rails.flatMap(({ rail }): RailOutcome[] => {
        const problem = failures.get(rail);
        if (problem === undefined) return passed.has(rail) ? [{ rail, outcome: 'pass' }] : [];
        return [{ rail, outcome: passed.has(rail) ? 'fixed' : 'rejected', detail: problem }];
      }),
  };
}
