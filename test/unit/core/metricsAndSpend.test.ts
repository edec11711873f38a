import * as assert from 'node:assert/strict';
import { dayKey, LatencyWindow, monthKey, SpendLedger } from '../../../src/core';

describe('LatencyWindow', () => {
  it('keeps memory bounded: only the last capacity samples remain', () => {
    const window = new LatencyWindow(100);
    for (let i = 0; i < 10_000; i++) window.add(i, i);
    assert.equal(window.count, 100);
    assert.equal(window.samples()[0][1], 9_900);
    assert.equal(window.samples().at(-1)![1], 9_999);
  });

  it('computes nearest-rank percentiles', () => {
    const window = new LatencyWindow(1000);
    for (let ms = 1; ms <= 100; ms++) window.add(0, ms);
    assert.equal(window.percentile(50), 50);
    assert.equal(window.percentile(95), 95);
    assert.equal(window.percentile(99), 99);
    assert.equal(new LatencyWindow(10).percentile(50), undefined);
  });
});

describe('SpendLedger', () => {
  const at = (y: number, m: number, d: number, h = 12) => new Date(y, m - 1, d, h).getTime();

  it('totals per model per local day and month', () => {
    const ledger = new SpendLedger();
    ledger.record('a', 1, at(2026, 11, 23));
    ledger.record('b', 2, at(2026, 11, 23));
    ledger.record('a', 4, at(2026, 11, 24));
    assert.equal(ledger.spentToday(at(2026, 11, 23)), 3);
    assert.equal(ledger.spentToday(at(2026, 11, 24), 'a'), 4);
    assert.equal(ledger.spentThisMonth(at(2026, 11, 30)), 7);
    assert.equal(ledger.spentThisMonth(at(2026, 12, 1)), 0);
    assert.equal(ledger.spentLifetime('a'), 5);
  });

  it('starts a new day at local midnight', () => {
    const ledger = new SpendLedger();
    ledger.record('a', 1, new Date(2026, 10, 23, 23, 59, 59).getTime());
    assert.equal(ledger.spentToday(new Date(2026, 10, 24, 0, 0, 0).getTime()), 0);
    assert.equal(dayKey(new Date(2026, 10, 23, 23, 59).getTime()), '2026-11-23');
    assert.equal(monthKey(new Date(2026, 0, 1).getTime()), '2026-01');
  });

  it('fires each budget alert once per period', () => {
    const ledger = new SpendLedger();
    const budget = { dailyUsd: 10, alertAt: 0.8, hardStop: false };
    ledger.record('a', 7, at(2026, 11, 23));
    assert.deepEqual(ledger.takeNewAlerts(at(2026, 11, 23), budget), []);
    ledger.record('a', 1.5, at(2026, 11, 23));
    const alerts = ledger.takeNewAlerts(at(2026, 11, 23), budget);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].level, 'alert');
    ledger.record('a', 0.1, at(2026, 11, 23));
    assert.deepEqual(ledger.takeNewAlerts(at(2026, 11, 23), budget), []);
    ledger.record('a', 2, at(2026, 11, 23));
    assert.deepEqual(
      ledger.takeNewAlerts(at(2026, 11, 23), budget).map((a) => a.level),
      ['exceeded'],
    );
    ledger.record('a', 9, at(2026, 11, 24));
    assert.deepEqual(
      ledger.takeNewAlerts(at(2026, 11, 24), budget).map((a) => a.level),
      ['alert'],
    );
  });

  it('bounds its history and survives a JSON round trip', () => {
    const ledger = new SpendLedger();
    for (let day = 0; day < 100; day++) ledger.record('a', 1, new Date(2026, 0, 1 + day, 12).getTime());
    const saved = JSON.parse(JSON.stringify(ledger.toJSON()));
    assert.equal(Object.keys(saved.days).length, 62);
    const restored = new SpendLedger();
    assert.equal(restored.restore(saved), true);
    assert.equal(restored.spentLifetime('a'), 100);
    assert.equal(restored.restore({ ...saved, lifetime: { a: -1 } }), false);
  });

  it('lists the last days oldest first, including days without spend', () => {
    const ledger = new SpendLedger();
    ledger.record('a', 2, at(2026, 11, 22));
    const history = ledger.dailyHistory(at(2026, 11, 23), 3);
    assert.deepEqual(history, [
      { day: '2026-11-21', byModel: {} },
      { day: '2026-11-22', byModel: { a: 2 } },
      { day: '2026-11-23', byModel: {} },
    ]);
  });
});
