import * as assert from 'node:assert/strict';
import { type LlmManager } from '../../../src/core';
import { DashboardFeed } from '../../../src/extension/dashboardFeed';
import { buildViewState } from '../../../src/extension/dashboardModel';
import { buildStatusView } from '../../../src/extension/statusModel';
import {
  TEAM_BUDGET_INTERVAL_MS,
  TeamBudgets,
  teamBudgetView,
  type TeamBudgetReading,
} from '../../../src/extension/teamBudgets';
import type { TeamBudget } from '../../../src/providers';
import type { ViewState } from '../../../src/shared/protocol';
import { FakeClock, flushMicrotasks, MemoryLogger } from '../../support/fakeClock';
import { harness } from '../../support/scriptedProvider';

const HOUR = 3_600_000;

/** Team budgets over a fake clock; `team` is a gateway member, `local` is not. */
function setup(
  answer: (call: number) => Promise<TeamBudget> = async () => ({ spendUsd: 12.4, maxBudgetUsd: 50 }),
) {
  const clock = new FakeClock();
  let calls = 0;
  const budgets = new TeamBudgets({
    readerOf: (name) => (name === 'team' ? () => answer(calls++) : undefined),
    models: () => ['team', 'local'],
    clock,
    logger: new MemoryLogger(),
  });
  return { clock, budgets, calls: () => calls };
}

