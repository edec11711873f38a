import * as assert from 'node:assert/strict';
import { claudeFamily, isRetired } from '../../../src/demo/claudeFamilies';
import { openAiFamily } from '../../../src/demo/openAiFamilies';
import { PromptCache, type PromptBlock } from '../../../src/demo/promptCache';
import { parseFaultBehaviour } from '../../support/faultServer';

describe('fault upstream: what it knows as OpenAI', () => {
  it('tells reasoning models, chat snapshots, responses-only models and unknown ids apart', () => {
    const summary = (model: string) => {
      const family = openAiFamily(model);
      return [family.known, family.reasoning, family.responsesOnly];
    };
    assert.deepEqual(summary('gpt-5-mini-2025-08-07'), [true, true, false]);
    assert.deepEqual(summary('gpt-5.6-sol'), [true, true, false]);
    assert.deepEqual(summary('o4-mini'), [true, true, false]);
    assert.deepEqual(summary('gpt-5-chat-latest'), [true, false, false]);
    assert.deepEqual(summary('gpt-4o'), [true, false, false]);
    assert.deepEqual(summary('gpt-5.5-pro'), [true, true, true]);
    assert.deepEqual(summary('o3-pro-2025-06-10'), [true, true, true]);
    assert.deepEqual(summary('o4-mini-deep-research'), [true, true, true]);
    assert.deepEqual(summary('gpt-5.1-codex-max'), [true, true, true]);
    assert.deepEqual(
      summary('openai/gpt-5~chainTest'),
      [true, true, false],
      'router prefix and fault tag ignored',
    );
    assert.deepEqual(summary('ok'), [false, false, false]);
    assert.deepEqual(summary('llama3.2'), [false, false, false]);
  });

  it('knows which efforts each family takes', () => {
    assert.deepEqual(openAiFamily('gpt-5-nano').efforts, ['minimal', 'low', 'medium', 'high']);
    assert.deepEqual(openAiFamily('gpt-5.1').efforts, ['none', 'low', 'medium', 'high']);
    assert.deepEqual(openAiFamily('gpt-5.4-mini').efforts, ['none', 'low', 'medium', 'high', 'xhigh']);
    assert.deepEqual(openAiFamily('gpt-5-pro').efforts, ['high']);
    assert.deepEqual(openAiFamily('o1-mini').efforts, [], 'o1-mini predates reasoning_effort');
    assert.equal(openAiFamily('gpt-5-pro').defaultEffort, 'high');
    assert.equal(openAiFamily('gpt-5.2').samplingWithEffortNone, true);
    assert.equal(openAiFamily('gpt-5').samplingWithEffortNone, false);
  });
});

describe('fault upstream: what it knows as Anthropic', () => {
  it('reads dated ids, -latest and -0 aliases as their family, and knows nothing of others', () => {
    assert.equal(claudeFamily('claude-opus-4-1-20250805')?.id, 'claude-opus-4-1');
    assert.equal(claudeFamily('claude-sonnet-4-0')?.id, 'claude-sonnet-4');
    assert.equal(claudeFamily('claude-3-7-sonnet-latest')?.id, 'claude-3-7-sonnet');
    assert.equal(claudeFamily('claude-opus-4')?.maxOutputTokens, 32000);
    assert.equal(claudeFamily('ok'), undefined);
    assert.equal(claudeFamily('claude-unknown-9'), undefined);
  });

  it('retires a family at 9 AM Pacific on its date', () => {
    const sonnet45 = claudeFamily('claude-sonnet-4-5-20250929')!;
    assert.equal(isRetired(sonnet45, Date.parse('2026-11-30T16:59:59Z')), false);
    assert.equal(isRetired(sonnet45, Date.parse('2026-11-30T17:00:00Z')), true);
    assert.equal(isRetired(claudeFamily('claude-opus-4-8')!, Date.parse('2030-01-01T00:00:00Z')), false);
  });
});

describe('fault upstream: the prompt cache', () => {
  const blocks = (...sizes: number[]): PromptBlock[] =>
    sizes.map((tokens, i) => ({ text: `block ${i}`, tokens }));

  it('OpenAI: never caches on first sight, then the shared prefix in 128-token steps above 1024', () => {
    const cache = new PromptCache(() => 0);
    assert.equal(cache.automatic('m', blocks(1100, 300)), 0);
    assert.equal(
      cache.automatic('m', blocks(1100, 300, 50)),
      1024 + 2 * 128,
      'a prefix of 1400 tokens caches 1280',
    );
    assert.equal(cache.automatic('other', blocks(1100, 300)), 0, 'per scope');
    assert.equal(cache.automatic('m', blocks(500, 400)), 0, 'prefixes below 1024 tokens never count');
  });

  it('OpenAI: forgets a prefix five minutes after its last use', () => {
    let now = 0;
    const cache = new PromptCache(() => now);
    cache.automatic('m', blocks(2000));
    now = 4 * 60_000;
    assert.equal(cache.automatic('m', blocks(2000)), 1920);
    now += 5 * 60_000 + 1;
    assert.equal(cache.automatic('m', blocks(2000)), 0);
  });

  it('Anthropic: writes each breakpoint beyond what was read, split by TTL, and reads the longest alive', () => {
    const cache = new PromptCache(() => 0);
    const marked: PromptBlock[] = [
      { text: 'tools', tokens: 600, breakpoint: '1h' },
      { text: 'system', tokens: 900, breakpoint: '5m' },
      { text: 'question', tokens: 20 },
    ];
    assert.deepEqual(
      cache.breakpoints('m', marked, 1024),
      { read: 0, written5m: 1500, written1h: 0 },
      'the first breakpoint is below the minimum',
    );
    assert.deepEqual(cache.breakpoints('m', marked, 1024), { read: 1500, written5m: 0, written1h: 0 });
    assert.deepEqual(cache.breakpoints('m', marked, 500), { read: 1500, written5m: 0, written1h: 0 });
    const fresh = new PromptCache(() => 0);
    assert.deepEqual(fresh.breakpoints('m', marked, 500), { read: 0, written5m: 900, written1h: 600 });
    assert.deepEqual(
      fresh.breakpoints('m', blocks(10), 500),
      { read: 0, written5m: 0, written1h: 0 },
      'no breakpoint, no cache',
    );
  });
});

describe('fault upstream: naming scheme additions', () => {
  it('reads streamerror-n', () => {
    assert.deepEqual(parseFaultBehaviour('streamerror-3'), { kind: 'streamError', afterChunks: 3 });
    assert.deepEqual(parseFaultBehaviour('streamerror-x'), { kind: 'ok' });
  });
});
