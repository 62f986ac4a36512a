// Attribution for bench:rails: the rails' own functions timed one by one on the inputs a real ask gives them
// (the question, the passages retrieve() returns for it, the fake model's grounded reply), in the order the
// ask pipeline and the gateway call them. Retrieval runs before each request, untimed; only the rails are
// timed. Synchronous rails are timed call by call with process.hrtime; the guard is the gateway call the
// pipeline makes (no route names a guard model here, so the gateway declines it).
import { guardQuestion } from '../../subgraph/features/guard-question';
import { retrieve } from '../../subgraph/features/hybrid-retrieval';
import { screenPassages } from '../../subgraph/features/screen-passages';
import { redactVariables } from '../../subgraph/gateway/pii-redaction';
import { restore } from '../../subgraph/guardrails/pii';
import { checkQuestion } from '../../subgraph/guardrails/input/question-rail';
import { answerFormatVerdict } from '../../subgraph/guardrails/output/answer-format';
import { railAnswer } from '../../subgraph/guardrails/output/answer-rails';
import { echoRail, replyRails } from '../../subgraph/guardrails/output/reply-rails';
import { countRails, railsForLog } from '../../subgraph/guardrails/rail-outcome';
import type { RailOutcome } from '../../subgraph/guardrails/rail-outcome';
import { fencePassages, fenceTag } from '../../subgraph/guardrails/retrieval/fence-passages';
import { RAILS_QUESTIONS } from './corpus';
import { groundedReply } from './grounded-reply';
import type { Timings } from './paired-run';
import { timingsOf } from './paired-run';
import type { RailsWorld, TenantKey } from './world';

export const RAIL_STEPS = [
  'input (topics + injection screen)',
  'guard (gateway call, declined: no route)',
  'retrieval screen (stored verdicts + titles)',
  'fence passages',
  'redaction (prompt variables + restore)',
  'reply rails (echo + format)',
  'answer rails (citations + grounding)',
  'count + log fields',
  'all rails, per request',
] as const;
export type RailStep = (typeof RAIL_STEPS)[number];

export interface RailCostRow {
  tenant: TenantKey;
  requests: number;
  /** Microseconds per request, by step; absent where the tenant's policy skips the step. */
  steps: Partial<Record<RailStep, Timings>>;
}

const since = (started: bigint): number => Number(process.hrtime.bigint() - started) / 1e3;

export async function measureRailCosts(
  world: RailsWorld,
  tenant: TenantKey,
  requests: number,
): Promise<RailCostRow> {
  const policy = world.callFor(tenant, 'rails-cost').tenant.policy.guardrails;
  const instructions = world.deps.gateway.instructionsOf('answer');
  const samples = new Map<RailStep, number[]>(RAIL_STEPS.map((step) => [step, []]));
  const record = (step: RailStep, us: number) => samples.get(step)?.push(us);
  for (let i = 0; i < requests; i++) {
    const question = RAILS_QUESTIONS[i % RAILS_QUESTIONS.length] as string;
    const call = world.callFor(tenant, `rails-cost-${i}`);
    // Retrieved afresh for each request, untimed: the rails then run on caches as cold as in a real ask.
    const { chunks } = await retrieve(world.deps, call, question, 6, {
      minSimilarity: world.deps.askMinSimilarity,
    });
    // Microseconds per step of this request: a step may be timed in parts (redaction before and after the model).
    const spent = new Map<RailStep, number>();
    const add = (step: RailStep, us: number) => spent.set(step, (spent.get(step) ?? 0) + us);
    const timed = <T>(step: RailStep, work: () => T): T => {
      const started = process.hrtime.bigint();
      const value = work();
      add(step, since(started));
      return value;
    };

    const checked = timed('input (topics + injection screen)', () => checkQuestion(question, policy));
    const guardStarted = process.hrtime.bigint();
    const guard = await guardQuestion(world.deps, call, question);
    add('guard (gateway call, declined: no route)', since(guardStarted));
    const screened = timed('retrieval screen (stored verdicts + titles)', () =>
      screenPassages(chunks, policy.flaggedChunks),
    );
    const passages = screened.passages.map(({ chunk }) => chunk);
    const fenced = timed('fence passages', () =>
      fencePassages(
        screened.passages.map(({ chunk, flagged }) => ({
          title: chunk.title,
          content: chunk.content,
          flagged,
        })),
        fenceTag(),
      ),
    );
    // The reply the fake model gives to the prompt as the provider would see it: redacted, when the policy says.
    let reply: string;
    if (policy.redactBeforeProvider) {
      const redacted = timed('redaction (prompt variables + restore)', () =>
        redactVariables({ passages: fenced, question }),
      );
      const answered = groundedReply(String(redacted.variables.passages));
      reply = timed('redaction (prompt variables + restore)', () => restore(answered, redacted.placeholders));
    } else {
      reply = groundedReply(fenced);
    }
    const rails: RailOutcome[] = [...checked.outcomes, ...(guard.outcome ? [guard.outcome] : [])];
    rails.push(screened.outcome);
    const replyOutcomes = timed('reply rails (echo + format)', () => {
      const checks = replyRails([
        echoRail(instructions),
        { rail: 'format', check: (text) => answerFormatVerdict(text, passages.length) },
      ]);
      checks.checkReply(reply);
      return checks.outcomes();
    });
    const railed = timed('answer rails (citations + grounding)', () =>
      railAnswer(
        reply,
        passages.map((passage, index) => ({ index: index + 1, text: passage.content })),
        policy.grounding,
      ),
    );
    timed('count + log fields', () => {
      const all = [...rails, ...replyOutcomes, ...railed.outcomes];
      countRails(world.deps.metrics, all);
      return railsForLog(all);
    });
    let total = 0;
    for (const [step, us] of spent) {
      record(step, us);
      total += us;
    }
    record('all rails, per request', total);
  }
  const steps: Partial<Record<RailStep, Timings>> = {};
  for (const [step, values] of samples) if (values.length > 0) steps[step] = timingsOf(values);
  return { tenant, requests, steps };
}
