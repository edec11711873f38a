import * as assert from 'node:assert/strict';
import type { ChatMessage, ProviderRequest } from '../../../src/core';
import {
  planAnthropicRequest,
  planOpenAiRequest,
  reasoningEffortProblem,
  thinkingProblem,
  validateProviderConfig,
} from '../../../src/providers';

const ask = (extra: Partial<ProviderRequest> = {}): ProviderRequest => ({
  model: 'fast',
  messages: [{ role: 'user', content: 'Explain this.' }],
  maxTokens: 8192,
  ...extra,
});

const chat = (model: string, extra: Partial<Parameters<typeof planOpenAiRequest>[0]> = {}) => ({
  model,
  api: 'chat' as const,
  defaultMaxTokensParam: 'max_tokens' as const,
  ...extra,
});

describe('parameter rules: OpenAI families', () => {
  it('drops the temperature for reasoning models and says so once, in the words the trace shows', () => {
    for (const model of ['gpt-5-mini', 'o3', 'o4-mini', 'gpt-5.5', 'openai/gpt-5-nano']) {
      const plan = planOpenAiRequest(chat(model), ask({ temperature: 0.2 }));
      assert.equal(plan.temperature, undefined, model);
      assert.deepEqual(plan.adjustments, [`temperature 0.2 dropped: ${model} accepts only the default`]);
      assert.equal(plan.maxTokensParam, 'max_completion_tokens', model);
    }
    const gpt41 = planOpenAiRequest(chat('gpt-4.1-mini'), ask({ temperature: 0.2 }));
    assert.equal(gpt41.temperature, 0.2);
    assert.equal(gpt41.maxTokensParam, 'max_tokens');
    assert.deepEqual(gpt41.adjustments, []);
  });

  it('a per-model override covers names the catalog does not know, either way', () => {
    const unknown = 'my-azure-deployment';
    assert.equal(planOpenAiRequest(chat(unknown), ask({ temperature: 0.2 })).temperature, 0.2);
    const dropped = planOpenAiRequest(
      chat(unknown, { parameters: { dropTemperature: true, maxTokensParam: 'max_completion_tokens' } }),
      ask({ temperature: 0.2 }),
    );
    assert.equal(dropped.temperature, undefined);
    assert.equal(dropped.maxTokensParam, 'max_completion_tokens');
    assert.deepEqual(dropped.adjustments, [
      'temperature 0.2 dropped: the model\'s settings say "dropTemperature"',
    ]);
    const forced = planOpenAiRequest(
      chat('gpt-5-mini', { parameters: { dropTemperature: false } }),
      ask({ temperature: 0.2 }),
    );
    assert.equal(forced.temperature, 0.2);
  });

  it('sends a reasoning effort only where the family takes it', () => {
    assert.equal(
      planOpenAiRequest(chat('gpt-5-mini', { reasoningEffort: 'minimal' }), ask()).reasoningEffort,
      'minimal',
    );
    const refused = planOpenAiRequest(chat('gpt-5-mini', { reasoningEffort: 'xhigh' }), ask());
    assert.equal(refused.reasoningEffort, undefined);
    assert.deepEqual(refused.adjustments, [
      'reasoningEffort "xhigh" not sent: gpt-5-mini takes minimal, low, medium, high',
    ]);
    assert.equal(reasoningEffortProblem('gpt-4.1', 'low'), 'gpt-4.1 takes no reasoning effort');
    assert.equal(reasoningEffortProblem('gpt-5.5', 'xhigh'), undefined);
    assert.equal(
      reasoningEffortProblem('some-local-model', 'high'),
      undefined,
      'unknown families decide themselves',
    );
  });

  it('raises a Responses cap below the API minimum of 16', () => {
    const plan = planOpenAiRequest({ ...chat('gpt-5-mini'), api: 'responses' }, ask({ maxTokens: 1 }));
    assert.equal(plan.maxTokens, 16);
    assert.deepEqual(plan.adjustments, ["output cap 1 raised to 16: the Responses API's minimum"]);
  });
});

