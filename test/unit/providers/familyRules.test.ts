import * as assert from 'node:assert/strict';
/* eslint-disable @typescript-eslint/no-require-imports */
import * as path from 'node:path';
import { capabilitiesOf, isPastEndOfLife } from '../../../src/providers';

const day = (iso: string) => Date.parse(`${iso}T12:00:00Z`);

describe('capability rules by model family', () => {
  it('gpt-5.x are reasoning models: no temperature, max_completion_tokens, their own effort values', () => {
    for (const id of ['gpt-5', 'gpt-5-mini', 'gpt-5-nano-2025-08-07']) {
      const caps = capabilitiesOf(id);
      assert.equal(caps.reasoning, true, id);
      assert.deepEqual(caps.reasoningEfforts, ['minimal', 'low', 'medium', 'high'], id);
      assert.equal(caps.responsesOnly, false, id);
    }
    assert.deepEqual(capabilitiesOf('gpt-5.1').reasoningEfforts, ['none', 'low', 'medium', 'high']);
    for (const id of [
      'gpt-5.2',
      'gpt-5.5',
      'gpt-5.6-terra',
      'gpt-5-5-2026-04-23',
      'openai/gpt-5.4-mini',
      'gpt-6-sol',
    ]) {
      const caps = capabilitiesOf(id);
      assert.equal(caps.family, 'gpt-5.2+', id);
      assert.equal(caps.reasoning, true, id);
      assert.ok(caps.reasoningEfforts.includes('xhigh'), id);
      assert.equal(caps.maxOutputTokens, 128_000, id);
    }
  });

  it('gpt-5 chat aliases are not reasoning models', () => {
    for (const id of ['gpt-5-chat-latest', 'gpt-5.1-chat-latest', 'gpt-5.5-chat', 'gpt-chat-latest']) {
      const caps = capabilitiesOf(id);
      assert.equal(caps.reasoning, false, id);
      assert.deepEqual(caps.reasoningEfforts, [], id);
    }
  });

  it('the o-series reason with low/medium/high; o1-mini and o1-preview take no effort and no tools', () => {
    for (const id of ['o1', 'o3', 'o3-mini', 'o4-mini', 'o4-mini-2025-04-16']) {
      assert.equal(capabilitiesOf(id).reasoning, true, id);
      assert.deepEqual(capabilitiesOf(id).reasoningEfforts, ['low', 'medium', 'high'], id);
    }
    for (const id of ['o1-mini', 'o1-preview-2024-09-12']) {
      assert.equal(capabilitiesOf(id).reasoning, true, id);
      assert.deepEqual(capabilitiesOf(id).reasoningEfforts, [], id);
      assert.equal(capabilitiesOf(id).supportsTools, false, id);
    }
  });

  it('codex and pro models are served only by the Responses API', () => {
    for (const id of [
      'gpt-5-codex',
      'gpt-5.1-codex-max',
      'gpt-5.3-codex',
      'codex-mini-latest',
      'gpt-5-pro',
      'gpt-5.5-pro',
      'o3-pro',
      'o1-pro',
      'o3-deep-research',
    ]) {
      assert.equal(capabilitiesOf(id).responsesOnly, true, id);
      assert.equal(capabilitiesOf(id).reasoning, true, id);
    }
    assert.deepEqual(capabilitiesOf('gpt-5-pro').reasoningEfforts, ['high']);
    for (const id of ['gpt-5.5', 'o3', 'gpt-4.1', 'gpt-5-chat-latest'])
      assert.equal(capabilitiesOf(id).responsesOnly, false, id);
  });

  it('older OpenAI chat models take temperature and have their documented output limits', () => {
    assert.equal(capabilitiesOf('gpt-4.1-mini').reasoning, false);
    assert.equal(capabilitiesOf('gpt-4.1-mini').maxOutputTokens, 32_768);
    assert.equal(capabilitiesOf('gpt-4o-2024-08-06').maxOutputTokens, 16_384);
    assert.equal(capabilitiesOf('chatgpt-4o-latest').supportsTools, false);
    assert.equal(capabilitiesOf('gpt-3.5-turbo-instruct').supportsTools, false);
  });

  it('Claude thinking: budget up to 4.5, budget or adaptive on 4.6, adaptive only from Opus 4.7 and Claude 5', () => {
    for (const id of [
      'claude-sonnet-4-5',
      'claude-haiku-4-5-20251001',
      'claude-opus-4-5',
      'claude-opus-4-1',
      'claude-3-7-sonnet-latest',
    ]) {
      assert.equal(capabilitiesOf(id).thinking, 'budget', id);
    }
    for (const id of ['claude-opus-4-6', 'claude-sonnet-4-6', 'anthropic/claude-sonnet-4.6'])
      assert.equal(capabilitiesOf(id).thinking, 'budgetOrAdaptive', id);
    for (const id of [
      'claude-opus-4-7',
      'claude-opus-4-8',
      'claude-sonnet-5-5',
      'claude-sonnet-5-5-20261015',
      'claude-haiku-5-5',
      'claude-opus-5-5',
    ]) {
      assert.equal(capabilitiesOf(id).thinking, 'adaptive', id);
      assert.equal(capabilitiesOf(id).supportsTemperature, false, id);
    }
    for (const id of ['claude-3-5-haiku-20241022', 'claude-3-haiku-20240307'])
      assert.equal(capabilitiesOf(id).thinking, 'none', id);
    assert.equal(capabilitiesOf('claude-sonnet-4-6').supportsTemperature, true);
    assert.equal(capabilitiesOf('claude-opus-4-8').maxOutputTokens, 128_000);
    assert.equal(capabilitiesOf('claude-sonnet-5-5').maxOutputTokens, 128_000);
    assert.equal(capabilitiesOf('claude-haiku-5-5').maxOutputTokens, 64_000);
    assert.equal(capabilitiesOf('claude-opus-4-1').maxOutputTokens, 32_000);
  });

  it('Claude caches prompts from its family minimum: 2 048 for Haiku, 1 024 for Sonnet 4.5 and 5', () => {
    assert.equal(capabilitiesOf('claude-haiku-5-5').minCacheableTokens, 2_048);
    assert.equal(capabilitiesOf('claude-haiku-4-5').minCacheableTokens, 4_096);
    assert.equal(capabilitiesOf('claude-sonnet-5-5').minCacheableTokens, 1_024);
    assert.equal(capabilitiesOf('claude-sonnet-4-5').minCacheableTokens, 1_024);
    assert.equal(capabilitiesOf('my-proxy-model').minCacheableTokens, 1_024);
  });

  it('OpenAI reasoning models take no temperature; chat models and unknown families do', () => {
    for (const id of ['gpt-5-mini', 'o3', 'o4-mini', 'gpt-5.5', 'gpt-5-codex'])
      assert.equal(capabilitiesOf(id).supportsTemperature, false, id);
    for (const id of ['gpt-4.1', 'gpt-5-chat-latest', 'gpt-4o-mini', 'llama3.2'])
      assert.equal(capabilitiesOf(id).supportsTemperature, true, id);
  });

  it('temperature with top_p is refused by Sonnet/Haiku 4.5+ and Opus 4.1+, not by older Claude', () => {
    for (const id of [
      'claude-sonnet-4-5',
      'claude-haiku-4-5',
      'claude-opus-4-1',
      'claude-opus-4-5',
      'claude-opus-4-8',
      'claude-sonnet-5-5',
      'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    ]) {
      assert.equal(capabilitiesOf(id).refusesTemperatureWithTopP, true, id);
    }
    for (const id of [
      'claude-sonnet-4-20250514',
      'claude-opus-4-0',
      'claude-3-7-sonnet-20250219',
      'gpt-5.5',
    ]) {
      assert.equal(capabilitiesOf(id).refusesTemperatureWithTopP, false, id);
    }
  });

  it('knows end-of-life dates: claude-sonnet-4-5 is refused from 2026-11-30', () => {
    assert.equal(capabilitiesOf('claude-sonnet-4-5-20250929').endOfLife, '2026-11-30');
    assert.equal(isPastEndOfLife('claude-sonnet-4-5', day('2026-11-29')), false);
    assert.equal(isPastEndOfLife('claude-sonnet-4-5', day('2026-11-30')), true);
    assert.equal(isPastEndOfLife('claude-3-5-sonnet-20241022', day('2026-01-01')), true);
    assert.equal(isPastEndOfLife('claude-sonnet-5-5', day('2026-12-01')), false);
  });

  it("includes every deprecation the pinned Anthropic SDK warns about, with the SDK's date", () => {
    const sdkRoot = path.dirname(require.resolve('@anthropic-ai/sdk'));
    const file = path.join(sdkRoot, 'internal/data/deprecated-models.js');
    // The map is internal to the SDK (not exported), so the test reads it as the SDK ships it.
    const { DEPRECATED_MODELS } = require(file) as { DEPRECATED_MODELS: Record<string, string> };
    assert.ok(Object.keys(DEPRECATED_MODELS).length > 0);
    for (const [model, when] of Object.entries(DEPRECATED_MODELS)) {
      const date = new Date(`${when.replace(/(\d+)(st|nd|rd|th)/, '$1')} UTC`).toISOString().slice(0, 10);
      assert.equal(capabilitiesOf(model).endOfLife, date, `${model}: the SDK says ${when}`);
    }
  });

  it('unknown families get permissive defaults and known: false', () => {
    const caps = capabilitiesOf('my-finetune-v3');
    assert.equal(caps.known, false);
    assert.equal(caps.reasoning, false);
    assert.equal(caps.responsesOnly, false);
    assert.equal(caps.supportsTools, true);
    assert.equal(caps.thinking, 'none');
    assert.equal(caps.endOfLife, undefined);
    assert.ok(caps.maxOutputTokens >= 8_192);
  });

  it('names a source for every known rule', () => {
    for (const id of [
      'gpt-5.5',
      'o3',
      'gpt-5-codex',
      'claude-opus-4-8',
      'claude-sonnet-4-5',
      'gemini-3.5-flash',
      'deepseek-reasoner',
    ]) {
      assert.match(capabilitiesOf(id).source, /\w+\.\w+/, id);
    }
  });
});
