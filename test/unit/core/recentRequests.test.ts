import * as assert from 'node:assert/strict';
import { RecentRequests } from '../../../src/core/recentRequests';

describe('RecentRequests', () => {
  it('keeps the last N, oldest first, however many went by', () => {
    const recent = new RecentRequests<number>(3);
    assert.deepEqual(recent.toArray(), []);
    recent.add(1);
    recent.add(2);
    assert.deepEqual(recent.toArray(), [1, 2]);
    for (let n = 3; n <= 10; n++) {
      recent.add(n);
      assert.deepEqual(recent.toArray(), [n - 2, n - 1, n]);
    }
    assert.deepEqual(recent.toArray(), [8, 9, 10]);
  });

  it('hands out copies: changing one leaves the ring as it was', () => {
    const recent = new RecentRequests<number>(2);
    recent.add(1);
    recent.toArray().push(99);
    assert.deepEqual(recent.toArray(), [1]);
  });

  it('keeps nothing with a limit of 0', () => {
    const recent = new RecentRequests<number>(0);
    recent.add(1);
    assert.deepEqual(recent.toArray(), []);
  });
});
