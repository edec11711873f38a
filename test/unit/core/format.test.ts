import * as assert from 'node:assert/strict';
import { formatUsd, formatUsdTogether, usdDecimals } from '../../../src/core';

describe('how money reads', () => {
  it('gives one amount cents, four decimals below a cent and six below a hundredth of a cent', () => {
    assert.deepEqual(
      [0, 12.5, 0.42, 0.01, 0.0099, 0.0034, 0.0001, 0.00004].map((usd) => formatUsd(usd)),
      ['$0', '$12.50', '$0.42', '$0.01', '$0.0099', '$0.0034', '$0.0001', '$0.000040'],
    );
  });

  it('shows amounts read together in the precision of the smallest non-zero one, so they add up', () => {
    // The sidebar's budget line once read "$0.0034 of $0.01 — 25 %".
    assert.deepEqual(formatUsdTogether(0.0034, 0.0136), ['$0.0034', '$0.0136']);
    assert.deepEqual(formatUsdTogether(0.0034, 0.0136, 0.0102), ['$0.0034', '$0.0136', '$0.0102']);
    assert.deepEqual(formatUsdTogether(0.42, 5), ['$0.42', '$5.00']);
  });

  it('leaves zero out of the choice and writes it as $0', () => {
    assert.deepEqual(formatUsdTogether(0, 0.0136), ['$0', '$0.01']);
    assert.deepEqual(formatUsdTogether(0, 0), ['$0', '$0']);
    assert.equal(usdDecimals([0, 0.5, 0.004]), 4);
    assert.equal(usdDecimals([]), 2);
  });

  it('takes an explicit precision when the caller has chosen one', () => {
    assert.equal(formatUsd(5, 4), '$5.0000');
    assert.equal(formatUsd(0, 4), '$0');
  });
});
