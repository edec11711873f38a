import * as assert from 'node:assert/strict';
import { backoffDelay, parseRetryAfter, TokenBucket } from '../../../src/core';
import { FakeClock } from '../../support/fakeClock';

describe('backoffDelay', () => {
  const options = { initialDelayMs: 1000, multiplier: 2, maxDelayMs: 5000, jitter: 0 };

  it('grows as initialDelay × multiplier^n', () => {
    assert.deepEqual(
      [0, 1, 2].map((n) => backoffDelay(options, n, () => 0)),
      [1000, 2000, 4000],
    );
  });

  it('never exceeds the cap', () => {
    assert.equal(
      backoffDelay(options, 3, () => 0),
      5000,
    );
    assert.equal(
      backoffDelay(options, 30, () => 0),
      5000,
    );
  });

  it('takes up to the jitter share off each delay', () => {
    const jittered = { ...options, jitter: 0.5 };
    assert.equal(
      backoffDelay(jittered, 1, () => 0),
      2000,
    );
    assert.equal(
      backoffDelay(jittered, 1, () => 0.999999),
      1000,
    );
    assert.equal(
      backoffDelay(jittered, 1, () => 0.5),
      1500,
    );
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 10, 23, 12, 0, 0);

  it('reads delta-seconds', () => {
    assert.equal(parseRetryAfter({ retryAfter: '30' }, now), 30_000);
    assert.equal(parseRetryAfter({ retryAfter: '1.5' }, now), 1500);
  });

  it('reads an HTTP date', () => {
    assert.equal(parseRetryAfter({ retryAfter: new Date(now + 90_000).toUTCString() }, now), 90_000);
  });

  it('prefers the millisecond header when present', () => {
    assert.equal(parseRetryAfter({ retryAfter: '30', retryAfterMs: '250' }, now), 250);
  });

  it('treats a date in the past as no wait and garbage as unknown', () => {
    assert.equal(parseRetryAfter({ retryAfter: new Date(now - 5000).toUTCString() }, now), 0);
    assert.equal(parseRetryAfter({ retryAfter: 'soon' }, now), undefined);
    assert.equal(parseRetryAfter({}, now), undefined);
  });
});

describe('TokenBucket', () => {
  it('allows rpm requests at once, then refills continuously', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(60, clock);
    for (let i = 0; i < 60; i++) assert.equal(bucket.tryTake(), true);
    assert.equal(bucket.tryTake(), false);
    assert.equal(bucket.msUntilAvailable(), 1000);
    await clock.tickAsync(1000);
    assert.equal(bucket.tryTake(), true);
    assert.equal(bucket.tryTake(), false);
  });
});
