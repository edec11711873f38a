/**
 * What the two OpenAI adapters (chat completions and Responses) share: the `openai` SDK loaded on
 * the first request, the model family's rules looked up once, one plan per request — the plan the
 * trace tells (`adjustmentsFor`) is the plan that is sent — and the health check's model list.
 */

import type OpenAI from 'openai';
import type * as OpenAiSdk from 'openai';
import type { ProviderRequest } from '../core';
import type { Credentials } from './credentials';
import { planOpenAiRequest, type OpenAiPlan, type OpenAiPlanOptions } from './parameterRules';
import { ProviderBase, type ProviderDeps, type ProviderIdentity, type SdkLogger } from './providerBase';
import type { HealthCheckMethod } from './providerConfig';

export type OpenAiModule = typeof OpenAiSdk;

/** Builds the SDK client for a set of credentials (the SDK module is already loaded). */
export type OpenAiClientFactory = (sdk: OpenAiModule, credentials: Credentials, logger: SdkLogger) => OpenAI;

export abstract class OpenAiProviderBase extends ProviderBase<OpenAI> {
  /** The request planned last: the manager asks for its adjustments, then sends the same object. */
  private lastPlanned: { readonly request: ProviderRequest; readonly plan: OpenAiPlan } | undefined;

  constructor(
    identity: ProviderIdentity,
    deps: ProviderDeps,
    createClient: OpenAiClientFactory,
    /** The model's family rules, looked up once: every request plans with them. */
    protected readonly planOptions: OpenAiPlanOptions,
  ) {
    super(identity, deps, async (credentials, logger) =>
      createClient(await import('openai'), credentials, logger),
    );
  }

  adjustmentsFor(request: ProviderRequest): readonly string[] {
    return this.plan(request).adjustments;
  }

  /** The family's rules applied to `request` (pure, so a request planned a moment ago is reused). */
  protected plan(request: ProviderRequest): OpenAiPlan {
    if (this.lastPlanned?.request === request) return this.lastPlanned.plan;
    const plan = planOpenAiRequest(this.planOptions, request);
    this.lastPlanned = { request, plan };
    return plan;
  }

  protected checkCall(
    client: OpenAI,
    how: HealthCheckMethod,
    request: ProviderRequest,
    options: { signal: AbortSignal; timeout: number },
  ): Promise<unknown> {
    return how === 'listModels' ? client.models.list(options) : this.oneTokenCall(client, request, options);
  }

  /** The health check's one-token request, in this adapter's API. */
  protected abstract oneTokenCall(
    client: OpenAI,
    request: ProviderRequest,
    options: { signal: AbortSignal; timeout: number },
  ): Promise<unknown>;
}