describe("the team's budget beside ours", () => {
  describe('reading it', () => {
    it('reads nothing until a view asks, then each gateway member once, and no other model', async () => {
      const { budgets, clock, calls } = setup();
      await clock.tickAsync(10 * TEAM_BUDGET_INTERVAL_MS);
      assert.equal(calls(), 0, 'no view, no reading');
      budgets.refreshDue();
      await flushMicrotasks();
      assert.equal(calls(), 1);
      assert.deepEqual([...budgets.current().keys()], ['team']);
      assert.deepEqual(budgets.current().get('team')?.budget, { spendUsd: 12.4, maxBudgetUsd: 50 });
    });

    it('asks a gateway at most once a minute however often views render', async () => {
      const { budgets, clock, calls } = setup();
      for (let second = 0; second < 150; second++) {
        budgets.refreshDue();
        await clock.tickAsync(1000);
      }
      // Renders at 0 s, 60 s and 120 s read; the 147 others in between do not.
      assert.equal(calls(), 3);
    });

    it('keeps the last reading when the gateway does not answer, and asks again only after the interval', async () => {
      const { budgets, clock, calls } = setup(async (call) => {
        if (call === 0) return { spendUsd: 1, maxBudgetUsd: 50 };
        throw new Error('gateway down');
      });
      budgets.refreshDue();
      await flushMicrotasks();
      await clock.tickAsync(TEAM_BUDGET_INTERVAL_MS);
      budgets.refreshDue();
      await flushMicrotasks();
      budgets.refreshDue();
      await flushMicrotasks();
      assert.equal(calls(), 2, 'the failed reading is not retried at once');
      assert.equal(budgets.current().get('team')?.budget.spendUsd, 1, 'the last reading stays');
    });

    it('tells the views when a reading arrives', async () => {
      const { budgets } = setup();
      let changes = 0;
      budgets.onDidChange(() => changes++);
      budgets.refreshDue();
      await flushMicrotasks();
      assert.equal(changes, 1);
    });

    it('reads only while a metrics view is visible: the feed renders for visible views alone', async () => {
      const clock = new FakeClock();
      const { manager } = harness({ team: {} }, {}, { clock });
      let calls = 0;
      const budgets = new TeamBudgets({
        readerOf: () => async () => {
          calls++;
          return { spendUsd: 12.4, maxBudgetUsd: 50 };
        },
        models: () => manager.listModels(),
        clock,
        logger: new MemoryLogger(),
      });
      const feed = new DashboardFeed({
        read: async () => {
          budgets.refreshDue();
          return stateOf(manager, clock.now(), budgets.current());
        },
        changes: [budgets.onDidChange],
        clock,
        logger: new MemoryLogger(),
        refreshMs: 15_000,
      });
      const connection = feed.connect(() => true);
      await clock.tickAsync(5 * TEAM_BUDGET_INTERVAL_MS);
      assert.equal(calls, 0, 'no view has said ready');
      await connection.ready('sidebar');
      await clock.tickAsync(3 * TEAM_BUDGET_INTERVAL_MS - 1000);
      assert.equal(calls, 3, 'while it shows: once a minute (the feed refreshes every 15 s)');
      connection.setVisible(false);
      await clock.tickAsync(10 * TEAM_BUDGET_INTERVAL_MS);
      assert.equal(calls, 3, 'hidden: not read at all');
      feed.dispose();
      budgets.dispose();
      await manager.dispose();
    });
  });

  describe('showing it', () => {
    const now = Date.UTC(2026, 10, 23, 12);
    const reading = (budget: TeamBudget, readAt = now - 30_000): TeamBudgetReading => ({ budget, readAt });

    it('reads "team: $12.40 of $50", with its age and reset in the detail', () => {
      const view = teamBudgetView(
        reading({ spendUsd: 12.4, maxBudgetUsd: 50, resetsAt: now + 3 * HOUR }),
        now,
      );
      assert.equal(view.text, 'team: $12.40 of $50');
      assert.equal(view.tone, 'ok');
      assert.match(view.detail, /read 30 s ago; resets in 3 h\.$/);
    });

    it('warns from 80 % and is an error once used up; without a budget it only says the spend', () => {
      assert.equal(teamBudgetView(reading({ spendUsd: 40, maxBudgetUsd: 50 }), now).tone, 'warning');
      assert.equal(teamBudgetView(reading({ spendUsd: 50.02, maxBudgetUsd: 50 }), now).tone, 'error');
      const open = teamBudgetView(reading({ spendUsd: 3.1 }), now);
      assert.equal(open.text, 'team: $3.10 spent');
      assert.equal(open.tone, 'info');
      assert.equal(
        teamBudgetView(reading({ spendUsd: 1, maxBudgetUsd: 12.5 }), now).text,
        'team: $1.00 of $12.50',
      );
    });

    it("is on the member's card and in the status tooltip, and nowhere else", async () => {
      const { manager } = harness({ team: {}, local: {} });
      manager.setFallbackChain(['team', 'local']);
      const readings = new Map([['team', reading({ spendUsd: 12.4, maxBudgetUsd: 50 })]]);
      const state = stateOf(manager, now, readings);
      const team = state.models.find((m) => m.name === 'team')!;
      const local = state.models.find((m) => m.name === 'local')!;
      assert.equal(team.teamBudget?.text, 'team: $12.40 of $50');
      assert.equal(local.teamBudget, undefined);

      const status = buildStatusView({
        models: ['team', 'local'].map((name) => manager.getModelInfo(name)!),
        metrics: manager.getMetrics(),
        now,
        demo: false,
        missingKeys: new Set(),
        teamBudgets: readings,
      });
      const rows = status.tooltip.split('\n');
      assert.ok(
        rows.some((row) => /\| \*\*team\*\* · team: \$12\.40 of \$50(&nbsp;)* \|/.test(row)),
        status.tooltip,
      );
      assert.ok(!rows.some((row) => row.includes('local') && row.includes('team:')));
      await manager.dispose();
    });
  });
});

function stateOf(
  manager: LlmManager,
  now: number,
  teamBudgets: ReadonlyMap<string, TeamBudgetReading>,
): ViewState {
  return buildViewState({
    chain: manager.chainSteps(),
    models: manager.listModels().map((name) => manager.getModelInfo(name)!),
    metrics: manager.getMetrics(),
    recent: manager.getRecentRequests(),
    now,
    demo: false,
    missingKeys: new Set(),
    redact: (text) => text,
    teamBudgets,
  });
}
