// The model gateway: every model call goes through here. For one request it walks the degradation ladder's
// model steps: fresh cache entry -> the tenant's rate limits (rate-admission.ts) -> each target of the route
// chain (one walker for completions, streams and embeddings: breaker, the spend cap's reservation
// (spend-budget.ts), retries, timeouts inside the deadline) -> a stale cache entry -> a typed failure the
// feature turns into its extractive floor. A slow target races the next one when its route hedges
// (hedged-attempt.ts, hedge-plan.ts). Embeddings are embed-through-chain.ts, on the same guards. A call
// whose tenant redacts PII sends placeholders only and gets its answer restored (pii-redaction.ts).
import { CompletionCacheRung, completionKey } from './cache/completion-cache-rung';
import { isRemoteCompletionCache } from './cache/redis-completion-cache';
import type { CachedCompletion } from './cache/completion-cache';
import { walkChain, walkToEnd } from './chain-walker';
import type { ChainStep, TargetAttempt, WalkResult } from './chain-walker';
import type { CompletionOutcome, GatewayCall, GatewayOutcome, GatewayStreamEvent } from './gateway-call';
import type { EmbedCall, EmbedOutcome, EmbeddingModel } from './embed-call';
import { embedThroughChain } from './embed-through-chain';
import { cacheBudgetMs } from './cache/cache-budget';
import { within } from './resilience/within';
import type { EmbedDeps } from './embed-through-chain';
import type { RenderedPrompt } from './prompts/prompt-library';
import type { ProviderName } from './providers/model-provider';
import { Deadline } from './resilience/deadline';
import { targetGuards } from './resilience/target-guards';
import { targetsOf } from './routing/route-config';
import type { Task } from './routing/route-config';
import { chooseRoute } from './routing/router';
import { completionAttempt, streamingAttempt } from './target-attempts';
import { tracedAttempt } from './traced-attempt';
import { failed, freshOf, fromCache, unroutable } from './gateway-outcomes';
import { SharedCompletions } from './shared-completion';
import { paidWithoutReply } from './paid-without-reply';
import type { Looked } from './shared-completion';
import { countRedaction, redactVariables, restoredStream } from './pii-redaction';
import { replyCheckOf } from './reply-check';
import type { RedactedVariables } from './pii-redaction';
import { admitCall } from './rate-admission';
import { completionBudget } from './spend-budget';
import { settleWalk, walkObserver, withPaid } from './settle-walk';
import { hedgingFor } from './hedge-plan';
import type { Hedging } from './hedged-attempt';
import { ChainSteps } from './chain-steps';
import type { Completion } from './providers/model-provider';

export type * from './gateway-call';
export type * from './embed-call';

import type { GatewayDeps } from './gateway-deps';
export type { GatewayDeps, GatewaySettings } from './gateway-deps';

/** A chain to walk: its steps, the rendered prompt, and each target's cache key. */
interface ChainPlan {
  kind: 'walk';
  steps: ChainStep[];
  /** Rendered from the redacted variables when the call redacts: the only text a provider receives. */
  prompt: RenderedPrompt;
  keys: string[];
  /** What restores the answer, when the call redacts PII; null when it does not. */
  redaction: RedactedVariables | null;
  /** Undefined when the route does not hedge. */
  hedging: Hedging<Completion> | undefined;
}

/** What the ladder's first rungs decided: an outcome already (no route for this tenant), or a chain to walk. */
type CallPlan = { kind: 'settled'; outcome: CompletionOutcome } | ChainPlan;

export class ModelGateway {
  private readonly targets: ChainSteps;
  private readonly shared = new SharedCompletions();
  private readonly embedDeps: EmbedDeps;
  private readonly cacheRung: CompletionCacheRung;
  /** Whether the completion cache is on Redis: only then is a read or write raced against the cache budget. */
  private readonly cacheIsRemote: boolean;

