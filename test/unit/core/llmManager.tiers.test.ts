import * as assert from 'node:assert/strict';
import { harness } from '../../support/scriptedProvider';

const paid = { usage: { inputTokens: 1_000_000, outputTokens: 0 } };

describe('LlmManager task tiers and budget pressure', () => {
  const models = () => ({
    premium: { script: [paid] },
    standard: { script: [paid] },
    cheap: { script: [paid], metadata: { inputPricePerMTok: 0.1, outputPricePerMTok: 0.1 } },
  });
  const routing = { tierChains: { economy: ['cheap'], high: ['premium'] } };

  it('sends each tier to its own chain, and tiers without one to the default chain', async () => {
    const { manager } = harness(models(), { routing });
    manager.setActiveModel('standard');
    assert.equal((await manager.generate({ prompt: 'a', tier: 'high' })).model, 'premium');
    assert.equal((await manager.generate({ prompt: 'b', tier: 'economy' })).model, 'cheap');
    const standard = await manager.generate({ prompt: 'c' });
    assert.equal(standard.model, 'standard');
    assert.ok(!standard.trace.steps.some((s) => s.type === 'route'));
    const high = await manager.generate({ prompt: 'd', tier: 'high' });
    assert.deepEqual(high.trace.steps[0], {
      type: 'route',
      tier: 'high',
      chain: 'high',
      at: high.trace.steps[0].at,
    });
  });

  it('moves standard requests to the economy chain when less than 20 % of a budget remains, and says why', async () => {
    const { manager } = harness(models(), { routing, budget: { dailyUsd: 5 } });
    manager.setActiveModel('standard');
    for (let i = 0; i < 4; i++) assert.equal((await manager.generate({ prompt: `q${i}` })).model, 'standard');
    // Exactly 20 % left is not yet pressure.
    assert.deepEqual(manager.getRoutingState(), { pressure: undefined, standardUsesEconomy: false });
    await manager.generate({ prompt: 'tips it over', tier: 'high' });
    const state = manager.getRoutingState();
    assert.equal(state.standardUsesEconomy, true);
    assert.equal(state.pressure?.period, 'day');
    const result = await manager.generate({ prompt: 'under pressure' });
    assert.equal(result.model, 'cheap');
    const route = result.trace.steps.find((s) => s.type === 'route');
    assert.equal(route?.type === 'route' && route.reason, 'budget pressure: 0 % of the daily budget left');
    // High-tier requests keep their chain; pressure only moves standard ones.
    assert.equal((await manager.generate({ prompt: 'important', tier: 'high' })).model, 'premium');
  });

  it('applies no pressure without an economy chain', async () => {
    const { manager } = harness(models(), { budget: { dailyUsd: 1 } });
    manager.setActiveModel('standard');
    await manager.generate({ prompt: 'x' });
    assert.equal(manager.getRoutingState().standardUsesEconomy, false);
    assert.equal((await manager.generate({ prompt: 'y' })).model, 'standard');
  });

  it('with a hard stop only free models answer, whatever the tier', async () => {
    const { manager } = harness(
      { premium: { script: [paid] }, local: { metadata: { inputPricePerMTok: 0, outputPricePerMTok: 0 } } },
      { budget: { dailyUsd: 1, hardStop: true }, routing: { tierChains: { high: ['premium', 'local'] } } },
    );
    await manager.generate({ prompt: 'spend it', tier: 'high' });
    assert.equal((await manager.generate({ prompt: 'again', tier: 'high' })).model, 'local');
  });
});

describe('LlmManager background health probes', () => {
  const options = {
    maxRetries: 0,
    breaker: { failureThreshold: 1, recoveryTimeoutMs: 600_000 },
    healthProbe: { intervalMs: 30_000, idleAfterMs: 300_000, timeoutMs: 5000 },
  };

  it('probes every open model once per interval when the whole chain is down, and closes a recovered one early', async () => {
    const { manager, providers, clock } = harness(
      { a: { script: [{ error: 'server' }, {}] }, b: { script: [{ error: 'server' }] } },
      options,
    );
    await manager.generate({ prompt: 'x' }).catch(() => undefined);
    assert.equal(manager.getModelInfo('a')!.circuit.state, 'open');
    assert.equal(manager.getModelInfo('b')!.circuit.state, 'open');
    await clock.tickAsync(30_000);
    assert.deepEqual([providers.a.healthChecks, providers.b.healthChecks], [1, 1]);
    providers.a.healthy = true;
    await clock.tickAsync(30_000);
    assert.deepEqual([providers.a.healthChecks, providers.b.healthChecks], [2, 2]);
    assert.equal(
      manager.getModelInfo('a')!.circuit.state,
      'closed',
      "closed after 60 s instead of the breaker's 600 s",
    );
    await clock.tickAsync(120_000);
    assert.deepEqual(
      [providers.a.healthChecks, providers.b.healthChecks],
      [2, 2],
      'no probes once a model is available',
    );
    assert.equal((await manager.generate({ prompt: 'y' })).model, 'a');
  });

  it('does not probe while some model of the chain is still available', async () => {
    const { manager, providers, clock } = harness({ a: { script: [{ error: 'server' }] }, b: {} }, options);
    await manager.generate({ prompt: 'x' });
    await clock.tickAsync(120_000);
    assert.equal(providers.a.healthChecks, 0);
  });

  it('stops probing when the window has been idle', async () => {
    const { manager, providers, clock } = harness({ a: { script: [{ error: 'server' }] } }, options);
    await manager.generate({ prompt: 'x' }).catch(() => undefined);
    await clock.tickAsync(600_000);
    assert.equal(
      providers.a.healthChecks,
      9,
      'probes run every 30 s until 300 s without requests have passed',
    );
  });
});
