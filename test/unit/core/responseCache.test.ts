import * as assert from 'node:assert/strict';
import { cacheIdentity, cacheKey, ResponseCache } from '../../../src/core';
import { FakeClock } from '../../support/fakeClock';

const answer = (text: string) => ({ text, model: 'm', usage: { inputTokens: 1, outputTokens: 1 } });

describe('ResponseCache', () => {
  let clock: FakeClock;
  const options = { ttlMs: 60_000, maxEntries: 3, maxBytes: 10_000, maxTemperature: 0.3 };

  beforeEach(() => {
    clock = new FakeClock();
  });

  it('expires entries after the TTL', async () => {
    const cache = new ResponseCache(options, clock);
    cache.set('a', answer('A'));
    await clock.tickAsync(59_999);
    assert.equal(cache.get('a')?.text, 'A');
    await clock.tickAsync(1);
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.size, 0);
  });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const cache = new ResponseCache(options, clock);
    cache.set('a', answer('A'));
    cache.set('b', answer('B'));
    cache.set('c', answer('C'));
    cache.get('a');
    cache.set('d', answer('D'));
    assert.equal(cache.get('b'), undefined);
    assert.deepEqual(
      ['a', 'c', 'd'].map((k) => cache.get(k)?.text),
      ['A', 'C', 'D'],
    );
  });

  it('evicts by bytes and refuses an answer larger than the whole budget', () => {
    const cache = new ResponseCache({ ...options, maxEntries: 100, maxBytes: 1000 }, clock);
    cache.set('a', answer('x'.repeat(300)));
    cache.set('b', answer('y'.repeat(300)));
    assert.equal(cache.size, 1);
    assert.equal(cache.get('b')?.text.length, 300);
    cache.set('huge', answer('z'.repeat(5000)));
    assert.equal(cache.get('huge'), undefined);
    assert.ok(cache.bytes <= 1000);
  });

  it('caches only at or below the maximum temperature, never an unset one', () => {
    const cache = new ResponseCache(options, clock);
    assert.equal(cache.isCacheableTemperature(0), true);
    assert.equal(cache.isCacheableTemperature(0.3), true);
    assert.equal(cache.isCacheableTemperature(0.31), false);
    assert.equal(cache.isCacheableTemperature(undefined), false);
  });

  it('round-trips through JSON with its version, keeping LRU order and dropping expired entries', async () => {
    const cache = new ResponseCache(options, clock);
    cache.set('old', answer('O'));
    await clock.tickAsync(50_000);
    cache.set('a', answer('A'));
    cache.set('b', answer('B'));
    const saved = JSON.parse(JSON.stringify(cache.toJSON()));
    assert.equal(saved.version, 1);
    await clock.tickAsync(20_000);
    const restored = new ResponseCache(options, clock);
    assert.equal(restored.restore(saved), true);
    assert.equal(restored.size, 2);
    assert.equal(restored.get('old'), undefined);
  });

  it('refuses persisted data of another version or shape', () => {
    const cache = new ResponseCache(options, clock);
    assert.equal(cache.restore({ version: 2, entries: [] }), false);
    assert.equal(cache.restore({ version: 1, entries: [['k', 'not a time', 'm', 't', 1, 1]] }), false);
    assert.equal(cache.restore('garbage'), false);
  });

  it('keeps prompt text out of what it saves, and still finds a restored answer by the request', () => {
    const cache = new ResponseCache(options, clock);
    const key = cacheIdentity(['chain', 'secret prompt text']);
    cache.set(key, answer('A'));
    const saved = JSON.parse(JSON.stringify(cache.toJSON()));
    assert.ok(!JSON.stringify(saved).includes('secret'));
    assert.equal(saved.entries[0][0], cacheKey(['chain', 'secret prompt text']));
    const restored = new ResponseCache(options, clock);
    assert.equal(restored.restore(saved), true);
    assert.equal(restored.get(key)?.text, 'A');
    assert.equal(restored.get(cacheIdentity(['chain', 'another prompt'])), undefined);
    assert.equal(JSON.stringify(restored.toJSON()), JSON.stringify(saved));
  });

  it('derives keys by hashing, so prompts never appear in them', () => {
    const key = cacheKey(['chain', 'secret prompt text']);
    assert.equal(key, cacheKey(['chain', 'secret prompt text']));
    assert.notEqual(key, cacheKey(['chain', 'another prompt']));
    assert.ok(!key.includes('secret'));
  });
});