  constructor(private readonly deps: GatewayDeps) {
    const guardFor = targetGuards(deps.settings.resilience, deps.metrics, deps.loopStalls);
    // Every routed target's circuit is exported (closed) before its first call, not only once it was used.
    for (const route of Object.values(deps.routes.tasks)) targetsOf(route).forEach(guardFor);
    this.targets = new ChainSteps(deps.providers, guardFor);
    this.cacheRung = new CompletionCacheRung(deps.cache, deps.logger, deps.settings);
    this.cacheIsRemote = isRemoteCompletionCache(deps.cache);
    this.embedDeps = {
      routes: deps.routes,
      cache: deps.embeddingCache,
      prices: deps.prices,
      spendGate: deps.spendGate,
      metrics: deps.metrics,
      logger: deps.logger,
      settings: deps.settings.embed,
      stepsFor: (chain) => this.targets.stepsFor(chain),
    };
  }

  /**
   * At shutdown, once no call runs: the spend caps write back to Redis what it has not counted (spend made or
   * settled while it was away), bounded by LIMITS_TIMEOUT_MS (spend-gate.ts).
   */
  close(): Promise<void> {
    return this.deps.spendGate.close();
  }

  get hasProviders(): boolean {
    return this.deps.providers.size > 0;
  }

  /** The budget of one request of this task: the route's own deadline, else DEADLINE_MS. */
  deadlineFor(task: Task): Deadline {
    return new Deadline(this.deps.routes.tasks[task].deadlineMs ?? this.deps.settings.deadlineMs);
  }

  /** Whether the task has a target this tenant may use: false for the `guard` task unless a route names one. */
  routes(task: Task, allowedProviders?: readonly ProviderName[]): boolean {
    return chooseRoute(this.deps.routes, task, allowedProviders, 0).chain.length > 0;
  }

  /** The system prompt the named prompt sends: what a reply must not echo. */
  instructionsOf(promptName: string): string {
    return this.deps.prompts.instructionsOf(promptName);
  }

  async complete(call: GatewayCall): Promise<CompletionOutcome> {
    const plan = this.plan(call);
    if (plan.kind === 'settled') return plan.outcome;
    // A call with a signal of its own (a background job its tenant may cancel) is walked alone: a follower
    // sharing its flight would be abandoned with it.
    const { outcome, lookup } = call.signal
      ? await this.completeOnce(call, plan)
      : await this.shared.run(
          this.flightKey(call, plan),
          call.deadline,
          () => this.completeOnce(call, plan),
          () => this.joinerTimedOut(call, plan),
        );
    this.deps.metrics.cacheLookups.inc({ task: call.task, result: lookup });
    return outcome;
  }

  /**
   * The flight covers the cache lookup and the write: a request arriving just after it ends finds the entry,
   * rather than a miss read while the leader's write was still on its way. No deadline in it: each caller's
   * own bounds its wait (shared-completion.ts).
   */
  private flightKey(call: GatewayCall, plan: ChainPlan): string {
    return JSON.stringify([call.tenantId, call.task, call.cacheScope, plan.keys]);
  }

  /**
   * One vector per text, all from one target of the embed chain (batched, with the same deadline, retries,
   * circuits and failure reasons as completions). Each target is its own vector space: store and search the
   * vectors under the model the outcome names.
   */
  embed(call: EmbedCall): Promise<EmbedOutcome> {
    return embedThroughChain(this.embedDeps, call);
  }

  /**
   * The current vector space for a tenant: the first embed target its policy allows, or null when none.
   * Stored vectors of any other model are due for a re-embed.
   */
  embeddingModelFor(allowedProviders?: readonly ProviderName[]): EmbeddingModel | null {
    const [first] = chooseRoute(this.deps.routes, 'embed', allowedProviders, 0).chain;
    return first ? { provider: first.provider, model: first.model } : null;
  }

