import * as assert from 'node:assert/strict';
import { toProviderConfig } from '../../../src/extension/modelService';
import { parseSettings, type SettingKey } from '../../../src/extension/settings';
import { createProvider, validateProviderConfig } from '../../../src/providers';

const parse = (values: Partial<Record<SettingKey, unknown>>) => parseSettings((key) => values[key]);

describe('per-model vendor-contract settings (api, reasoningEffort, store, thinking, parameters)', () => {
  it('reads them and hands them to the provider config unchanged', () => {
    const { settings, problems } = parse({
      models: [
        {
          id: 'codex',
          provider: 'openai',
          model: 'gpt-5.3-codex',
          api: 'responses',
          reasoningEffort: 'high',
          store: true,
        },
        {
          id: 'mini',
          provider: 'azure',
          baseUrl: 'https://r.openai.azure.com',
          deployment: 'mini',
          model: 'gpt-5-mini',
          reasoningEffort: 'minimal',
        },
        {
          id: 'claude',
          provider: 'anthropic',
          model: 'claude-sonnet-4-6',
          thinking: { budgetTokens: 4096 },
          parameters: { promptCaching: false },
        },
        {
          id: 'gateway',
          provider: 'openaiCompatible',
          preset: 'liteLlm',
          model: 'team-reasoner',
          parameters: { dropTemperature: true, maxTokensParam: 'max_completion_tokens' },
        },
      ],
    });
    assert.deepEqual(problems, []);
    const configs = settings.models.map(toProviderConfig);
    assert.deepEqual(
      configs.map((c) =>
        c.kind === 'anthropic'
          ? [c.kind, c.thinking, c.parameters]
          : [c.kind, c.api, c.reasoningEffort, c.store, c.parameters],
      ),
      [
        ['openai', 'responses', 'high', true, undefined],
        ['azure', undefined, 'minimal', undefined, undefined],
        ['anthropic', { budgetTokens: 4096 }, { promptCaching: false }],
        [
          'openaiCompatible',
          undefined,
          undefined,
          undefined,
          { dropTemperature: true, maxTokensParam: 'max_completion_tokens' },
        ],
      ],
    );
    for (const config of configs) {
      assert.deepEqual(validateProviderConfig(config), []);
      createProvider(config, { secrets: { getKey: async () => undefined } });
    }
  });

  it('reports bad values naming the setting, leaves them out, and keeps the model', () => {
    const { settings, problems } = parse({
      models: [
        {
          id: 'mini',
          provider: 'openai',
          model: 'gpt-5-mini',
          api: 'soap',
          reasoningEffort: 'xhigh',
          store: 'yes',
        },
        {
          id: 'claude',
          provider: 'anthropic',
          model: 'claude-sonnet-4-5',
          thinking: { budgetTokens: 100 },
          reasoningEffort: 'low',
          parameters: { dropTemperature: 'no', colour: 'red', promptCaching: false },
        },
        { id: 'old', provider: 'anthropic', model: 'claude-3-5-haiku-20241022', thinking: 'adaptive' },
      ],
    });
    assert.deepEqual(
      problems.map((p) => `${p.setting}: ${p.message}`),
      [
        'llmManager.models[0] (mini): "api" must be "chat" or "responses" (got "soap"); it is ignored.',
        'llmManager.models[0] (mini): "reasoningEffort" "xhigh" is not sent: gpt-5-mini takes minimal, low, medium, high.',
        'llmManager.models[0] (mini): "store" must be true or false (got "yes"); using false.',
        'llmManager.models[1] (claude): "reasoningEffort" applies to OpenAI, Azure and OpenAI-compatible models only; it is ignored.',
        'llmManager.models[1] (claude): "thinking" must be "adaptive" or { "budgetTokens": n } with n a whole number ≥ 1024 (got {"budgetTokens":100}); it is ignored.',
        'llmManager.models[1] (claude): "parameters.dropTemperature" must be true or false; it is ignored.',
        'llmManager.models[1] (claude): "parameters.colour" is unknown (known: dropTemperature, promptCaching); it is ignored.',
        'llmManager.models[2] (old): "thinking" is not sent: claude-3-5-haiku-20241022 has no extended thinking.',
      ],
    );
    assert.deepEqual(
      settings.models.map((m) => m.id),
      ['mini', 'claude', 'old'],
    );
    const [mini, claude] = settings.models;
    assert.equal(mini.api, undefined);
    assert.equal(mini.reasoningEffort, 'xhigh', 'kept, so each request trace says it was left out');
    assert.equal(claude.thinking, undefined);
    assert.deepEqual(claude.parameters, { promptCaching: false });
  });
});
