/**
 * The path of one request through the chain: pick the route, look in the cache, then for each
 * candidate model admit it, try it (with retries) and account for the answer — or note why it
 * did not answer, and fail with one error saying what happened to each model.
 */
import { admit, type Skip } from './admission';
import type { Attempts } from './attempts';
import type { CrossWindowGate } from './crossWindow';
import { cancelledError, sleep } from './clock';
import { outputCapFor } from './costs';
import { ChainFailedError, chainFailure } from './errors';
import type { ManagerSettings } from './managerSettings';
import type { TotalStats } from './metrics';
import { safeDeliver } from './providerCall';
import type { ModelEntry, ModelRegistry } from './registry';
import type { RequestContext } from './requestContext';
import { estimateInputTokens, normalizeRequest, type NormalizedRequest } from './requestShape';
import { cacheIdentity, type ResponseCache } from './responseCache';
import { drawCandidates, planRoute, type RoutingState } from './routing';
import type { SharedLedger } from './sharedLedger';
import type { SpendLedger } from './spendLedger';
import type { TraceRecorder } from './trace';
import type { ChainStep, Clock, GenerateRequest, GenerateResult, Logger } from './types';

export interface RequestPathOptions {
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly random: () => number;
  readonly settings: () => ManagerSettings;
  readonly registry: ModelRegistry;
  readonly cache: ResponseCache;
  readonly totals: TotalStats;
  readonly ledger: SpendLedger;
  readonly attempts: Attempts;
  readonly routingState: () => RoutingState;
  /** The ledger shared with other windows, and what is decided across them (absent: this window alone). */
  readonly shared?: SharedLedger;
  readonly crossWindow?: CrossWindowGate;
}

export class RequestPath {
  constructor(private readonly options: RequestPathOptions) {}

  async route(request: GenerateRequest, trace: TraceRecorder): Promise<GenerateResult> {
    const normalized = normalizeRequest(request);
    if (request.signal?.aborted) throw cancelledError();
    const plan = planRoute(
      request,
      () => this.options.registry.chainSteps(),
      this.options.settings().routing,
      () => this.options.routingState(),
    );
    if (plan.note) trace.add({ type: 'route', tier: plan.tier, ...plan.note });
    const key = this.cacheKeyFor(request, normalized, plan.steps);
    if (key !== undefined) {
      const hit = this.options.cache.get(key);
      trace.add({ type: 'cache', hit: hit !== undefined });
      if (hit) {
        this.options.totals.cacheHits++;
        if (request.onToken) safeDeliver(request.onToken, hit.text, this.options.logger);
        const { text, model, usage } = hit;
        return {
          text,
          model,
          usage,
          costUsd: 0,
          cached: true,
          latencyMs: this.options.clock.now() - trace.startedAt,
          trace: trace.snapshot(),
        };
      }
      this.options.totals.cacheMisses++;
    }
    // Drawn only now: a cache hit needs no order of models.
    const candidates = this.drawCandidates(plan.steps);
    if (candidates.length === 0) {
      throw new ChainFailedError(
        'allModelsFailed',
        [],
        'No models are configured: add a model in the settings, or try the demo models.',
      );
    }
    const inputTokens = estimateInputTokens(normalized);
    const ctx: RequestContext = {
      request,
      normalized,
      trace,
      tier: plan.tier,
      startedAt: trace.startedAt,
      inputTokens,
      needsTools: normalized.tools !== undefined,
      signal: request.signal,
      onToken: request.onToken,
      failures: [],
      needsWindowAbove: inputTokens - 1,
    };
    for (let i = 0; i < candidates.length; i++) {
      const entry = this.options.registry.get(candidates[i]);
      if (!entry) continue;
      const result = await this.tryCandidate(entry, ctx, i === candidates.length - 1);
      if (!result) continue;
      if (entry.name !== candidates[0]) this.options.totals.recordFallback(candidates[0], entry.name);
      // An answer that asks for tool calls depends on what the tools return next: never cache it.
      if (key !== undefined && !result.toolCalls?.length) {
        this.options.cache.set(key, { text: result.text, model: entry.name, usage: result.usage });
      }
      return result;
    }
    throw chainFailure(ctx.failures);
  }

  /** Admits one model and tries it; undefined when it was skipped or failed (noted in `ctx`). */
  private async tryCandidate(
    entry: ModelEntry,
    ctx: RequestContext,
    isLast: boolean,
  ): Promise<GenerateResult | undefined> {
    const outputCap = outputCapFor(
      entry.metadata,
      ctx.request.maxTokens,
      ctx.tier,
      this.options.settings().output,
    );
    const admissionContext = () => ({
      now: this.options.clock.now(),
      inputTokens: ctx.inputTokens,
      needsWindowAbove: ctx.needsWindowAbove,
      isLast,
      needsTools: ctx.needsTools,
      outputCap,
      budget: this.options.settings().budget,
      ledger: this.options.ledger,
      reservationTtlMs: this.options.settings().requestTimeoutMs,
      othersSends: (model: string) =>
        this.options.shared?.othersSendsWithinMinute(model, this.options.clock.now()) ?? 0,
    });
    let admission = admit(entry, admissionContext());
    while (admission.admitted === 'wait') {
      await sleep(this.options.clock, admission.waitMs, ctx.signal);
      admission = admit(entry, admissionContext());
    }
    if (!admission.admitted) return this.skipped(entry, ctx, admission);
    const across = this.options.crossWindow
      ? await this.options.crossWindow.confirm(entry, admission)
      : undefined;
    if (across && 'admitted' in across) {
      admission.releaseBudget();
      return this.skipped(entry, ctx, across);
    }
    const providerRequest = {
      ...ctx.normalized,
      model: entry.name,
      temperature: ctx.request.temperature,
      maxTokens: outputCap,
    };
    for (const detail of entry.provider.adjustmentsFor?.(providerRequest) ?? []) {
      ctx.trace.add({ type: 'adjust', model: entry.name, detail });
    }
    let outcome;
    try {
      outcome = await this.options.attempts.tryModel(entry, providerRequest, ctx, admission.probe);
    } finally {
      admission.releaseBudget();
      across?.release();
    }
    if (outcome.ok) return outcome.result;
    ctx.failures.push(outcome.failure);
    if (outcome.failure.outcome === 'contextLength') {
      ctx.needsWindowAbove = Math.max(ctx.needsWindowAbove, entry.metadata.contextWindow);
    }
    return undefined;
  }

  private skipped(entry: ModelEntry, ctx: RequestContext, skip: Skip): undefined {
    const { reason, detail } = skip;
    ctx.trace.add({ type: 'skip', model: entry.name, reason, detail });
    ctx.failures.push({ model: entry.name, outcome: reason, summary: detail, attempts: 0 });
    return undefined;
  }

  drawCandidates(steps: readonly ChainStep[]): string[] {
    const registry = this.options.registry;
    return drawCandidates(
      steps,
      (name) => registry.has(name),
      (name) => registry.get(name)?.metadata.weight ?? 1,
      this.options.random,
    );
  }

  private cacheKeyFor(
    request: GenerateRequest,
    normalized: NormalizedRequest,
    steps: readonly ChainStep[],
  ): string | undefined {
    if (!this.options.settings().enableCaching || request.useCache === false) return undefined;
    if (!this.options.cache.isCacheableTemperature(request.temperature)) return undefined;
    const { system, messages, tools, toolChoice } = normalized;
    return cacheIdentity([
      steps,
      system ?? '',
      messages,
      request.temperature,
      request.maxTokens ?? null,
      tools ?? null,
      toolChoice ?? null,
    ]);
  }
}
