/**
 * What an answer costs and what it leaves behind: the model's statistics and breaker, the totals,
 * the spend ledger and its budget alerts, and the trace's last steps. The cost is what the service
 * reported it billed (a team gateway's figure) when it says, else usage × the model's prices. A
 * provider that reports no usage is still charged an estimate: silently billing nothing would
 * break the budget.
 */
import { cacheSavings, costOf } from './costs';
import type { ModelEntry } from './registry';
import type { RequestContext } from './requestContext';
import { estimateTextTokens } from './requestShape';
import type { TotalStats } from './metrics';
import type { BudgetAlert, BudgetOptions, SpendLedger } from './spendLedger';
import type { Clock, GenerateResult, Logger, ProviderResponse, TokenUsage } from './types';

export interface AccountingOptions {
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly totals: TotalStats;
  readonly ledger: SpendLedger;
  readonly budget: () => BudgetOptions;
  readonly onAlert: (alert: BudgetAlert) => void;
}

/** The attempt that answered. */
export interface AnsweredAttempt {
  readonly attempt: number;
  readonly startedAt: number;
  /** Whether it was a half-open circuit's probe. */
  readonly probe: boolean;
  /** The text streamed so far (for the usage estimate of a stream without usage). */
  readonly streamedText: string;
}

export class Accountant {
  constructor(private readonly options: AccountingOptions) {}

  answered(
    entry: ModelEntry,
    response: ProviderResponse,
    ctx: RequestContext,
    attempt: AnsweredAttempt,
  ): GenerateResult {
    const { clock, totals, ledger } = this.options;
    const now = clock.now();
    const latencyMs = now - attempt.startedAt;
    const usage = this.usageOf(entry, response, ctx, attempt.streamedText);
    const reported = reportedCostOf(response);
    // What the service billed wins over our estimate from usage × price, and a request with a
    // reported cost has a known price even when the catalog has none: one figure, counted once.
    const priceUnknown = reported === undefined && entry.metadata.priceUnknown === true;
    const cost = reported ?? (priceUnknown ? 0 : costOf(entry.metadata, usage));
    entry.stats.recordSuccess(now, latencyMs, usage, priceUnknown ? 0 : cacheSavings(entry.metadata, usage));
    entry.breaker.recordSuccess(attempt.probe);
    entry.blockedUntil = undefined;
    totals.inputTokens += usage.inputTokens;
    totals.outputTokens += usage.outputTokens;
    if (priceUnknown) ledger.recordUnpriced(entry.name);
    else ledger.record(entry.name, cost, now);
    // Alerts exist only against a budget; skipping the check otherwise keeps date work off the hot path.
    const budget = this.options.budget();
    if ((budget.dailyUsd ?? 0) > 0 || (budget.monthlyUsd ?? 0) > 0) {
      for (const alert of ledger.takeNewAlerts(now, budget)) this.options.onAlert(alert);
    }
    const { trace } = ctx;
    trace.add({
      type: 'attempt',
      model: entry.name,
      attempt: attempt.attempt,
      latencyMs,
      outcome: 'success',
    });
    trace.add({
      type: 'answered',
      model: entry.name,
      costUsd: cost,
      ...(priceUnknown ? { priceUnknown } : {}),
      ...(usage.cacheReadTokens ? { cacheReadTokens: usage.cacheReadTokens } : {}),
    });
    return {
      text: response.text,
      ...(response.toolCalls?.length ? { toolCalls: response.toolCalls } : {}),
      ...(response.thinking?.length ? { thinking: response.thinking } : {}),
      model: entry.name,
      usage,
      costUsd: cost,
      ...(priceUnknown ? { priceUnknown } : {}),
      cached: false,
      latencyMs: now - ctx.startedAt,
      trace: trace.snapshot(),
    };
  }

  private usageOf(
    entry: ModelEntry,
    response: ProviderResponse,
    ctx: RequestContext,
    streamedText: string,
  ): TokenUsage {
    const usage = response.usage;
    if (usage.inputTokens > 0 || usage.outputTokens > 0) return usage;
    this.options.logger?.warn(`${entry.name} reported no token usage; spend uses an estimate.`);
    return { inputTokens: ctx.inputTokens, outputTokens: estimateTextTokens(response.text || streamedText) };
  }
}

/** The service's own figure for the request, when it sent a usable one (a finite amount ≥ 0). */
function reportedCostOf(response: ProviderResponse): number | undefined {
  const usd = response.reportedCostUsd;
  return typeof usd === 'number' && Number.isFinite(usd) && usd >= 0 ? usd : undefined;
}
