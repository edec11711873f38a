/**
 * Whether a model may take a request now. {@link judgeAdmission} decides from the model's state
 * and the request alone (pure: no side effects); {@link admit} then claims what an attempt needs —
 * the half-open probe slot, a rate-limit token and the budget reservation — in the same
 * synchronous step, so concurrent requests cannot all pass one check before any is charged.
 */
import { isFree, worstCaseCost } from './costs';
import { describeSkipReason } from './errors';
import { formatDuration, formatUsdTogether } from './format';
import type { SkipReason } from './kinds';
import type { ModelEntry } from './registry';
import type { BudgetOptions, SpendLedger } from './spendLedger';

export interface AdmissionContext {
  readonly now: number;
  /** The request's estimated input tokens. */
  readonly inputTokens: number;
  /** Models whose window is at most this are too small (grows when a model answers "too long"). */
  readonly needsWindowAbove: number;
  /** The last model of the chain waits for a rate-limit slot instead of being skipped. */
  readonly isLast: boolean;
  readonly needsTools: boolean;
  /** The output cap the request sends to this model: the worst case assumes all of it. */
  readonly outputCap: number;
  readonly budget: BudgetOptions;
  readonly ledger: SpendLedger;
  /** How long other windows count this request's reservation if this window dies with it in flight. */
  readonly reservationTtlMs: number;
  /** Requests other windows sent to `model` in the last minute (they share its rate limit). */
  readonly othersSends: (model: string) => number;
}

export type Skip = { readonly admitted: false; readonly reason: SkipReason; readonly detail: string };

export type Admission =
  | {
      readonly admitted: true;
      readonly probe: boolean;
      /** The budget reservation (absent for free and unpriced models). */
      readonly reservation?: { readonly id: string; readonly at: number; readonly usd: number };
      readonly releaseBudget: () => void;
    }
  /** Only the last model of a chain waits for a rate-limit slot; then admission is asked again. */
  | { readonly admitted: 'wait'; readonly waitMs: number }
  | Skip;

const skip = (reason: SkipReason, detail = describeSkipReason(reason)): Skip => ({
  admitted: false,
  reason,
  detail,
});

/** Why `entry` may not take the request, or that it must wait; undefined when it may go. */
export function judgeAdmission(
  entry: ModelEntry,
  ctx: AdmissionContext,
): Skip | Extract<Admission, { admitted: 'wait' }> | undefined {
  const { now } = ctx;
  const { metadata } = entry;
  const state = entry.breaker.state;
  if (state === 'open') {
    const nextProbeAt = entry.breaker.snapshot().nextProbeAt!;
    return skip(
      'circuitOpen',
      `circuit open after repeated failures; next probe in ${formatDuration(nextProbeAt - now)}`,
    );
  }
  if (state === 'isolated') return skip('isolated');
  if (entry.blockedUntil !== undefined && entry.blockedUntil > now) {
    return skip(
      'retryAfter',
      `the provider asked us to wait; not tried again for ${formatDuration(entry.blockedUntil - now)}`,
    );
  }
  if (ctx.needsTools && metadata.supportsTools === false) return skip('noToolSupport');
  if (metadata.contextWindow <= ctx.needsWindowAbove) {
    return skip(
      'contextTooSmall',
      `context window too small (${metadata.contextWindow.toLocaleString('en-US')} tokens; the prompt needs about ${(ctx.needsWindowAbove + 1).toLocaleString('en-US')})`,
    );
  }
  const wait = entry.bucket?.msUntilAvailable(entry.bucket && ctx.othersSends(entry.name)) ?? 0;
  if (wait > 0) {
    if (!ctx.isLast) {
      return skip(
        'rateLimited',
        `requests-per-minute limit reached; a slot frees in ${formatDuration(wait)}`,
      );
    }
    // The last model in the chain: waiting for a slot beats failing the request.
    return { admitted: 'wait', waitMs: wait };
  }
  return budgetSkip(entry, ctx);
}

/** Judges, then claims the probe slot, a rate-limit token and the budget reservation. */
export function admit(entry: ModelEntry, ctx: AdmissionContext): Admission {
  const verdict = judgeAdmission(entry, ctx);
  if (verdict) return verdict;
  const permit = entry.breaker.tryAcquire();
  if (!permit.allowed) return skip(permit.reason);
  if (entry.bucket) {
    entry.bucket.tryTake();
    entry.sends.push(ctx.now);
  }
  const paid = !isFree(entry.metadata) && !entry.metadata.priceUnknown;
  if (!paid) return { admitted: true, probe: permit.probe, releaseBudget: noop };
  const usd = worstCaseCost(entry.metadata, ctx.inputTokens, ctx.outputCap);
  const reservation = ctx.ledger.reserve(usd, ctx.now, ctx.reservationTtlMs);
  return {
    admitted: true,
    probe: permit.probe,
    reservation: { id: reservation.id, at: ctx.now, usd },
    releaseBudget: reservation.release,
  };
}

/** With a hard stop, why a paid (or unpriced) model may not take this request. */
function budgetSkip(entry: ModelEntry, ctx: AdmissionContext): Skip | undefined {
  const { budget, ledger, now } = ctx;
  if (!budget.hardStop || isFree(entry.metadata)) return undefined;
  if (!(budget.dailyUsd! > 0) && !(budget.monthlyUsd! > 0)) return undefined;
  // An unknown price could be anything: under a hard stop it is not sent.
  if (entry.metadata.priceUnknown) return skip('priceUnknown');
  const estimate = worstCaseCost(entry.metadata, ctx.inputTokens, ctx.outputCap);
  const committed = ledger.committed(now);
  const checks: Array<[string, number | undefined, number]> = [
    ['daily', budget.dailyUsd, ledger.spentToday(now)],
    ['monthly', budget.monthlyUsd, ledger.spentThisMonth(now)],
  ];
  for (const [label, limit, spent] of checks) {
    if (limit && limit > 0 && spent + committed + estimate > limit) {
      const [spentText, limitText, estimateText] = formatUsdTogether(spent, limit, estimate);
      return skip(
        'overBudget',
        `over the ${label} budget (${spentText} of ${limitText} spent; this request could cost up to ${estimateText})`,
      );
    }
  }
  return undefined;
}

function noop(): void {}
