import * as assert from 'node:assert/strict';
import { CircuitBreaker, parsePersistedCircuit, type CircuitStateName } from '../../../src/core';
import { FakeClock } from '../../support/fakeClock';

describe('CircuitBreaker', () => {
  let clock: FakeClock;
  let changes: Array<[CircuitStateName, CircuitStateName]>;
  let breaker: CircuitBreaker;

  beforeEach(() => {
    clock = new FakeClock();
    changes = [];
    breaker = new CircuitBreaker({ failureThreshold: 3, recoveryTimeoutMs: 10_000 }, clock, (from, to) =>
      changes.push([from, to]),
    );
  });

  function fail(times: number): void {
    for (let i = 0; i < times; i++) {
      const permit = breaker.tryAcquire();
      assert.ok(permit.allowed);
      breaker.recordFailure(permit.probe);
    }
  }

  it('opens after the threshold of consecutive failures', () => {
    fail(2);
    assert.equal(breaker.state, 'closed');
    fail(1);
    assert.equal(breaker.state, 'open');
    assert.deepEqual(changes, [['closed', 'open']]);
  });

  it('counts only consecutive failures: a success resets the count', () => {
    fail(2);
    breaker.recordSuccess(false);
    fail(2);
    assert.equal(breaker.state, 'closed');
  });

  it('fails fast while open and says when the next probe is due', () => {
    fail(3);
    const permit = breaker.tryAcquire();
    assert.equal(permit.allowed, false);
    assert.equal(permit.allowed === false && permit.reason, 'circuitOpen');
    assert.equal(permit.allowed === false && permit.retryAt, clock.now() + 10_000);
  });

  it('turns half-open after the recovery timeout and admits exactly one probe at a time', async () => {
    fail(3);
    await clock.tickAsync(10_000);
    assert.equal(breaker.state, 'halfOpen');
    const probe = breaker.tryAcquire();
    assert.deepEqual(probe, { allowed: true, probe: true });
    const second = breaker.tryAcquire();
    assert.equal(second.allowed, false);
    assert.equal(second.allowed === false && second.reason, 'halfOpenProbeBusy');
  });

  it('closes when the probe succeeds', async () => {
    fail(3);
    await clock.tickAsync(10_000);
    breaker.recordSuccess(breaker.tryAcquire().allowed);
    assert.equal(breaker.state, 'closed');
    assert.deepEqual(changes.at(-1), ['halfOpen', 'closed']);
  });

  it('reopens with a fresh timeout when the probe fails', async () => {
    fail(3);
    await clock.tickAsync(10_000);
    assert.equal(breaker.tryAcquire().allowed, true);
    assert.equal(breaker.recordFailure(true), true);
    assert.equal(breaker.state, 'open');
    await clock.tickAsync(9_999);
    assert.equal(breaker.state, 'open');
    await clock.tickAsync(1);
    assert.equal(breaker.state, 'halfOpen');
  });

  it('frees the probe slot when the probe ends without a verdict', async () => {
    fail(3);
    await clock.tickAsync(10_000);
    assert.equal(breaker.tryAcquire().allowed, true);
    breaker.releaseProbe();
    assert.deepEqual(breaker.tryAcquire(), { allowed: true, probe: true });
  });

  it('resets by hand, and isolates until reset', () => {
    fail(3);
    breaker.reset();
    assert.equal(breaker.state, 'closed');
    breaker.isolate();
    const permit = breaker.tryAcquire();
    assert.equal(permit.allowed === false && permit.reason, 'isolated');
    breaker.reset();
    assert.equal(breaker.tryAcquire().allowed, true);
  });

  it('ignores a late success from a call admitted before the circuit opened', () => {
    fail(3);
    breaker.recordSuccess(false);
    assert.equal(breaker.state, 'open');
  });

  it('persists open state and restores it with the remaining timeout', async () => {
    fail(3);
    await clock.tickAsync(4_000);
    const saved = JSON.parse(JSON.stringify(breaker.toJSON()));
    const restored = new CircuitBreaker(
      { failureThreshold: 3, recoveryTimeoutMs: 10_000 },
      clock,
      () => undefined,
      parsePersistedCircuit(saved),
    );
    assert.equal(restored.state, 'open');
    await clock.tickAsync(6_000);
    assert.equal(restored.state, 'halfOpen');
  });

  it('persists a half-open circuit as open with its probe due at once', async () => {
    fail(3);
    await clock.tickAsync(10_000);
    assert.equal(breaker.state, 'halfOpen');
    const restored = new CircuitBreaker(
      { failureThreshold: 3, recoveryTimeoutMs: 10_000 },
      clock,
      () => undefined,
      breaker.toJSON(),
    );
    assert.deepEqual(restored.tryAcquire(), { allowed: true, probe: true });
  });

  it('rejects malformed persisted state', () => {
    assert.equal(parsePersistedCircuit({ state: 'open' }), undefined);
    assert.equal(parsePersistedCircuit({ state: 'closed', consecutiveFailures: -1 }), undefined);
    assert.equal(parsePersistedCircuit('open'), undefined);
    assert.equal(parsePersistedCircuit(null), undefined);
    assert.deepEqual(parsePersistedCircuit({ state: 'isolated' }), { state: 'isolated' });
  });
});
