// The model gateway: every model call goes through here. For one request it walks the degradation ladder's
// model steps: fresh cache entry -> each target of the route chain (one walker for completions and streams:
// breaker, retries, timeouts inside the deadline) -> a stale cache entry -> a typed failure the feature
// turns into its extractive floor.
import type { ProviderError } from '../errors/provider-error';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { cacheKey } from './cache/completion-cache';
import type { CachedCompletion, CompletionCache } from './cache/completion-cache';
import { SingleFlight } from './cache/single-flight';
import { walkChain } from './chain-walker';
import type { ChainObserver, ChainStep, TargetAttempt, WalkResult } from './chain-walker';
import { reasonFor } from './failure-reason';
import type {
  CompletionOutcome,
  CompletionTask,
  GatewayCall,
  GatewayOutcome,
  GatewayStreamEvent,
  ModelAnswer,
  ModelFailure,
} from './gateway-call';
import type { PriceTable } from './pricing';
import type { PromptLibrary, RenderedPrompt } from './prompts/prompt-library';
import type { ModelProvider, ProviderName } from './providers/model-provider';
import { Deadline } from './resilience/deadline';
import { createTargetGuard } from './resilience/target-guard';
import type { ResilienceSettings, TargetGuard } from './resilience/target-guard';
import { targetId } from './routing/route-config';
import type { RouteTable, Target, Task } from './routing/route-config';
import { chooseRoute } from './routing/router';
import { completionAttempt, streamingAttempt } from './target-attempts';

export type * from './gateway-call';

export interface GatewaySettings {
  resilience: ResilienceSettings;
  deadlineMs: number;
  cacheTtlMs: Record<CompletionTask, number>;
  staleGraceMs: number;
  /** The longest a streamed answer may run once it has started. */
  streamMaxMs: number;
}

export interface GatewayDeps {
  providers: ReadonlyMap<ProviderName, ModelProvider>;
  routes: RouteTable;
  cache: CompletionCache;
  prompts: PromptLibrary;
  prices: PriceTable;
  metrics: Metrics;
  logger: Logger;
  settings: GatewaySettings;
}

/** What the ladder's first rungs decided: an outcome already (no route, a fresh cache hit), or a walk to make. */
type CallPlan =
  | { kind: 'settled'; outcome: CompletionOutcome }
  | {
      kind: 'walk';
      steps: ChainStep[];
      prompt: RenderedPrompt;
      keys: string[];
      entries: (CachedCompletion | null)[];
    };

export class ModelGateway {
  private readonly guards = new Map<string, TargetGuard>();
  private readonly flights = new SingleFlight<CompletionOutcome>();

  constructor(private readonly deps: GatewayDeps) {}

  get hasProviders(): boolean {
    return this.deps.providers.size > 0;
  }

  /** The budget of one request of this task: the route's own deadline, else DEADLINE_MS. */
  deadlineFor(task: Task): Deadline {
    return new Deadline(this.deps.routes.tasks[task].deadlineMs ?? this.deps.settings.deadlineMs);
  }

  async complete(call: GatewayCall): Promise<CompletionOutcome> {
    const plan = await this.plan(call);
    if (plan.kind === 'settled') return plan.outcome;
    const flightKey = JSON.stringify([
      call.tenantId,
      call.task,
      plan.prompt.version,
      call.cacheScope,
      plan.keys,
    ]);
    // The walk ignores the caller's signal: its result is cached and shared by every follower in flight.
    const flight = this.flights.run(flightKey, async () => {
      const walk = walkChain(
        { ...call, signal: undefined },
        plan.steps,
        completionAttempt(call.deadline, plan.prompt),
        this.observer(call),
      );
      let next = await walk.next();
      while (!next.done) next = await walk.next();
      // Without the caller's signal the walk cannot be abandoned; the type still says it could.
      const result = next.value.kind === 'abandoned' ? { kind: 'failed' as const, last: null } : next.value;
      return this.settleWalk(
        call,
        plan.prompt,
        result,
        (target) => plan.keys[plan.steps.findIndex((step) => step.target === target)],
      );
    });
    const outcome = this.orStale(call, plan.entries, await flight.result);
    // A follower shared the leader's call: no second model call, no second charge.
    return flight.shared && outcome.kind === 'answered' ? { ...outcome, cached: true, costUsd: 0 } : outcome;
  }

