import * as assert from 'assert';
import type { FaultUpstream } from '../../src/demo/faultUpstream';
import type { ExtensionExports } from '../../src/extension/extension';
import { COMMANDS } from '../../src/extension/contributions';
import { activateExtension, configure, eventually, resetSettings, runCommand, upstream } from './support';

/** An OpenAI-compatible model on the fault upstream whose id no catalog knows (its price is unknown). */
function unpricedModel(url: string) {
  return {
    id: 'mystery',
    provider: 'openaiCompatible',
    model: 'mystery-model-x1',
    baseUrl: `${url}/v1`,
    auth: 'none',
  };
}

describe('the model catalog in the real host', function () {
  let api: ExtensionExports;
  let up: FaultUpstream;

  before(async () => {
    api = await activateExtension();
    up = await upstream();
  });

  after(() => resetSettings());

  it('prices a current model from the catalog and says how old the prices are', async () => {
    await configure(api, {
      models: [
        { id: 'sonnet', provider: 'anthropic', model: 'claude-sonnet-5-5', baseUrl: up.url, auth: 'none' },
      ],
    });
    const card = await eventually(
      () => api.diagnostics.dashboardState().models.find((m) => m.name === 'sonnet'),
      (found) => found?.priceNote !== undefined,
      'the catalog price on the card',
    );
    assert.match(card!.priceNote!, /^prices: catalog of \d{4}-\d{2}-\d{2}$/);
    assert.strictEqual(card!.priceUnknown, false);
    assert.match(card!.subtitle, /\$\d/);
    const info = api.listModels().find((m) => m.name === 'sonnet')!;
    assert.ok(
      info.metadata.contextWindow >= 200_000,
      `window ${info.metadata.contextWindow}, not a guessed 8 k`,
    );
  });

  it('shows "price unknown" with Set price…, and the price set there is what spend counts', async () => {
    await configure(api, { models: [unpricedModel(up.url)], activeModel: 'mystery' });
    const before = api.diagnostics.dashboardState().models.find((m) => m.name === 'mystery')!;
    assert.strictEqual(before.priceUnknown, true);
    assert.strictEqual(before.actions.setPrice, true);
    assert.match(before.subtitle, /price unknown/);
    await eventually(
      () => api.diagnostics.statusBar()?.tooltip ?? '',
      (tooltip) => /price unknown/.test(tooltip),
      'the status tooltip saying "price unknown"',
    );

    const unpriced = await api.generate({ prompt: 'how much?' });
    assert.strictEqual(unpriced.priceUnknown, true);
    assert.ok(unpriced.trace.steps.some((s) => s.type === 'answered' && s.priceUnknown));
    const spentBefore = api.getMetrics().spend.todayUsd;

    await runCommand(COMMANDS.setModelPrice, 'mystery', 3, 15);
    const after = await eventually(
      () => api.diagnostics.dashboardState().models.find((m) => m.name === 'mystery'),
      (card) => card?.priceUnknown === false,
      'the card after Set price',
    );
    assert.strictEqual(after!.actions.setPrice, false);
    assert.strictEqual(after!.priceNote, 'prices: your settings');

    const priced = await api.generate({ prompt: 'and now?' });
    const expected = (priced.usage.inputTokens * 3 + priced.usage.outputTokens * 15) / 1_000_000;
    assert.ok(Math.abs(priced.costUsd - expected) < 1e-12, `${priced.costUsd} ≠ ${expected}`);
    assert.ok(Math.abs(api.getMetrics().spend.todayUsd - spentBefore - expected) < 1e-9);
  });
});
