import * as assert from 'node:assert/strict';
import { LlmError, LlmManager, type CompletedRequest, type ManagerMetrics } from '../../../src/core';
import {
  budgetBar,
  buildViewState,
  diffViewState,
  downsample,
  forSurface,
  LATENCY_POINTS_PER_MODEL,
  traceView,
  type DashboardInput,
} from '../../../src/extension/dashboardModel';
import { redactSecrets } from '../../../src/extension/redact';
import { buildStatusView } from '../../../src/extension/statusModel';
import type { ModelCardView, ViewState } from '../../../src/shared/protocol';
import { harness, rejection, settle } from '../../support/scriptedProvider';

/** The view model's input from a manager, as the extension builds it. */
function inputOf(manager: LlmManager, overrides: Partial<DashboardInput> = {}): DashboardInput {
  return {
    chain: manager.chainSteps(),
    models: manager.listModels().map((name) => manager.getModelInfo(name)!),
    metrics: manager.getMetrics(),
    recent: manager.getRecentRequests(),
    now: Date.now(),
    demo: false,
    missingKeys: new Set(),
    redact: (text) => redactSecrets(text, []),
    ...overrides,
  };
}

function card(state: ViewState, name: string): ModelCardView {
  const found = state.models.find((model) => model.name === name);
  assert.ok(found, `a card for ${name}`);
  return found;
}