  /** Streams the answer's deltas; on a failure mid-stream, announces the fallback and restarts on the next target. */
  async *stream(call: GatewayCall): AsyncGenerator<GatewayStreamEvent, GatewayOutcome, undefined> {
    const plan = await this.plan(call);
    if (plan.kind === 'settled') return plan.outcome;
    const attempt: TargetAttempt = streamingAttempt(
      call.deadline,
      plan.prompt,
      {
        attemptTimeoutMs: this.deps.settings.resilience.attemptTimeoutMs,
        streamMaxMs: this.deps.settings.streamMaxMs,
      },
      call.signal,
    );
    const result = yield* walkChain(call, plan.steps, attempt, this.observer(call));
    if (result.kind === 'abandoned') return result;
    // Streams are not cached, but a stale complete result still beats the floor when every target failed.
    return this.orStale(
      call,
      plan.entries,
      this.settleWalk(call, plan.prompt, result, () => undefined),
    );
  }

  /** The first rungs of the ladder, shared by complete and stream: the route, the prompt, the cache entries. */
  private async plan(call: GatewayCall): Promise<CallPlan> {
    const route = chooseRoute(this.deps.routes, call.task, call.allowedProviders, call.inputChars);
    if (route.chain.length === 0) {
      // A tenant whose policy leaves no target is told so: configuring a provider would not help it.
      const reason = route.restrictedByPolicy ? 'PROVIDER_NOT_ALLOWED' : 'NO_PROVIDER_CONFIGURED';
      return { kind: 'settled', outcome: { kind: 'failed', reason, retryAfterSeconds: null } };
    }
    const prompt = this.deps.prompts.render(call.promptName, call.variables);
    const keys = route.chain.map((target) => this.keyFor(call, prompt.version, target));
    const entries = await this.lookup(call.task, keys);
    const fresh = entries.find((entry) => entry && entry.freshUntil > Date.now());
    if (fresh) {
      this.deps.metrics.cacheLookups.inc({ task: call.task, result: 'hit' });
      return { kind: 'settled', outcome: fromCache(fresh) };
    }
    const steps = route.chain.map((target) => ({
      target,
      provider: this.providerOf(target),
      guard: this.guardFor(target),
    }));
    return { kind: 'walk', steps, prompt, keys, entries };
  }

  /** The walk's answer priced, counted, logged and cached under the answering target's key; or its failure. */
  private settleWalk(
    call: GatewayCall,
    prompt: RenderedPrompt,
    result: Exclude<WalkResult, { kind: 'abandoned' }>,
    cacheKeyOf: (target: Target) => string | undefined,
  ): CompletionOutcome {
    if (result.kind === 'failed') return failed(result.last);
    const { target, completion } = result;
    const costUsd = this.deps.prices(target.provider, target.model, completion.usage);
    this.deps.metrics.modelCalls.inc({ provider: target.provider, model: target.model, outcome: 'ok' });
    this.deps.logger.info(
      {
        requestId: call.requestId,
        task: call.task,
        target: targetId(target),
        promptVersion: prompt.version,
        usage: completion.usage,
        costUsd,
      },
      'model answered',
    );
    const answer: ModelAnswer = {
      kind: 'answered',
      text: completion.text,
      provider: target.provider,
      model: target.model,
      promptVersion: prompt.version,
      cached: false,
      costUsd,
    };
    const key = cacheKeyOf(target);
    if (key) this.store(call.task, key, answer);
    return answer;
  }

