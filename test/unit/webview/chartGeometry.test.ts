import * as assert from 'node:assert/strict';
import { labelIndexes, niceAxis, scale, timeTicks } from '../../../src/webview/chartGeometry';

describe('chart geometry', () => {
  it('puts axis ticks on round values that cover the data', () => {
    assert.deepEqual(niceAxis(0.0173), { max: 0.02, ticks: [0, 0.005, 0.01, 0.015, 0.02] });
    assert.deepEqual(niceAxis(3400), { max: 4000, ticks: [0, 1000, 2000, 3000, 4000] });
    assert.deepEqual(niceAxis(8), { max: 8, ticks: [0, 2, 4, 6, 8] });
    assert.deepEqual(niceAxis(0), { max: 1, ticks: [0, 0.5, 1] });
    assert.deepEqual(niceAxis(Number.NaN), { max: 1, ticks: [0, 0.5, 1] });
  });

  it('maps values onto pixels, y running upwards', () => {
    const y = scale([0, 10], [100, 0]);
    assert.equal(y(0), 100);
    assert.equal(y(10), 0);
    assert.equal(y(2.5), 75);
    assert.equal(scale([5, 5], [0, 50])(5), 25, 'an empty domain sits in the middle');
  });

  it('places time ticks on round clock times inside the range', () => {
    const minute = 60_000;
    const from = Date.UTC(2026, 10, 23, 12, 3, 17);
    const ticks = timeTicks(from, from + 20 * minute, 4);
    assert.ok(ticks.length >= 3 && ticks.length <= 5, String(ticks.length));
    for (const at of ticks) {
      assert.ok(at >= from && at <= from + 20 * minute);
      assert.equal(new Date(at).getSeconds(), 0);
      assert.equal(new Date(at).getMinutes() % 5, 0);
    }
    assert.deepEqual(timeTicks(from, from), [from]);
  });

  it('labels every n-th of many bars, always the latest', () => {
    assert.deepEqual(labelIndexes(30, 6), [4, 9, 14, 19, 24, 29]);
    assert.deepEqual(labelIndexes(3, 6), [0, 1, 2]);
    assert.deepEqual(labelIndexes(0, 6), []);
  });
});
