// The model gateway: every model call goes through here. For one request it walks the degradation ladder's
// model steps: fresh cache entry -> each target of the route chain (breaker, retries, timeouts inside the
// deadline) -> a stale cache entry -> a typed failure the feature turns into its extractive floor.
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { cacheKey } from './cache/completion-cache';
import type { CachedCompletion, CompletionCache } from './cache/completion-cache';
import { SingleFlight } from './cache/single-flight';
import type { DegradationReason } from './degradation-reason';
import { reasonFor } from './failure-reason';
import type { PriceTable } from './pricing';
import type { PromptLibrary, RenderedPrompt } from './prompts/prompt-library';
import type { ModelProvider, ProviderName, TokenUsage } from './providers/model-provider';
import { ProviderError } from '../errors/provider-error';
import { fromTransportError } from './providers/provider-error';
import { Deadline } from './resilience/deadline';
import { MIN_USEFUL_ATTEMPT_MS, createTargetGuard } from './resilience/target-guard';
import type { ResilienceSettings, TargetGuard } from './resilience/target-guard';
import { targetId } from './routing/route-config';
import type { RouteTable, Target, Task } from './routing/route-config';
import { chooseRoute } from './routing/router';
import { streamAttempt } from './stream-attempt';

export type CompletionTask = Exclude<Task, 'embed'>;

export interface GatewayCall {
  task: CompletionTask;
  tenantId: string;
  /** The tenant policy's providers; undefined: any configured provider may serve. */
  allowedProviders?: readonly ProviderName[];
  requestId: string;
  promptName: string;
  variables: Record<string, string | number>;
  /** Hash of the normalized input (and retrieved chunk ids and versions): part of the cache key. */
  cacheScope: string;
  inputChars: number;
  deadline: Deadline;
  /** Aborted when the caller stops listening (an unsubscribed stream): the provider call is abandoned. */
  signal?: AbortSignal;
}

export type GatewayOutcome =
  | {
      ok: true;
      text: string;
      provider: string;
      model: string;
      promptVersion: string;
      cached: boolean;
      costUsd: number;
    }
  | { ok: false; reason: DegradationReason; retryAfterSeconds: number | null };

export type GatewayStreamEvent =
  | { type: 'delta'; text: string }
  | { type: 'fallback'; reason: DegradationReason; restart: boolean; message: string };

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

type Begun =
  | { done: GatewayOutcome }
  | { chain: Target[]; prompt: RenderedPrompt; keys: string[]; entries: (CachedCompletion | null)[] };

export class ModelGateway {
  private readonly guards = new Map<string, TargetGuard>();
  private readonly flights = new SingleFlight<GatewayOutcome>();

  constructor(private readonly deps: GatewayDeps) {}

  get hasProviders(): boolean {
    return this.deps.providers.size > 0;
  }

  /** The budget of one request of this task: the route's own deadline, else DEADLINE_MS. */
  deadlineFor(task: Task): Deadline {
    return new Deadline(this.deps.routes.tasks[task].deadlineMs ?? this.deps.settings.deadlineMs);
  }

  guardFor(target: Target): TargetGuard {
    const id = targetId(target);
    let guard = this.guards.get(id);
    if (!guard) this.guards.set(id, (guard = createTargetGuard(this.deps.settings.resilience)));
    return guard;
  }

  /** The first rungs of the ladder, shared by complete and stream: the route, the prompt, the cache entries. */
  private async begin(call: GatewayCall): Promise<Begun> {
    const route = chooseRoute(this.deps.routes, call.task, call.allowedProviders, call.inputChars);
    if (route.chain.length === 0) {
      return { done: { ok: false, reason: 'NO_PROVIDER_CONFIGURED', retryAfterSeconds: null } };
    }
    const prompt = this.deps.prompts.render(call.promptName, call.variables);
    const keys = route.chain.map((target) => this.keyFor(call, prompt.version, target));
    const entries = await this.lookup(call.task, keys);
    const fresh = entries.find((entry) => entry && entry.freshUntil > Date.now());
    if (fresh) {
      this.deps.metrics.cacheLookups.inc({ task: call.task, result: 'hit' });
      return { done: fromCache(fresh) };
    }
    return { chain: route.chain, prompt, keys, entries };
  }

  async complete(call: GatewayCall): Promise<GatewayOutcome> {
    const begun = await this.begin(call);
    if ('done' in begun) return begun.done;
    const { chain, prompt, keys, entries } = begun;
    const flightKey = JSON.stringify([call.tenantId, call.task, prompt.version, call.cacheScope, keys]);
    const flight = this.flights.run(flightKey, () => this.walkChain(call, chain, prompt, keys));
    const outcome = await flight.result;
    if (outcome.ok) {
      this.deps.metrics.cacheLookups.inc({ task: call.task, result: 'miss' });
      // A follower shared the leader's call: no second model call, no second charge.
      return flight.shared ? { ...outcome, cached: true, costUsd: 0 } : outcome;
    }
    const stale = entries.find((entry) => entry !== null);
    if (stale) {
      this.deps.metrics.cacheLookups.inc({ task: call.task, result: 'stale' });
      this.deps.logger.warn(
        { requestId: call.requestId, reason: outcome.reason },
        'every target failed; serving stale cache entry',
      );
      return fromCache(stale);
    }
    this.deps.metrics.cacheLookups.inc({ task: call.task, result: 'miss' });
    return outcome;
  }