  /** The one stale-serving step: when every target failed, a stale entry within the grace beats the floor. */
  private orStale(
    call: GatewayCall,
    entries: readonly (CachedCompletion | null)[],
    outcome: CompletionOutcome,
  ): CompletionOutcome {
    const stale = outcome.kind === 'failed' ? entries.find((entry) => entry !== null) : undefined;
    this.deps.metrics.cacheLookups.inc({ task: call.task, result: stale ? 'stale' : 'miss' });
    if (outcome.kind === 'answered' || !stale) return outcome;
    this.deps.logger.warn(
      { requestId: call.requestId, reason: outcome.reason },
      'every target failed; serving stale cache entry',
    );
    return fromCache(stale);
  }

  private observer(call: GatewayCall): ChainObserver {
    const { metrics, logger } = this.deps;
    return {
      failed(target: Target, error: ProviderError) {
        const reason = reasonFor(error.kind);
        metrics.modelCalls.inc({ provider: target.provider, model: target.model, outcome: error.kind });
        metrics.fallbacks.inc({ task: call.task, reason });
        logger.warn(
          {
            requestId: call.requestId,
            task: call.task,
            target: targetId(target),
            failure: error.kind,
            status: error.status,
            reason,
          },
          'model target failed; moving down the chain',
        );
      },
      abandoned(target: Target) {
        metrics.modelCalls.inc({ provider: target.provider, model: target.model, outcome: 'abandoned' });
        logger.info(
          { requestId: call.requestId, task: call.task, target: targetId(target) },
          'caller left; model call abandoned',
        );
      },
    };
  }

  private guardFor(target: Target): TargetGuard {
    const id = targetId(target);
    let guard = this.guards.get(id);
    if (!guard) {
      guard = createTargetGuard(this.deps.settings.resilience, (open) =>
        this.deps.metrics.circuitOpen.set({ provider: target.provider, model: target.model }, open ? 1 : 0),
      );
      this.guards.set(id, guard);
    }
    return guard;
  }

  private keyFor(call: GatewayCall, promptVersion: string, target: Target): string {
    return cacheKey({
      tenantId: call.tenantId,
      task: call.task,
      promptVersion,
      targetId: targetId(target),
      scope: call.cacheScope,
    });
  }

  private async lookup(task: CompletionTask, keys: string[]): Promise<(CachedCompletion | null)[]> {
    try {
      return await this.deps.cache.getMany(keys);
    } catch (error) {
      // A cache outage costs a model call, never the answer.
      this.deps.logger.error({ err: error, task }, 'completion cache read failed');
      return keys.map(() => null);
    }
  }

  private store(task: CompletionTask, key: string, answer: ModelAnswer): void {
    const ttlMs = this.deps.settings.cacheTtlMs[task];
    if (ttlMs <= 0) return;
    const { text, provider, model, promptVersion } = answer;
    this.deps.cache
      .set(
        key,
        { text, provider, model, promptVersion, freshUntil: Date.now() + ttlMs },
        ttlMs,
        this.deps.settings.staleGraceMs,
      )
      .catch((error: unknown) =>
        this.deps.logger.error({ err: error, task }, 'completion cache write failed'),
      );
  }

  private providerOf(target: Target): ModelProvider {
    const provider = this.deps.providers.get(target.provider);
    if (!provider) throw new Error(`route names ${target.provider}, which is not configured`);
    return provider;
  }
}

function fromCache(entry: CachedCompletion): ModelAnswer {
  return {
    kind: 'answered',
    text: entry.text,
    provider: entry.provider,
    model: entry.model,
    promptVersion: entry.promptVersion,
    cached: true,
    costUsd: 0,
  };
}

function failed(last: ProviderError | null): ModelFailure {
  if (!last) return { kind: 'failed', reason: 'PROVIDER_TIMEOUT', retryAfterSeconds: null };
  return {
    kind: 'failed',
    reason: reasonFor(last.kind),
    retryAfterSeconds: last.retryAfterMs !== null ? Math.ceil(last.retryAfterMs / 1000) : null,
  };
}