  /** Streams the answer's deltas; on a failure mid-stream, announces the fallback and restarts on the next target. */
  async *stream(call: GatewayCall): AsyncGenerator<GatewayStreamEvent, GatewayOutcome, undefined> {
    const plan = this.plan(call);
    if (plan.kind === 'settled') return plan.outcome;
    const entries = await this.lookupWithin(call, plan.keys);
    const fresh = freshOf(entries);
    if (fresh) {
      this.deps.metrics.cacheLookups.inc({ task: call.task, result: 'hit' });
      return fresh;
    }
    const admission = await admitCall(this.deps.rateGate, call, plan.prompt);
    if (admission.kind === 'refused') {
      this.deps.metrics.cacheLookups.inc({ task: call.task, result: 'miss' });
      return admission.outcome;
    }
    // What the attempts that ended without their reply (the caller left, or the provider failed mid-answer) had
    // received: carried into the walk's result (its cost) like a refused reply.
    const received = paidWithoutReply();
    const attempt: TargetAttempt = tracedAttempt(
      streamingAttempt(
        call.deadline,
        plan.prompt,
        {
          attemptTimeoutMs: this.deps.settings.resilience.attemptTimeoutMs,
          streamMaxMs: this.deps.settings.streamMaxMs,
          loopStalls: this.deps.loopStalls,
        },
        call.signal,
        received.record,
      ),
      { operation: 'chat', metrics: this.deps.metrics, signal: call.signal },
    );
    const walk = walkChain(
      call,
      plan.steps,
      attempt,
      walkObserver(this.deps, call, received.unserved),
      replyCheckOf(call, plan.redaction),
      completionBudget(this.deps.spendGate, this.deps.prices, call, plan.prompt, received.take),
      plan.hedging,
    );
    // A fallback's answer (or the floor) carries what the attempts cut mid-answer before it cost.
    const withReceived = (ended: Exclude<WalkResult<Completion>, { kind: 'abandoned' }>) =>
      withPaid(ended, received.unserved);
    const placeholders = plan.redaction?.placeholders;
    // A caller that leaves at the restored text's last delta, after the walk ended: its answer was paid for.
    const leftAtEnd = (ended: WalkResult<Completion>) => {
      admission.settle(ended);
      if (ended.kind === 'abandoned') return;
      const { costNanos } = settleWalk(this.deps, call, plan, withReceived(ended));
      if (costNanos) call.onAbandoned?.(costNanos);
    };
    const walked = yield* placeholders?.size ? restoredStream(walk, placeholders, leftAtEnd) : walk;
    admission.settle(walked);
    if (walked.kind === 'abandoned') return walked;
    // Streams are not cached, but a stale complete result still beats the floor when every target failed.
    const settled = settleWalk(this.deps, call, plan, withReceived(walked));
    const { outcome, lookup } = this.orStale(call, entries, settled);
    this.deps.metrics.cacheLookups.inc({ task: call.task, result: lookup });
    return outcome;
  }

  /** The first rungs of the ladder, shared by complete and stream: the route, the prompt, the cache keys. */
  private plan(call: GatewayCall): CallPlan {
    const route = chooseRoute(this.deps.routes, call.task, call.allowedProviders, call.inputChars);
    const noTarget = unroutable(route);
    if (noTarget) return { kind: 'settled', outcome: noTarget };
    const redaction = call.redactPii ? redactVariables(call.variables) : null;
    if (redaction) countRedaction(this.deps.metrics, redaction.counts);
    const prompt = this.deps.prompts.render(call.promptName, redaction?.variables ?? call.variables);
    // Keys stay those of the raw input (cacheScope): the entry holds the restored answer, right either way.
    const keys = route.chain.map((target) => completionKey(call, prompt.version, target));
    const hedging = hedgingFor(
      route.hedge,
      { ...this.deps, settings: this.deps.settings.hedge },
      call,
      prompt,
    );
    return { kind: 'walk', steps: this.targets.stepsFor(route.chain), prompt, keys, redaction, hedging };
  }

