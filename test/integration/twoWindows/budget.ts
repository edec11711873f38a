import * as assert from 'assert';
import * as vscode from 'vscode';
import { activateExtension } from '../support';
import { coordinateTests, meet, thisWindow } from './coordination';
import {
  MODELS,
  predictedCost,
  predictedUsage,
  report,
  sendCounted,
  sent,
  settle,
  usd,
  type SentRequest,
} from './support';

/** Requests each window keeps in flight while it spends into the hard stop. */
const CONCURRENCY = 3;

/**
 * Sets the daily budget in the user settings of this window. Both windows do it: in this web
 * build a user setting one window writes does not reach the other window's settings until it
 * reloads (measured: not within 60 s), so each window applies the value window 1 chose.
 */
async function setBudget(dailyUsd: number | undefined, hardStop: boolean | undefined): Promise<void> {
  const configuration = vscode.workspace.getConfiguration('llmManager');
  await configuration.update('budget.dailyUsd', dailyUsd, vscode.ConfigurationTarget.Global);
  await configuration.update('budget.hardStop', hardStop, vscode.ConfigurationTarget.Global);
}

const total = (requests: readonly SentRequest[]) =>
  requests.reduce((sum, request) => sum + request.costUsd, 0);

describe('one budget for two windows', function () {
  // Barriers wait for the other window, which may still be starting.
  this.timeout(180_000);
  coordinateTests();

  after(async () => {
    // One window after the other: each writes the user settings file (see setBudget).
    if (thisWindow() === 2) await meet('budget reset', null, 30_000).catch(() => undefined);
    await setBudget(undefined, undefined);
    if (thisWindow() === 1) await meet('budget reset', null, 30_000).catch(() => undefined);
  });

  it('holds a hard stop set between them: together they overshoot by at most one in-flight request per window', async () => {
    const api = await activateExtension();
    const window = thisWindow();
    let counter = 0;
    // Prompts of one length: every request costs the same, so "one request" is one exact amount.
    const nextPrompt = () => `Window ${window}, budget request ${String(counter++).padStart(3, '0')}`;
    const oneRequest = predictedCost(
      MODELS.alpha,
      predictedUsage(MODELS.alpha, `Window ${window}, budget request 000`),
    );
    const bound = 2 * oneRequest;

    const theirsBefore = await meet<SentRequest[]>('before', sent);
    const spentBefore = total(sent) + total(theirsBefore);
    // Room for a few dozen requests, with the 80 % alert crossed on the way.
    const remaining = Math.max(20.5 * oneRequest, spentBefore / 2);
    // Window 1 picks the limit; both windows apply it, one after the other.
    let limit: number;
    if (window === 1) {
      limit = spentBefore + remaining;
      await setBudget(limit, true);
      await meet('budget set', limit);
    } else {
      limit = await meet<number>('budget set');
      await setBudget(limit, true);
    }
    const applied = await settle(
      () => api.getMetrics().spend,
      (spend) => spend.dailyBudgetUsd === limit && spend.hardStop,
      10_000,
    );
    const seenSetting = vscode.workspace.getConfiguration('llmManager').get<number>('budget.dailyUsd');
    assert.ok(
      applied.ok,
      `the daily budget ${limit} with a hard stop reached window ${window} (its setting: ${seenSetting}; ` +
        `its budget: ${applied.value.dailyBudgetUsd}, hard stop ${applied.value.hardStop})`,
    );
    let alerts = 0;
    const subscription = api.onDidCrossBudgetAlert((alert) => {
      if (alert.period === 'day' && alert.level === 'alert') alerts++;
    });
    const paidBefore = sent.length;
    let refused = 0;
    try {
      await meet('spend');
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let attempt = 0; attempt < 60; attempt++) {
            try {
              await sendCounted(api, MODELS.alpha, nextPrompt());
            } catch (error) {
              if ((error as { kind?: string }).kind !== 'budgetExceeded') throw error;
              refused++;
              return;
            }
          }
        }),
      );
      await api.diagnostics.flush();
    } finally {
      subscription.dispose();
    }
    const mine = { paid: sent.slice(paidBefore), refused, alerts };
    const theirs = await meet<typeof mine>('stopped', mine);
    const spent = spentBefore + total(mine.paid) + total(theirs.paid);
    const overshoot = spent - limit;
    const [first, second] = window === 1 ? [mine, theirs] : [theirs, mine];
    report(
      `hard stop at ${usd(limit)} (${usd(remaining)} left when set): window 1 paid ${first.paid.length}, window 2 ` +
        `${second.paid.length} more requests of ${usd(oneRequest)}; spent ${usd(spent)}; overshoot ${usd(overshoot)}` +
        ` = ${(overshoot / oneRequest).toFixed(2)} requests (bound: 2 = ${usd(bound)}); refused: ${first.refused} + ${second.refused};` +
        ` 80 % alerts: ${first.alerts} + ${second.alerts}`,
    );
    assert.ok(refused > 0, `window ${window} was stopped by the budget`);
    assert.ok(
      overshoot <= bound + 1e-12,
      `together the windows overshot by ${usd(overshoot)}, more than one in-flight request per window (${usd(bound)})`,
    );
    assert.strictEqual(first.alerts + second.alerts, 1, 'the 80 % alert fired once across both windows');
  });
});
