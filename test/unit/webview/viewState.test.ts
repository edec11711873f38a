import * as assert from 'node:assert/strict';
import { buildViewState, diffViewState } from '../../../src/extension/dashboardModel';
import type { LlmManager } from '../../../src/core';
import type { ViewState } from '../../../src/shared/protocol';
import { applyHostMessage, changedSections } from '../../../src/webview/viewState';
import { harness, settle } from '../../support/scriptedProvider';

function stateOf(manager: LlmManager): ViewState {
  return buildViewState({
    chain: manager.chainSteps(),
    models: manager.listModels().map((name) => manager.getModelInfo(name)!),
    metrics: manager.getMetrics(),
    recent: manager.getRecentRequests(),
    now: 0,
    demo: false,
    missingKeys: new Set(),
    redact: (text) => text,
  });
}

describe("the webview's copy of the state", () => {
  it('ignores updates until it has a snapshot', () => {
    const { manager } = harness({ a: {} });
    assert.equal(
      applyHostMessage(undefined, { type: 'update', now: 1, changes: { models: [] } }, 0),
      undefined,
    );
    const view = applyHostMessage(undefined, { type: 'snapshot', now: 1_000, state: stateOf(manager) }, 400);
    assert.equal(view?.clockOffset, 600, 'host time minus page time, for countdowns');
  });

  it('ends up exactly where the host is after applying its updates, keeping unchanged sections as they were', async () => {
    // Free models: spend (and so the budgets section) stays the same while the rest changes.
    const free = { inputPricePerMTok: 0, outputPricePerMTok: 0 };
    const { manager, clock } = harness(
      { a: { script: [{ error: 'server' }, {}], metadata: free }, b: { metadata: free } },
      { maxRetries: 0, breaker: { failureThreshold: 1 } },
    );
    const first = stateOf(manager);
    let view = applyHostMessage(undefined, { type: 'snapshot', now: 0, state: first }, 0)!;
    let hostHolds = first;
    for (const prompt of ['one', 'two', 'three']) {
      await settle(clock, manager.generate({ prompt }));
      const next = stateOf(manager);
      const update = diffViewState(hostHolds, next, 0);
      assert.ok(update);
      const before = view.state;
      view = applyHostMessage(view, update, 0)!;
      hostHolds = next;
      assert.deepEqual(view.state, next);
      assert.equal(view.state.budgets, before.budgets, 'an unchanged section keeps its object');
      assert.ok(changedSections(before, view.state).includes('traces'));
      assert.ok(!changedSections(before, view.state).includes('budgets'));
    }
  });

  it('keeps at most the trace limit when traces are added', () => {
    const { manager } = harness({ a: {} });
    const state = stateOf(manager);
    const trace = {
      id: 't',
      startedAt: 0,
      outcome: 'answered' as const,
      tone: 'ok' as const,
      headline: '',
      cost: '',
      duration: '',
      tried: [],
      skipped: [],
      steps: [],
    };
    const full = { ...state, traces: Array.from({ length: 50 }, (_, i) => ({ ...trace, id: `old-${i}` })) };
    const view = applyHostMessage(
      { state: full, clockOffset: 0 },
      { type: 'update', now: 0, changes: {}, tracesAdded: [{ ...trace, id: 'new' }] },
      0,
    )!;
    assert.equal(view.state.traces?.length, 50);
    assert.equal(view.state.traces?.[0].id, 'new');
    assert.equal(view.state.traces?.[49].id, 'old-48');
  });
});
