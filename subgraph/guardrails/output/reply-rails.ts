// The output rails a model's reply passes inside the gateway walk (see GatewayCall.checkReply): no echo of
// the system prompt, then the feature's own check. Each verdict is recorded for the request's log line and
// counter; a failing reply is repaired or replaced by the next target's, so the feature sees only a passing
// reply, or a failure with GUARDRAIL_REJECTED. A rail with a watch sees a streamed reply too, delta by delta,
// before its text is released (GatewayCall.watchReply): the echo rail, whose point is that the client never
// gets the prompt, which a restart notice after the whole reply could not take back.
import type { DeltaCheck, ReplyVerdict } from '../../gateway/gateway-call';
import { echoesInstructions, echoWatch } from '../grounding';
import type { RailName, RailOutcome } from '../rail-outcome';
import { railSpan } from '../rail-span';

export interface ReplyRail {
  rail: RailName;
  check: (text: string) => ReplyVerdict;
  /** A check of one streamed reply as it arrives; only for a rail that must act before text is released. */
  watch?: () => DeltaCheck;
}

const ECHO_PROBLEM = 'the reply repeats the system prompt';

export const echoRail = (systemPrompt: string): ReplyRail => ({
  rail: 'echo',
  check: (text) =>
    echoesInstructions(text, systemPrompt)
      ? { ok: false, problem: ECHO_PROBLEM, repair: null }
      : { ok: true },
  watch: () => {
    const watch = echoWatch(systemPrompt);
    return (delta) => (watch.push(delta) ? ECHO_PROBLEM : null);
  },
});

/**
 * One checkReply for the gateway from several rails, the first failing one deciding, and one watchReply from
 * those with a watch (undefined when none has). `outcomes` collects what each rail made of the request:
 * rejected when any reply failed it (whole or as it streamed), fixed when a later reply passed after a repair
 * or a fallback, pass otherwise.
 */
export function replyRails(rails: readonly ReplyRail[]): {
  checkReply: (text: string) => ReplyVerdict;
  watchReply: (() => DeltaCheck) | undefined;
  outcomes: () => RailOutcome[];
} {
  const failures = new Map<RailName, string>();
  const passed = new Set<RailName>();
  const watching = rails.flatMap(({ rail, watch }) => (watch ? [{ rail, watch }] : []));
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
    watchReply:
      watching.length === 0
        ? undefined
        : () => {
            const checks = watching.map(({ rail, watch }) => ({ rail, check: watch() }));
            return (delta) => {
              for (const { rail, check } of checks) {
                const problem = check(delta);
                if (problem === null) continue;
                failures.set(rail, problem);
                // One span for the refusal, none per delta: a trace shows where the stream was stopped.
                railSpan(
                  rail,
                  () => problem,
                  () => [{ rail, outcome: 'rejected' }],
                );
                return problem;
              }
              return null;
            };
          },
    outcomes: () =>
      rails.flatMap(({ rail }): RailOutcome[] => {
        const problem = failures.get(rail);
        if (problem === undefined) return passed.has(rail) ? [{ rail, outcome: 'pass' }] : [];
        return [{ rail, outcome: passed.has(rail) ? 'fixed' : 'rejected', detail: problem }];
      }),
  };
}
