import * as assert from 'node:assert/strict';
import { formatDuration as coreDuration, formatUsd as coreUsd } from '../../../src/core';
import {
  circuitText,
  formatAgo,
  formatBytes,
  formatCompact,
  formatDay,
  formatDuration,
  formatLatency,
  formatPercent,
  formatUsd,
  formatUsdTick,
  waitText,
  words,
} from '../../../src/shared/format';

describe('what the metrics views say', () => {
  it('words durations and dollars exactly as the status bar and traces do', () => {
    for (const ms of [0, 3, 999, 1000, 1499, 59_000, 119_499, 120_000, 7_199_999, 7_200_000, 86_400_000])
      assert.equal(formatDuration(ms), coreDuration(ms), `${ms} ms`);
    for (const usd of [0, 0.00004, 0.0099, 0.01, 0.125, 12.5])
      assert.equal(formatUsd(usd), coreUsd(usd), `$${usd}`);
  });

  it('shows latency with a decimal where a second more or less matters', () => {
    assert.deepEqual([undefined, 850, 1234, 9_960, 12_400].map(formatLatency), [
      '—',
      '850 ms',
      '1.2 s',
      '10.0 s',
      '12 s',
    ]);
  });

  it('never rounds a partial success to 100 % or a few failures to 0 %', () => {
    assert.deepEqual([undefined, 0, 0.001, 0.5, 0.824, 0.996, 1, 1.2].map(formatPercent), [
      '—',
      '0 %',
      '<1 %',
      '50 %',
      '82 %',
      '99 %',
      '100 %',
      '120 %',
    ]);
  });

  it('counts the circuit down to its probe', () => {
    assert.equal(circuitText('closed', undefined, 0), 'closed');
    assert.equal(circuitText('open', 18_000, 10_000), 'open · probe in 8 s');
    assert.equal(circuitText('open', 18_000, 18_000), 'open · probe due');
    assert.equal(circuitText('open', undefined, 0), 'open');
    assert.equal(circuitText('halfOpen', undefined, 0), 'half-open · probing');
    assert.equal(circuitText('isolated', undefined, 0), 'isolated by you');
  });

  it("says how long ago and how long a provider's wait still runs", () => {
    assert.equal(formatAgo(10_000, 11_000), 'just now');
    assert.equal(formatAgo(0, 180_000), '3 min ago');
    assert.equal(waitText(50_000, 10_000), 'provider asked to wait · 40 s left');
    assert.equal(waitText(10_000, 10_000), undefined);
    assert.equal(waitText(undefined, 0), undefined);
  });

  it('labels chart axes briefly', () => {
    assert.deepEqual([0, 0.005, 0.02, 0.25, 1.5, 12.4].map(formatUsdTick), [
      '$0',
      '$0.005',
      '$0.02',
      '$0.25',
      '$1.5',
      '$12',
    ]);
    assert.equal(formatDay('2026-11-03'), 'Nov 3');
    assert.equal(formatDay('not a day'), 'not a day');
  });

  it('shortens big numbers and sizes, and spells error kinds in words', () => {
    assert.deepEqual([999, 12_345, 2_500_000].map(formatCompact), ['999', '12.3k', '2.5M']);
    assert.deepEqual([512, 2048, 20_480].map(formatBytes), ['512 B', '2.0 KB', '20 KB']);
    assert.deepEqual(['rateLimit', 'contextLength', 'server'].map(words), [
      'rate limit',
      'context length',
      'server',
    ]);
  });
});
