/**
 * What is decided across windows after a model is admitted locally and before its request is sent:
 * only one window sends a half-open circuit's probe, and a reservation under a hard stop must fit
 * the budget together with the reservations other windows made before it. With no other window
 * running, nothing here waits.
 */
import type { Admission, Skip } from './admission';
import { formatUsdTogether } from './format';
import type { ManagerSettings } from './managerSettings';
import type { ModelEntry } from './registry';
import type { SharedLedger } from './sharedLedger';
import type { SpendLedger } from './spendLedger';
import type { Clock } from './types';

type Admitted = Extract<Admission, { admitted: true }>;

export interface CrossWindowOptions {
  readonly shared: SharedLedger;
  readonly ledger: SpendLedger;
  readonly clock: Clock;
  readonly settings: () => ManagerSettings;
}

export class CrossWindowGate {
  constructor(private readonly options: CrossWindowOptions) {}

  /** A skip (the caller releases the admission), or what to release once the attempts are over. */
  async confirm(entry: ModelEntry, admission: Admitted): Promise<Skip | { release(): void }> {
    const { shared } = this.options;
    const needsShared = admission.probe || (this.options.settings().budget.hardStop && admission.reservation);
    if (!needsShared || !(await shared.othersRunning())) return { release: noop };
    const settings = this.options.settings();
    let releaseProbe = noop;
    if (admission.probe) {
      const claim = `probe:${entry.name}`;
      const busy: Skip = {
        admitted: false,
        reason: 'halfOpenProbeBusy',
        detail: 'skipped: circuit half-open and another window is sending its probe',
      };
      if (!(await shared.claim(claim, settings.requestTimeoutMs))) {
        entry.breaker.releaseProbe();
        return busy;
      }
      // Another window may have probed just before: its verdict decides, not a second probe.
      await shared.refresh();
      if (entry.breaker.state === 'open') {
        void shared.release(claim);
        return {
          admitted: false,
          reason: 'circuitOpen',
          detail: 'skipped: another window probed it and it failed',
        };
      }
      // Let go only once this window's verdict is written, so the next window reads it first.
      releaseProbe = () => void shared.flush().then(() => shared.release(claim));
    }
    const over = await this.budgetAcrossWindows(admission);
    if (over) {
      if (admission.probe) entry.breaker.releaseProbe();
      releaseProbe();
      return over;
    }
    return { release: releaseProbe };
  }

  private async budgetAcrossWindows(admission: Admitted): Promise<Skip | undefined> {
    const { budget } = this.options.settings();
    const reservation = admission.reservation;
    if (!budget.hardStop || !reservation) return undefined;
    const { ledger, clock } = this.options;
    const limits = [
      { label: 'daily', limit: budget.dailyUsd, spent: () => ledger.spentToday(clock.now()) },
      { label: 'monthly', limit: budget.monthlyUsd, spent: () => ledger.spentThisMonth(clock.now()) },
    ].filter((check): check is typeof check & { limit: number } => (check.limit ?? 0) > 0);
    if (limits.length === 0) return undefined;
    if (await this.options.shared.confirmReservation(reservation, limits)) return undefined;
    const [first] = limits;
    const [spent, limit, cost] = formatUsdTogether(first.spent(), first.limit, reservation.usd);
    return {
      admitted: false,
      reason: 'overBudget',
      detail: `over the ${first.label} budget with the requests other windows have in flight (${spent} of ${limit} spent; this request could cost up to ${cost})`,
    };
  }
}

function noop(): void {}
