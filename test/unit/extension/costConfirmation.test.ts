import * as assert from 'node:assert/strict';
import { DEFAULT_SETTINGS, LlmManager, mergeSettings } from '../../../src/core';
import { parseSettings, SETTING_DEFAULTS } from '../../../src/extension/settings';
import { fencedBlock, renderTemplate } from '../../../src/extension/templates';
import { defaultModelMetadata, type ProviderConfig } from '../../../src/providers';

/** Today's flagship models, as a user would configure them. */
const FLAGSHIPS: ReadonlyArray<ProviderConfig> = [
  { kind: 'openai', model: 'gpt-5.5' },
  { kind: 'openai', model: 'gpt-5.6' },
  { kind: 'anthropic', model: 'claude-sonnet-5-5' },
  { kind: 'anthropic', model: 'claude-opus-4-8' },
];

/** A 200-line TypeScript file, about 40 characters a line. */
const FILE = Array.from({ length: 200 }, (_, i) => `const value${i} = compute(${i}, 'item-${i}');`).join(
  '\n',
);

function explainRequest(code: string) {
  const { settings } = parseSettings(() => undefined);
  const parts = renderTemplate(settings.templates.explain, {
    selection: code,
    selectionBlock: fencedBlock(code, 'typescript'),
    language: 'typescript',
    fileName: 'src/values.ts',
    question: '',
  });
  return { ...parts, temperature: settings.commandTemperature, tier: settings.taskTiers.explain };
}

describe('the cost confirmation with default settings', () => {
  const { settings } = parseSettings(() => undefined);
  const manager = new LlmManager({
    ...settings.manager,
    clock: { now: () => 0, setTimeout: () => ({ dispose() {} }) },
  });
  for (const config of FLAGSHIPS) {
    const metadata = defaultModelMetadata(config);
    assert.ok(!metadata.priceUnknown, `${config.model} is priced by the catalog`);
    manager.registerModel(
      config.model,
      { generate: async () => assert.fail(), stream: async function* () {} },
      metadata,
    );
  }

  it('does not ask for Explain Selection of a 200-line file on any flagship model', () => {
    const threshold = SETTING_DEFAULTS.confirmCostAboveUsd;
    for (const config of FLAGSHIPS) {
      const estimate = manager.estimateCost({ ...explainRequest(FILE), chain: [config.model] });
      const [model] = estimate.perModel;
      assert.equal(model.outputCap, 8192, `${config.model}: the standard tier's cap`);
      assert.ok(
        model.maxUsd <= threshold,
        `${config.model}: worst case $${model.maxUsd.toFixed(4)} > $${threshold}`,
      );
      assert.ok(model.maxUsd > 0.01, `${config.model}: a real, priced estimate`);
    }
  });

  it('still asks for a request that really can cost more than the threshold', () => {
    const huge = Array.from({ length: 40 }, () => FILE).join('\n');
    const estimate = manager.estimateCost({ ...explainRequest(huge), chain: ['claude-opus-4-8'] });
    assert.ok(estimate.maxUsd > SETTING_DEFAULTS.confirmCostAboveUsd, `$${estimate.maxUsd}`);
  });

  it('uses the manager defaults the settings describe', () => {
    assert.deepEqual(
      mergeSettings(DEFAULT_SETTINGS, settings.manager).output.tierTokens,
      SETTING_DEFAULTS['tasks.maxOutputTokens'],
    );
  });
});
