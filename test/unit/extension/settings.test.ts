import * as assert from 'node:assert/strict';
import { keyIdFor, parseSettings, SETTING_DEFAULTS, type SettingKey } from '../../../src/extension/settings';

const parse = (values: Partial<Record<SettingKey, unknown>>) => parseSettings((key) => values[key]);

describe('parseSettings', () => {
  it('gives the documented defaults when nothing is set', () => {
    const { settings, problems } = parse({});
    assert.deepEqual(problems, []);
    assert.deepEqual(settings.models, []);
    assert.equal(settings.activeModel, undefined);
    assert.equal(settings.fallbackChain, undefined);
    assert.equal(settings.manager.maxRetries, 3);
    assert.deepEqual(settings.manager.breaker, { failureThreshold: 5, recoveryTimeoutMs: 60_000 });
    assert.equal(settings.manager.cache?.ttlMs, 3_600_000);
    assert.equal(settings.manager.budget?.dailyUsd, undefined);
    assert.equal(settings.logLevel, 'info');
  });

  it('reads models, the active model and a chain with a weighted group', () => {
    const { settings, problems } = parse({
      models: [
        { id: 'gpt', provider: 'openai', model: 'gpt-4o-mini' },
        { id: 'claude', provider: 'anthropic', model: 'claude-sonnet-4-5' },
        { id: 'local', provider: 'openaiCompatible', preset: 'ollama', model: 'llama3.2' },
      ],
      activeModel: 'gpt',
      fallbackChain: [['claude', 'gpt'], 'local'],
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(
      settings.models.map((m) => [m.id, m.auth]),
      [
        ['gpt', 'apiKey'],
        ['claude', 'apiKey'],
        ['local', 'none'],
      ],
    );
    assert.equal(settings.activeModel, 'gpt');
    assert.deepEqual(settings.fallbackChain, [['claude', 'gpt'], 'local']);
  });

  it('names the setting when the chain mentions an unknown model, and keeps the rest', () => {
    const { settings, problems } = parse({
      models: [{ id: 'a', provider: 'openai' }],
      fallbackChain: ['a', 'ghost'],
    });
    assert.deepEqual(settings.fallbackChain, ['a']);
    assert.equal(problems.length, 1);
    assert.equal(problems[0].setting, 'llmManager.fallbackChain');
    assert.match(problems[0].message, /unknown model "ghost"/);
  });

  it('rejects a negative budget with a clear message and uses no budget', () => {
    const { settings, problems } = parse({ 'budget.dailyUsd': -5 });
    assert.equal(settings.manager.budget?.dailyUsd, undefined);
    assert.deepEqual(
      problems.map((p) => p.setting),
      ['llmManager.budget.dailyUsd'],
    );
    assert.match(problems[0].message, /must be a number ≥ 0 \(got -5\); using 0/);
  });

  it('ignores one model with a malformed URL and keeps the others', () => {
    const { settings, problems } = parse({
      models: [
        { id: 'broken', provider: 'openaiCompatible', baseUrl: 'htp:/nowhere' },
        { id: 'fine', provider: 'anthropic' },
      ],
    });
    assert.deepEqual(
      settings.models.map((m) => m.id),
      ['fine'],
    );
    assert.equal(problems[0].setting, 'llmManager.models[0] (broken)');
    assert.match(problems[0].message, /"baseUrl" is not a valid http\(s\) URL/);
  });

  it('explains what each unusable model entry lacks', () => {
    const { problems } = parse({
      models: [
        'not an object',
        { provider: 'openai' },
        { id: 'x', provider: 'skynet' },
        { id: 'az', provider: 'azure', baseUrl: 'https://r.openai.azure.com' },
        { id: 'n', provider: 'openai', contextWindow: -1 },
        { id: 'dup', provider: 'openai' },
        { id: 'dup', provider: 'anthropic' },
        { id: 'h', provider: 'openai', headers: { a: 1 } },
        { id: 'p', provider: 'openaiCompatible', preset: 'olama' },
      ],
    });
    const messages = problems.map((p) => `${p.setting}: ${p.message}`);
    assert.match(messages[0], /models\[0\]: must be an object/);
    assert.match(messages[1], /needs an "id"/);
    assert.match(messages[2], /"provider" must be one of/);
    assert.match(messages[3], /Azure needs "deployment"/);
    assert.match(messages[4], /"contextWindow" must be a whole number above 0/);
    assert.match(messages[5], /repeats the id "dup"/);
    assert.match(messages[6], /"headers" must be an object/);
    assert.match(messages[7], /"preset" must be one of ollama, lmStudio, vllm/);
  });

  it('falls back to defaults for out-of-range numbers and wrong types', () => {
    const { settings, problems } = parse({
      'retry.maxRetries': 2.5,
      'cache.enabled': 'yes',
      logLevel: 'loud',
      activeModel: 'nobody',
    });
    assert.equal(settings.manager.maxRetries, 3);
    assert.equal(settings.manager.enableCaching, true);
    assert.equal(settings.logLevel, 'info');
    assert.equal(settings.activeModel, undefined);
    assert.deepEqual(problems.map((p) => p.setting).sort(), [
      'llmManager.activeModel',
      'llmManager.cache.enabled',
      'llmManager.logLevel',
      'llmManager.retry.maxRetries',
    ]);
  });

  it("converts seconds and minutes to the core's milliseconds", () => {
    const { settings } = parse({
      'timeouts.requestSeconds': 10,
      'cache.ttlMinutes': 2,
      'circuitBreaker.recoveryTimeoutSeconds': 15,
      'cache.maxSizeKB': 100,
    });
    assert.equal(settings.manager.requestTimeoutMs, 10_000);
    assert.equal(settings.manager.cache?.ttlMs, 120_000);
    assert.equal(settings.manager.breaker?.recoveryTimeoutMs, 15_000);
    assert.equal(settings.manager.cache?.maxBytes, 102_400);
  });

  it('derives one key per provider or endpoint', () => {
    const models = parse({
      models: [
        { id: 'a', provider: 'openai' },
        { id: 'b', provider: 'openai', baseUrl: 'https://proxy.example.com/v1' },
        { id: 'c', provider: 'azure', baseUrl: 'https://r.openai.azure.com', deployment: 'd' },
        { id: 'd', provider: 'openaiCompatible', preset: 'groq' },
        { id: 'e', provider: 'openaiCompatible', preset: 'ollama' },
        { id: 'e2', provider: 'openaiCompatible', preset: 'lmstudio' },
        { id: 'f', provider: 'anthropic', keyId: 'team-anthropic' },
        { id: 'g', provider: 'vscode-lm', vendor: 'copilot' },
      ],
    }).settings.models;
    assert.deepEqual(models.map(keyIdFor), [
      'openai',
      'openai@proxy.example.com',
      'azure@r.openai.azure.com',
      'groq',
      undefined,
      undefined,
      'team-anthropic',
      undefined,
    ]);
    assert.equal(models[5].preset, 'lmStudio', 'preset names are matched without regard to case');
  });

  it('lists a default for every setting', () => {
    assert.ok(Object.keys(SETTING_DEFAULTS).length >= 25);
  });

  it('reads templates, keeping the default when a template has an unknown placeholder', () => {
    const { settings, problems } = parse({
      'templates.explain': 'Explain {{selectionBlock}} please',
      'templates.ask': 'Ask {{questoin}}',
      'templates.custom': [
        { id: 'tests', title: 'Write tests', prompt: 'Write tests for {{selectionBlock}}', tier: 'high' },
        { id: 'broken', prompt: 'Use {{nope}}' },
        { id: 'explain', prompt: 'clash with a built-in' },
      ],
    });
    assert.equal(settings.templates.explain.prompt, 'Explain {{selectionBlock}} please');
    assert.match(settings.templates.ask.prompt, /^\{\{question\}\}/);
    assert.deepEqual(
      settings.templates.custom.map((t) => [t.id, t.title, t.mode, t.tier]),
      [['tests', 'Write tests', 'answer', 'high']],
    );
    const messages = problems.map((p) => `${p.setting}: ${p.message}`);
    assert.match(
      messages[0],
      /^llmManager\.templates\.ask: Template "ask" uses an unknown placeholder \{\{questoin\}\}/,
    );
    assert.match(
      messages[1],
      /templates\.custom\[1\] \(broken\): Template "broken" uses an unknown placeholder \{\{nope\}\}/,
    );
    assert.match(messages[2], /repeats the id "explain"/);
  });

  it('reads task tiers and tier chains, naming unknown tasks, tiers and models', () => {
    const { settings, problems } = parse({
      models: [
        { id: 'cheap', provider: 'openai' },
        { id: 'best', provider: 'anthropic' },
      ],
      'tasks.tiers': { explain: 'economy', chat: 'gold', review: 'high' },
      'routing.economyChain': ['cheap', 'ghost'],
      'routing.highChain': ['best'],
      'budget.pressureThreshold': 0.3,
    });
    assert.equal(settings.taskTiers.explain, 'economy');
    assert.equal(settings.taskTiers.chat, 'standard');
    assert.deepEqual(settings.manager.routing?.tierChains, {
      economy: ['cheap'],
      standard: undefined,
      high: ['best'],
    });
    assert.equal(settings.manager.routing?.pressureThreshold, 0.3);
    assert.deepEqual(
      problems.map((p) => p.setting),
      ['llmManager.routing.economyChain', 'llmManager.tasks.tiers', 'llmManager.tasks.tiers'],
    );
  });
});