  /** One completion for every caller in flight: the cache, else the chain walk, its answer cached before it ends. */
  private async completeOnce(call: GatewayCall, plan: ChainPlan): Promise<Looked> {
    const entries = await this.lookupWithin(call, plan.keys);
    const fresh = freshOf(entries);
    if (fresh) return { outcome: fresh, lookup: 'hit' };
    // Over the limit, the request is refused, not served stale: the limit is the tenant's answer.
    const admission = await admitCall(this.deps.rateGate, call, plan.prompt);
    if (admission.kind === 'refused') return { outcome: admission.outcome, lookup: 'miss' };
    // What attempts that failed had been billed for the replies they refused and retried.
    const refused = paidWithoutReply();
    // Only a call walked alone carries a signal (complete): its abort ends the attempt in flight, its provider
    // request aborted, settled at what it received (nothing, unstreamed), and counted against no circuit.
    const walk = walkChain(
      call,
      plan.steps,
      tracedAttempt(completionAttempt(call.deadline, plan.prompt, call.signal, refused.record), {
        operation: 'chat',
        metrics: this.deps.metrics,
        signal: call.signal,
      }),
      walkObserver(this.deps, call, refused.unserved),
      replyCheckOf(call, plan.redaction),
      completionBudget(this.deps.spendGate, this.deps.prices, call, plan.prompt, () => null, refused.take),
      plan.hedging,
    );
    const result = await walkToEnd(walk);
    admission.settle(result);
    // Abandoned only when the call's own signal aborted: its caller wants no outcome, and gets the abort (what
    // the walk paid for has gone to its onAbandoned).
    if (result.kind === 'abandoned') {
      call.signal?.throwIfAborted();
      return this.orStale(call, entries, failed(null));
    }
    const outcome = settleWalk(this.deps, call, plan, withPaid(result, refused.unserved));
    if (result.kind === 'answered' && outcome.kind === 'answered') {
      const key = plan.keys[plan.steps.findIndex((step) => step.target === result.target)];
      // Waited for within the cache's budget, so a request arriving after the flight finds the entry; a write
      // still on its way then (Redis slow or hung) goes on without the answer. One in memory is done at once.
      if (key) {
        const writing = this.cacheRung.store(call.task, key, outcome);
        await (this.cacheIsRemote ? within(writing, this.cacheBudgetMs(call)) : writing);
      }
    }
    return this.orStale(call, entries, outcome);
  }

  /**
   * A joiner whose own deadline ended before the leader's walk: served the stale entry the leader's ladder
   * would serve, else the timeout. Read afresh, as the leader's read may predate an entry written since.
   */
  private async joinerTimedOut(call: GatewayCall, plan: ChainPlan): Promise<Looked> {
    return this.orStale(call, await this.lookupWithin(call, plan.keys), failed(null));
  }

  /**
   * The cache read within the call's cache budget: a read that misses it (Redis slow or hung) is a miss, as a
   * failed one is, so the cache never spends the time the model call needs. A cache in process memory has
   * answered already: it is not raced against a timer.
   */
  private async lookupWithin(call: GatewayCall, keys: string[]): Promise<(CachedCompletion | null)[]> {
    if (!this.cacheIsRemote) return this.cacheRung.lookup(call.task, keys);
    const budgetMs = this.cacheBudgetMs(call);
    const entries = await within(this.cacheRung.lookup(call.task, keys), budgetMs);
    if (entries) return entries;
    this.deps.logger.warn(
      { requestId: call.requestId, task: call.task, budgetMs },
      'completion cache read timed out; read as a miss',
    );
    return keys.map(() => null);
  }

  /** CACHE_LOOKUP_TIMEOUT_MS, or what is left of the deadline when less, but never under a local round trip. */
  private cacheBudgetMs(call: GatewayCall): number {
    return cacheBudgetMs(this.deps.settings.cacheLookupTimeoutMs, call.deadline);
  }

  /** The one stale-serving step: when every target failed, a stale entry within the grace beats the floor. */
  private orStale(
    call: GatewayCall,
    entries: readonly (CachedCompletion | null)[],
    outcome: CompletionOutcome,
  ): Looked {
    const stale = outcome.kind === 'failed' ? entries.find((entry) => entry !== null) : undefined;
    if (outcome.kind === 'answered' || !stale) return { outcome, lookup: 'miss' };
    this.deps.logger.warn(
      { requestId: call.requestId, reason: outcome.reason },
      'every target failed; serving stale cache entry',
    );
    // The stale answer reports what the failed walk paid for (replies the rails refused): nothing else will.
    return { outcome: fromCache(stale, outcome.costNanos), lookup: 'stale' };
  }
}