  /** Streams the answer's deltas; on a failure mid-stream, announces the fallback and restarts on the next target. */
  async *stream(call: GatewayCall): AsyncGenerator<GatewayStreamEvent, GatewayOutcome> {
    const begun = await this.begin(call);
    if ('done' in begun) return begun.done;
    const { chain, prompt, entries } = begun;

    let last: ProviderError | null = null;
    for (const target of chain) {
      if (call.deadline.expired()) break;
      const guard = this.guardFor(target);
      const provider = this.providerOf(target);
      if (guard.isOpen()) {
        last = new ProviderError('circuit-open', 'circuit open: target skipped');
        this.noteFailure(call, target, last);
        yield fallbackEvent(last, false);
        continue;
      }
      // An attempt shorter than this cannot reach a provider: do not charge a failure to its circuit.
      if (call.deadline.remainingMs() < MIN_USEFUL_ATTEMPT_MS) break;
      const attemptMs = target.timeoutMs ?? this.deps.settings.resilience.attemptTimeoutMs;
      const clocks = {
        firstTokenMs: Math.min(attemptMs, call.deadline.remainingMs()),
        idleMs: attemptMs,
        capMs: this.deps.settings.streamMaxMs,
      };
      let streamed = false;
      try {
        const attempt = streamAttempt(provider, target.model, prompt, clocks, call.signal);
        for (;;) {
          const next = await attempt.next();
          if (next.done) {
            await guard.record('success');
            return this.succeeded(call, target, prompt.version, next.value.text, next.value.usage);
          }
          streamed = true;
          yield { type: 'delta', text: next.value };
        }
      } catch (error) {
        // The client went away: nothing failed, and nobody is left to hear about a fallback.
        if (call.signal?.aborted) return { ok: false, reason: 'PROVIDER_ERROR', retryAfterSeconds: null };
        last = ProviderError.isInstance(error) ? error : fromTransportError(error, call.deadline.signal);
        await guard.record(last);
        this.noteFailure(call, target, last);
        yield fallbackEvent(last, streamed);
      }
    }
    // Streams are not cached, but a stale complete result still beats the floor when every target failed.
    const stale = entries.find((entry) => entry !== null);
    if (stale) {
      this.deps.metrics.cacheLookups.inc({ task: call.task, result: 'stale' });
      return fromCache(stale);
    }
    return failed(last);
  }

  private async walkChain(
    call: GatewayCall,
    chain: Target[],
    prompt: RenderedPrompt,
    keys: string[],
  ): Promise<GatewayOutcome> {
    let last: ProviderError | null = null;
    for (const [index, target] of chain.entries()) {
      if (call.deadline.expired()) break;
      const guard = this.guardFor(target);
      const provider = this.providerOf(target);
      try {
        const completion = await guard.run(call.deadline, target.timeoutMs, (signal) =>
          provider.complete({
            model: target.model,
            system: prompt.system,
            user: prompt.user,
            maxTokens: prompt.maxTokens,
            signal,
          }),
        );
        const outcome = this.succeeded(call, target, prompt.version, completion.text, completion.usage);
        const key = keys[index];
        if (key)
          this.store(call.task, key, {
            text: completion.text,
            provider: target.provider,
            model: target.model,
            promptVersion: prompt.version,
          });
        return outcome;
      } catch (error) {
        last = ProviderError.isInstance(error) ? error : fromTransportError(error, call.deadline.signal);
        this.noteFailure(call, target, last);
      }
    }
    return failed(last);
  }

  private succeeded(
    call: GatewayCall,
    target: Target,
    promptVersion: string,
    text: string,
    usage: TokenUsage,
  ): GatewayOutcome {
    const costUsd = this.deps.prices(target.provider, target.model, usage);
    this.deps.metrics.modelCalls.inc({ provider: target.provider, model: target.model, outcome: 'ok' });
    this.deps.logger.info(
      { requestId: call.requestId, task: call.task, target: targetId(target), promptVersion, usage, costUsd },
      'model answered',
    );
    return {
      ok: true,
      text,
      provider: target.provider,
      model: target.model,
      promptVersion,
      cached: false,
      costUsd,
    };
  }

  private noteFailure(call: GatewayCall, target: Target, error: ProviderError): void {
    const reason = reasonFor(error.kind);
    this.deps.metrics.modelCalls.inc({ provider: target.provider, model: target.model, outcome: error.kind });
    this.deps.metrics.fallbacks.inc({ task: call.task, reason });
    this.deps.logger.warn(
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

  private store(task: CompletionTask, key: string, value: Omit<CachedCompletion, 'freshUntil'>): void {
    const ttlMs = this.deps.settings.cacheTtlMs[task];
    if (ttlMs <= 0) return;
    this.deps.cache
      .set(key, { ...value, freshUntil: Date.now() + ttlMs }, ttlMs, this.deps.settings.staleGraceMs)
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

function fromCache(entry: CachedCompletion): GatewayOutcome {
  return {
    ok: true,
    text: entry.text,
    provider: entry.provider,
    model: entry.model,
    promptVersion: entry.promptVersion,
    cached: true,
    costUsd: 0,
  };
}

function failed(last: ProviderError | null): GatewayOutcome {
  if (!last) return { ok: false, reason: 'PROVIDER_TIMEOUT', retryAfterSeconds: null };
  return {
    ok: false,
    reason: reasonFor(last.kind),
    retryAfterSeconds: last.retryAfterMs !== null ? Math.ceil(last.retryAfterMs / 1000) : null,
  };
}

function fallbackEvent(error: ProviderError, restart: boolean): GatewayStreamEvent {
  return {
    type: 'fallback',
    reason: reasonFor(error.kind),
    restart,
    message: restart
      ? 'The model failed mid-answer; restarting on a fallback'
      : 'The model was unavailable; trying a fallback',
  };
}