describe('parameter rules: Anthropic families', () => {
  const claude = (model: string, extra: Partial<Parameters<typeof planAnthropicRequest>[0]> = {}) => ({
    model,
    defaultMaxTokens: 4096,
    ...extra,
  });

  it('never sends a cap above the model limit', () => {
    const plan = planAnthropicRequest(claude('claude-haiku-5-5'), ask({ maxTokens: 100_000 }));
    assert.equal(plan.maxTokens, 64_000);
    assert.deepEqual(plan.adjustments, ["output cap 100,000 lowered to 64,000: claude-haiku-5-5's limit"]);
    assert.equal(
      planAnthropicRequest(claude('claude-haiku-5-5'), ask({ maxTokens: undefined })).maxTokens,
      4096,
    );
  });

  it('sends a temperature only to families that take one, never with thinking', () => {
    assert.equal(
      planAnthropicRequest(claude('claude-sonnet-4-6'), ask({ temperature: 0.2 })).temperature,
      0.2,
    );
    const removed = planAnthropicRequest(claude('claude-sonnet-5-5'), ask({ temperature: 0.2 }));
    assert.equal(removed.temperature, undefined);
    assert.deepEqual(removed.adjustments, [
      'temperature 0.2 dropped: claude-sonnet-5-5 accepts no sampling parameters',
    ]);
    const thinking = planAnthropicRequest(
      claude('claude-sonnet-4-6', { thinking: { budgetTokens: 2048 } }),
      ask({ temperature: 0.2 }),
    );
    assert.deepEqual(thinking.thinking, { type: 'enabled', budget_tokens: 2048 });
    assert.equal(thinking.temperature, undefined);
    assert.deepEqual(thinking.adjustments, [
      'temperature 0.2 dropped: extended thinking takes only the default',
    ]);
    assert.equal(planAnthropicRequest(claude('ok'), ask({ temperature: 1.6 })).temperature, 1);
  });

  it('fits a thinking budget below the cap, and turns thinking off when nothing fits', () => {
    const lowered = planAnthropicRequest(
      claude('claude-sonnet-4-6', { thinking: { budgetTokens: 10_000 } }),
      ask(),
    );
    assert.deepEqual(lowered.thinking, { type: 'enabled', budget_tokens: 7168 });
    assert.deepEqual(lowered.adjustments, [
      'thinking budget 10,000 lowered to 7,168: it must stay below the output cap 8,192',
    ]);
    const off = planAnthropicRequest(
      claude('claude-sonnet-4-6', { thinking: { budgetTokens: 2048 } }),
      ask({ maxTokens: 1500 }),
    );
    assert.equal(off.thinking, undefined);
    assert.match(off.adjustments[0], /^thinking off for this request: the output cap 1,500 leaves no room/);
  });

  it('sends a budget as adaptive thinking to the families that take only adaptive', () => {
    const plan = planAnthropicRequest(
      claude('claude-sonnet-5-5', { thinking: { budgetTokens: 2048 } }),
      ask(),
    );
    assert.deepEqual(plan.thinking, { type: 'adaptive' });
    assert.deepEqual(plan.adjustments, [
      'thinking budget 2,048 sent as adaptive thinking: claude-sonnet-5-5 takes adaptive thinking only',
    ]);
    assert.deepEqual(
      planAnthropicRequest(claude('claude-opus-4-6', { thinking: 'adaptive' }), ask()).thinking,
      {
        type: 'adaptive',
      },
    );
    assert.equal(
      thinkingProblem('claude-sonnet-4-5', 'adaptive'),
      'claude-sonnet-4-5 takes a thinking budget only ({ "budgetTokens": n })',
    );
    assert.equal(
      planAnthropicRequest(claude('claude-sonnet-4-5', { thinking: 'adaptive' }), ask()).thinking,
      undefined,
    );
  });

  it('turns thinking off for a forced tool, and for tool results from a turn without Claude thinking', () => {
    const forced = planAnthropicRequest(
      claude('claude-sonnet-4-6', { thinking: { budgetTokens: 2048 } }),
      ask({ tools: [{ name: 't', parameters: { type: 'object' } }], toolChoice: 'required' }),
    );
    assert.equal(forced.thinking, undefined);
    const fromOpenAi: ChatMessage[] = [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 't', arguments: {} }] },
      { role: 'tool', toolCallId: 'call_1', content: 'sunny' },
    ];
    const plan = planAnthropicRequest(
      claude('claude-sonnet-4-6', { thinking: { budgetTokens: 2048 } }),
      ask({ messages: fromOpenAi }),
    );
    assert.equal(plan.thinking, undefined);
    assert.match(plan.adjustments[0], /tool calls it answers came from a turn without Claude thinking/);
    const withThinking: ChatMessage[] = [
      fromOpenAi[0],
      { ...fromOpenAi[1], thinking: [{ format: 'anthropic', text: 'hm', data: 'sig' }] },
      fromOpenAi[2],
    ];
    assert.deepEqual(
      planAnthropicRequest(
        claude('claude-sonnet-4-6', { thinking: { budgetTokens: 2048 } }),
        ask({ messages: withThinking }),
      ).thinking,
      { type: 'enabled', budget_tokens: 2048 },
    );
  });
});

describe('provider config: the new per-model settings are validated with messages naming them', () => {
  it('reports bad api, reasoningEffort, store, thinking and parameters', () => {
    assert.deepEqual(
      validateProviderConfig({
        kind: 'openai',
        model: 'gpt-5-mini',
        api: 'soap' as never,
        reasoningEffort: 'huge' as never,
        store: 'yes' as never,
        parameters: { dropTemperature: 'maybe', surprise: 1 } as never,
      }),
      [
        'parameters.dropTemperature must be true or false.',
        'parameters.surprise is unknown (known: dropTemperature, maxTokensParam).',
        'api must be "chat" or "responses" (got "soap").',
        'reasoningEffort must be one of none, minimal, low, medium, high, xhigh, max (got "huge").',
        'store must be true or false.',
      ],
    );
    assert.deepEqual(
      validateProviderConfig({
        kind: 'anthropic',
        model: 'claude-sonnet-4-6',
        thinking: { budgetTokens: 500 },
      }),
      [
        'thinking must be "adaptive" or { "budgetTokens": n } with n a whole number ≥ 1024 (got {"budgetTokens":500}).',
      ],
    );
    assert.deepEqual(
      validateProviderConfig({ kind: 'anthropic', model: 'claude-sonnet-4-6', thinking: 'adaptive' }),
      [],
    );
  });
});