describe('metrics view model', () => {
  describe('model cards', () => {
    it('orders cards as the chain tries them: active model, fallback chain, then models the chain does not use', () => {
      const { manager } = harness({ a: {}, b: {}, c: {}, d: {}, e: {} });
      manager.setActiveModel('c');
      manager.setFallbackChain(['a', ['b', 'd'], 'c']);
      const state = buildViewState(inputOf(manager));
      assert.deepEqual(
        state.models.map((m) => [m.name, m.position, m.role, m.colour]),
        [
          ['c', 1, 'first choice', 0],
          ['a', 2, 'fallback 1', 1],
          ['b', 3, 'fallback 2 · group of 2', 2],
          ['d', 4, 'fallback 3 · group of 2', 3],
          ['e', undefined, 'not in chain', 4],
        ],
      );
      assert.equal(card(state, 'c').active, true);
      assert.equal(card(state, 'a').actions.makeActive, true);
      assert.equal(card(state, 'c').actions.makeActive, false);
    });

    it('says when a price is unknown and offers "Set price…", and shows where prices come from and a retirement', () => {
      const { manager } = harness({
        mystery: { metadata: { inputPricePerMTok: 0, outputPricePerMTok: 0, priceUnknown: true } },
        known: {
          metadata: {
            priceSource: 'catalog of 2026-09-23',
            lifecycle: { deprecated: true, endOfLife: '2027-01-05' },
          },
        },
      });
      const state = buildViewState(inputOf(manager));
      const mystery = card(state, 'mystery');
      assert.equal(mystery.priceUnknown, true);
      assert.equal(mystery.actions.setPrice, true);
      assert.match(mystery.subtitle, /price unknown/);
      const known = card(state, 'known');
      assert.equal(known.actions.setPrice, false);
      assert.equal(known.priceNote, 'prices: catalog of 2026-09-23');
      assert.equal(known.lifecycle, 'deprecated — end of life 2027-01-05');
    });

    it("shows an open circuit with its probe time, and each model's success rate, latency, requests, spend and last error", async () => {
      const { manager, clock } = harness(
        {
          a: { script: [{ error: 'server' }] },
          b: { script: [{ delayMs: 1200, usage: { inputTokens: 1000, outputTokens: 500 } }] },
        },
        { maxRetries: 1, breaker: { failureThreshold: 2, recoveryTimeoutMs: 30_000 } },
      );
      await settle(clock, manager.generate({ prompt: 'hi' }));
      const state = buildViewState(inputOf(manager, { now: clock.now() }));

      const a = card(state, 'a');
      assert.equal(a.circuit.state, 'open');
      assert.equal(a.circuit.label, 'open');
      assert.equal(a.circuit.tone, 'error');
      assert.ok(a.circuit.nextProbeAt! > clock.now() && a.circuit.nextProbeAt! <= clock.now() + 30_000);
      assert.equal(a.successRate, '0 %');
      assert.equal(a.successTone, 'error');
      assert.equal(a.requests, '2');
      assert.equal(a.p50, '—');
      assert.deepEqual(a.lastError && { kind: a.lastError.kind, message: a.lastError.message }, {
        kind: 'the provider had a server error',
        message: 'a: scripted server',
      });
      assert.deepEqual(a.actions, {
        resetCircuit: true,
        isolate: true,
        reEnable: false,
        makeActive: true,
        setPrice: false,
      });

      const b = card(state, 'b');
      assert.equal(b.circuit.label, 'closed');
      assert.equal(b.successRate, '100 %');
      assert.equal(b.p50, '1.2 s');
      assert.equal(b.p95, '1.2 s');
      assert.equal(b.requests, '1');
      // 1000 input tokens at $1/M plus 500 output tokens at $2/M.
      assert.equal(b.spendToday, '$0.0020');
      assert.equal(b.subtitle, 'test · $1.00 / $2.00 per M tokens');
      assert.equal(b.tokens, '1,000 in · 500 out');
      assert.equal(b.actions.resetCircuit, false);
    });

    it('shows cached and reasoning tokens on the card, and what the prompt cache saved', async () => {
      const usage = { inputTokens: 12_400, outputTokens: 800, cacheReadTokens: 11_900, reasoningTokens: 300 };
      const { manager, clock } = harness({
        a: {
          script: [{ usage }],
          metadata: { inputPricePerMTok: 3, outputPricePerMTok: 15, cacheReadPricePerMTok: 0.3 },
        },
        b: { script: [{}] },
      });
      await settle(clock, manager.generate({ prompt: 'hi' }));
      const state = buildViewState(inputOf(manager, { now: clock.now() }));
      assert.equal(card(state, 'a').tokens, '12.4k in (11.9k cached) · 800 out (300 reasoning)');
      // 11 900 tokens at $3 instead of $0.30 per million.
      assert.equal(card(state, 'a').cacheSaved, '$0.03');
      assert.equal(card(state, 'b').tokens, '0 in · 0 out');
      assert.equal(card(state, 'b').cacheSaved, undefined);
    });

    it('offers re-enabling instead of isolating an isolated model, and marks a half-open one as probing', async () => {
      const { manager, clock } = harness(
        { a: { script: [{ error: 'timeout' }] }, b: {} },
        { maxRetries: 0, breaker: { failureThreshold: 1, recoveryTimeoutMs: 1000 } },
      );
      manager.isolateModel('b');
      await settle(
        clock,
        manager.generate({ prompt: 'x' }).catch(() => undefined),
      );
      await clock.tickAsync(1000);
      const state = buildViewState(inputOf(manager, { now: clock.now() }));
      assert.deepEqual(
        [card(state, 'a').circuit.state, card(state, 'a').circuit.label],
        ['halfOpen', 'half-open · probing'],
      );
      const b = card(state, 'b');
      assert.deepEqual([b.circuit.label, b.circuit.tone], ['isolated by you', 'muted']);
      assert.deepEqual(b.actions, {
        resetCircuit: false,
        isolate: false,
        reEnable: true,
        makeActive: true,
        setPrice: false,
      });
      // A half-open circuit can still answer (its probe), so the chain is degraded, not down.
      assert.equal(state.header.health, 'degraded');
    });

    it('says "Set key" on a model without its key, and asks for set-up when no model of the chain has one', () => {
      const { manager } = harness({ a: {}, b: {} });
      const some = buildViewState(inputOf(manager, { missingKeys: new Set(['a']) }));
      assert.equal(card(some, 'a').needsKey, true);
      assert.equal(card(some, 'b').needsKey, false);
      assert.equal(some.header.needsSetup, false);
      const none = buildViewState(inputOf(manager, { missingKeys: new Set(['a', 'b']) }));
      assert.equal(none.header.needsSetup, true);
    });

    it('marks a free model as free and shows the price of a paid one per million tokens', () => {
      const { manager } = harness({
        local: { metadata: { inputPricePerMTok: 0, outputPricePerMTok: 0, provider: 'ollama' } },
        cheap: { metadata: { inputPricePerMTok: 0.15, outputPricePerMTok: 0.6 } },
      });
      const state = buildViewState(inputOf(manager));
      assert.equal(card(state, 'local').subtitle, 'ollama · free');
      assert.equal(card(state, 'local').free, true);
      assert.equal(card(state, 'cheap').subtitle, 'test · $0.15 / $0.60 per M tokens');
    });
  });

  describe('first run and health', () => {
    it('invites set-up when no model is configured', () => {
      const state = buildViewState(inputOf(new LlmManager()));
      assert.equal(state.header.health, 'noModels');
      assert.equal(state.header.headline, 'No models configured yet.');
      assert.deepEqual(state.models, []);
      assert.equal(state.header.needsSetup, false);
      assert.equal(state.header.cacheText, 'cache empty');
      assert.equal(state.traces?.length, 0);
    });

    it('calls the chain healthy when every circuit is closed and degraded when one is not', async () => {
      const { manager, clock } = harness(
        { a: { script: [{ error: 'server' }, {}] }, b: {} },
        { maxRetries: 0, breaker: { failureThreshold: 1 } },
      );
      assert.deepEqual(
        [buildViewState(inputOf(manager)).header.health, buildViewState(inputOf(manager)).header.tone],
        ['healthy', 'ok'],
      );
      await settle(clock, manager.generate({ prompt: 'x' }));
      const state = buildViewState(inputOf(manager, { demo: true }));
      assert.equal(state.header.health, 'degraded');
      assert.equal(state.header.headline, 'Some models are unavailable; the chain routes around them.');
      assert.equal(state.header.demo, true);
    });

    it('names a model that fails most of its requests while its circuit is closed, as the status bar does', async () => {
      const { manager, clock } = harness(
        { a: { script: [{ error: 'server' }] }, b: {} },
        { maxRetries: 0, breaker: { failureThreshold: 10 } },
      );
      await settle(clock, manager.generate({ prompt: 'x' }));
      const input = inputOf(manager);
      const { header } = buildViewState(input);
      assert.equal(header.health, 'healthy');
      assert.equal(header.headline, 'All circuits closed, but a is failing (1 of 1 requests failed).');
      assert.equal(header.tone, 'warning');
      assert.equal(card(buildViewState(input), 'a').successTone, 'error');
      const status = buildStatusView(input);
      assert.ok(status.tooltip.includes(`— ${header.headline}`), status.tooltip);
    });
  });

  describe('totals', () => {
    it('counts requests, cache hit rate, retries and fallbacks with the busiest route', async () => {
      const { manager, clock } = harness(
        { a: { script: [{ error: 'server' }] }, b: {} },
        { maxRetries: 1, breaker: { failureThreshold: 10 } },
      );
      await settle(clock, manager.generate({ prompt: 'same', temperature: 0 }));
      await settle(clock, manager.generate({ prompt: 'same', temperature: 0 }));
      const { totals, header } = buildViewState(inputOf(manager));
      const stat = (id: string) => totals.stats.find((s) => s.id === id)!;
      assert.deepEqual([stat('requests').value, stat('requests').detail], ['2', '2 answered · 0 failed']);
      assert.equal(stat('successRate').value, '100 %');
      assert.deepEqual([stat('cacheHitRate').value, stat('cacheHitRate').detail], ['50 %', '1 of 2 lookups']);
      assert.equal(stat('retries').value, '1');
      assert.deepEqual([stat('fallbacks').value, stat('fallbacks').detail], ['1', 'most: a → b (1)']);
      assert.deepEqual(totals.fallbackRoutes, [{ route: 'a → b', count: 1 }]);
      assert.match(header.cacheText, /^1 cached answer · \d+ B$/);
    });

    it('shows no rate before there is anything to measure', () => {
      const { totals } = buildViewState(inputOf(new LlmManager()));
      assert.deepEqual(
        totals.stats.map((s) => [s.id, s.value]),
        [
          ['requests', '0'],
          ['successRate', '—'],
          ['cacheHitRate', '—'],
          ['retries', '0'],
          ['fallbacks', '0'],
          ['tokens', '0'],
        ],
      );
    });
  });

  describe('budget bars', () => {
    it('shows spend without a bar when no budget is set, naming the setting', () => {
      const bar = budgetBar('day', 'Today', 0.5, undefined, 0.8, false);
      assert.equal(bar.level, 'none');
      assert.equal(bar.fraction, undefined);
      assert.equal(bar.spent, '$0.50');
      assert.equal(bar.note, 'No daily budget (llmManager.budget.dailyUsd).');
    });

    it('fills the bar by the share spent and says what is left below the alert', () => {
      const bar = budgetBar('month', 'This month', 2, 5, 0.8, false);
      assert.deepEqual(
        [bar.level, bar.fraction, bar.percent, bar.limit, bar.alertFraction],
        ['ok', 0.4, '40 %', 'of $5.00', 0.8],
      );
      assert.equal(bar.note, '$3.00 left; alert at 80 %.');
    });

    it('writes spent, budget and what is left below a cent in one precision, so they add up', () => {
      const bar = budgetBar('month', 'This month', 0.0034, 0.0136, 0.8, false);
      assert.deepEqual(
        [bar.spent, bar.limit, bar.percent, bar.note],
        ['$0.0034', 'of $0.0136', '25 %', '$0.0102 left; alert at 80 %.'],
      );
    });

    it('raises the 80 % alert visibly once the alert share is spent', () => {
      const bar = budgetBar('day', 'Today', 0.041, 0.05, 0.8, false);
      assert.equal(bar.level, 'alert');
      assert.equal(bar.percent, '82 %');
      assert.equal(bar.note, 'Alert: 82 % of the daily budget spent (alert at 80 %).');
    });

    it('caps the bar at full when the budget is overspent, and says whether paid models stop', () => {
      const stopped = budgetBar('day', 'Today', 0.06, 0.05, 0.8, true);
      assert.deepEqual([stopped.level, stopped.fraction, stopped.percent], ['exceeded', 1, '120 %']);
      assert.equal(
        stopped.note,
        'The daily budget is used up: paid models are skipped, free ones still answer.',
      );
      assert.match(
        budgetBar('month', 'This month', 6, 5, 0.8, false).note,
        /no hard stop: requests continue/,
      );
    });

    it("takes both periods from the manager's metrics", () => {
      const metrics = { ...new LlmManager().getMetrics() };
      const spend: ManagerMetrics['spend'] = {
        ...metrics.spend,
        todayUsd: 0.9,
        monthUsd: 3,
        dailyBudgetUsd: 1,
        monthlyBudgetUsd: 10,
        alertAt: 0.9,
        hardStop: true,
      };
      const { budgets } = buildViewState({ ...inputOf(new LlmManager()), metrics: { ...metrics, spend } });
      assert.deepEqual(
        budgets.bars.map((b) => [b.period, b.level, b.percent]),
        [
          ['day', 'alert', '90 %'],
          ['month', 'ok', '30 %'],
        ],
      );
      assert.equal(budgets.hardStop, true);
    });
  });

  describe('charts', () => {
    it('gives 30 days of spend per model, only for models that spent, in chain colours', async () => {
      const { manager, clock } = harness({
        a: {},
        free: { metadata: { inputPricePerMTok: 0, outputPricePerMTok: 0 } },
      });
      await settle(clock, manager.generate({ prompt: 'x' }));
      const { spendHistory } = buildViewState(inputOf(manager));
      assert.equal(spendHistory!.days.length, 30);
      assert.deepEqual(
        spendHistory!.series.map((s) => [s.model, s.colour]),
        [['a', 0]],
      );
      assert.equal(spendHistory!.series[0].values.at(-1), 0.0002);
      assert.equal(
        spendHistory!.series[0].values.slice(0, -1).every((v) => v === 0),
        true,
      );
      assert.equal(spendHistory!.total, 'total $0.0002');
    });

    it('keeps spend of a model that was removed, with its own colour', () => {
      const manager = new LlmManager();
      const metrics = manager.getMetrics();
      const history = metrics.spend.history.map((day, i) =>
        i === 29 ? { day: day.day, byModel: { gone: 0.5 } } : day,
      );
      const { spendHistory } = buildViewState({
        ...inputOf(manager),
        metrics: { ...metrics, spend: { ...metrics.spend, history } },
      });
      assert.deepEqual(
        spendHistory!.series.map((s) => [s.model, s.colour, s.values[29]]),
        [['gone', 0, 0.5]],
      );
    });

    it("merges latency samples beyond the limit, keeping each stretch's highest", () => {
      const samples = Array.from({ length: 300 }, (_, i) => [i * 1000, i === 150 ? 9000 : 100] as const);
      const points = downsample(samples, LATENCY_POINTS_PER_MODEL);
      assert.ok(points.length <= LATENCY_POINTS_PER_MODEL);
      assert.equal(Math.max(...points.map(([, ms]) => ms)), 9000);
      assert.deepEqual(downsample([[5, 10.4]], 10), [[5, 10]]);
    });

    it('counts requests by outcome: first choice, after a fallback, from the cache, failed', async () => {
      const { manager, clock } = harness(
        { a: { script: [{ error: 'auth' }] }, b: {} },
        { maxRetries: 0, breaker: { failureThreshold: 10 } },
      );
      await settle(clock, manager.generate({ prompt: 'one', temperature: 0 }));
      await settle(clock, manager.generate({ prompt: 'one', temperature: 0 }));
      await settle(clock, manager.generate({ prompt: 'two', chain: ['b'] }));
      await rejection(settle(clock, manager.generate({ prompt: 'three', chain: ['a'] })));
      const { outcomes } = buildViewState(inputOf(manager));
      assert.deepEqual(
        outcomes!.requests.map((r) => [r.outcome, r.count]),
        [
          ['firstChoice', 1],
          ['fallback', 1],
          ['cached', 1],
          ['failed', 1],
        ],
      );
      assert.deepEqual(
        outcomes!.perModel.map((m) => [m.model, m.successes, m.failures]),
        [
          ['a', 0, [{ kind: 'auth', count: 2 }]],
          ['b', 2, []],
        ],
      );
    });
  });

  describe('routing traces', () => {
    it('lists recent requests newest first, each with who was tried, the wait, who answered and the cost', async () => {
      const { manager, clock } = harness(
        { a: { script: [{ error: 'server' }] }, b: {} },
        { maxRetries: 1, backoff: { initialDelayMs: 1000 }, breaker: { failureThreshold: 10 } },
      );
      await settle(clock, manager.generate({ prompt: 'first' }), 50);
      await settle(clock, manager.generate({ prompt: 'second' }), 50);
      const traces = buildViewState(inputOf(manager)).traces!;
      assert.equal(traces.length, 2);
      assert.ok(traces[0].startedAt > traces[1].startedAt, 'newest first');
      const trace = traces[0];
      assert.equal(trace.outcome, 'answered');
      assert.equal(trace.headline, 'b answered after 1 fallback');
      assert.equal(trace.tone, 'warning');
      assert.deepEqual(trace.tried, ['a', 'b']);
      assert.equal(trace.waited, 'waited 1 s');
      assert.equal(trace.duration, '1.0 s');
      assert.equal(trace.cost, '$0.0002');
      assert.deepEqual(
        trace.steps.map((s) => [s.kind, s.tone]),
        [
          ['attempt', 'error'],
          ['backoff', 'muted'],
          ['attempt', 'error'],
          ['attempt', 'ok'],
          ['answered', 'ok'],
        ],
      );
      assert.match(trace.steps[0].text, /^a: attempt 1 failed after 0 ms — the provider had a server error/);
      assert.equal(trace.steps[1].offset, '+0 ms');
      assert.equal(trace.steps[2].offset, '+1.0 s');
    });

    it('tells a cached answer, a failure and a cancellation apart', async () => {
      const { manager, clock } = harness({ a: { script: [{ error: 'quota' }] } }, { maxRetries: 0 });
      const failed = await rejection(settle(clock, manager.generate({ prompt: 'x' })));
      const view = traceView({ trace: failed.trace!, error: failed }, (t) => t);
      assert.equal(view.outcome, 'failed');
      assert.equal(view.tone, 'error');
      assert.match(view.headline, /^Failed: /);
      assert.equal(view.error, 'No model could answer (1 tried): a: out of quota or credit');
      assert.equal(view.cost, '$0');

      const cancelled: CompletedRequest = {
        trace: { id: 't-1', startedAt: 0, steps: [] },
        error: new LlmError('cancelled', 'The request was cancelled.'),
      };
      assert.deepEqual(
        [traceView(cancelled, (t) => t).outcome, traceView(cancelled, (t) => t).headline],
        ['cancelled', 'Cancelled'],
      );

      const { manager: cachedManager, clock: cachedClock } = harness({ b: {} });
      await settle(cachedClock, cachedManager.generate({ prompt: 'y', temperature: 0 }));
      await settle(cachedClock, cachedManager.generate({ prompt: 'y', temperature: 0 }));
      const cached = buildViewState(inputOf(cachedManager)).traces![0];
      assert.deepEqual(
        [cached.outcome, cached.headline, cached.cost],
        ['cached', 'Answered from the cache (b)', '$0 · cached'],
      );
    });
  });

  describe('secrets', () => {
    it('never lets a key into the view: error texts are redacted before they are shown', async () => {
      const key = 'sk-proj-ABCDEFGHIJKLMNOPQRSTUVWX1234';
      const stored = 'my-very-secret-gateway-token';
      const { manager, clock, providers } = harness({ a: {} }, { maxRetries: 0 });
      providers.a.generate = async () => {
        throw new LlmError('auth', `Incorrect API key provided: ${key} (gateway ${stored})`);
      };
      await rejection(settle(clock, manager.generate({ prompt: 'x' })));
      const state = buildViewState(
        inputOf(manager, { redact: (text) => redactSecrets(text, [stored]), missingKeys: new Set() }),
      );
      const json = JSON.stringify(state);
      assert.ok(!json.includes(key), 'the key shape is redacted');
      assert.ok(!json.includes(stored), 'a known key value is redacted');
      assert.match(card(state, 'a').lastError!.message, /\[redacted\]/);
      assert.match(json, /Incorrect API key provided: \[redacted\]/);
    });
  });

  describe('surfaces and updates', () => {
    it('gives the sidebar the cards, totals and budgets, and the dashboard also the charts and traces', () => {
      const state = buildViewState(inputOf(harness({ a: {} }).manager));
      assert.deepEqual(Object.keys(forSurface('sidebar', state)), ['header', 'models', 'totals', 'budgets']);
      assert.deepEqual(Object.keys(forSurface('dashboard', state)), [
        'header',
        'models',
        'totals',
        'budgets',
        'spendHistory',
        'latency',
        'outcomes',
        'traces',
      ]);
    });

    it('sends nothing when nothing changed, and only the changed sections otherwise', async () => {
      const { manager, clock } = harness({ a: {}, b: {} });
      const before = buildViewState(inputOf(manager));
      assert.equal(diffViewState(before, buildViewState(inputOf(manager)), 1), undefined);
      manager.isolateModel('b');
      const update = diffViewState(before, buildViewState(inputOf(manager)), 1)!;
      assert.deepEqual(Object.keys(update.changes).sort(), ['header', 'models']);
      assert.equal(update.tracesAdded, undefined);
      assert.equal(update.now, 1);
      await settle(clock, manager.generate({ prompt: 'x' }));
      assert.ok(diffViewState(before, buildViewState(inputOf(manager)), 2)!.changes.totals);
    });

    it('sends new requests as added traces rather than the whole list', async () => {
      const { manager, clock } = harness({ a: {} });
      await settle(clock, manager.generate({ prompt: 'one' }));
      const before = buildViewState(inputOf(manager));
      await settle(clock, manager.generate({ prompt: 'two' }));
      const after = buildViewState(inputOf(manager));
      const update = diffViewState(before, after, 0)!;
      assert.equal(update.changes.traces, undefined);
      assert.deepEqual(
        update.tracesAdded?.map((t) => t.id),
        [after.traces![0].id],
      );
    });

    it('sends the whole trace list when it did not just grow at the front', async () => {
      const { manager, clock } = harness({ a: {} }, { recentRequests: 1 });
      await settle(clock, manager.generate({ prompt: 'one' }));
      const before = buildViewState(inputOf(manager));
      await settle(clock, manager.generate({ prompt: 'two' }));
      const update = diffViewState(before, buildViewState(inputOf(manager)), 0)!;
      assert.equal(update.tracesAdded, undefined);
      assert.equal(update.changes.traces?.length, 1);
    });
  });
});
