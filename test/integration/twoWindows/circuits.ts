import * as assert from 'assert';
import * as vscode from 'vscode';
import type { CircuitSnapshot } from '../../../src/core';
import type { ExtensionExports } from '../../../src/extension/extension';
import { activateExtension } from '../support';
import { coordinateTests, meet, thisWindow } from './coordination';
import { configuredModel, MODELS, report, settle, upstreamCalls } from './support';

/** Failures that open a circuit (the driver's llmManager.circuitBreaker.failureThreshold). */
const FAILURE_THRESHOLD = 3;
/** How soon a circuit opened in one window must be open in the other. */
const SEEN_WITHIN_MS = 2_000;

function circuitOf(api: ExtensionExports, id: string): CircuitSnapshot {
  const model = api.listModels().find((info) => info.name === id);
  assert.ok(model, `${id} is in the chain (llmManager.fallbackChain)`);
  return model.circuit;
}

describe('circuits shared by two windows', function () {
  // Barriers wait for the other window, which may still be starting.
  this.timeout(180_000);
  coordinateTests();

  it(`a circuit opened by failures in window 1 is open in window 2 within ${SEEN_WITHIN_MS / 1000} s, without a focus change`, async () => {
    const api = await activateExtension();
    assert.strictEqual(circuitOf(api, MODELS.broken).state, 'closed');
    if (thisWindow() === 1) {
      await meet('start');
      for (let failure = 0; failure < FAILURE_THRESHOLD; failure++) {
        await assert.rejects(
          api.generate({ prompt: `failure ${failure}`, chain: [MODELS.broken], useCache: false }),
        );
      }
      const opened = circuitOf(api, MODELS.broken);
      assert.strictEqual(opened.state, 'open');
      await meet('opened', opened);
      return;
    }
    let focusChanges = 0;
    const subscription = vscode.window.onDidChangeWindowState(() => focusChanges++);
    try {
      await meet('start');
      const seen = await settle(
        () => circuitOf(api, MODELS.broken),
        (circuit) => circuit.state === 'open',
        10_000,
      );
      const seenAt = Date.now();
      const opened = await meet<CircuitSnapshot>('opened');
      const latency = seenAt - (opened.openedAt ?? 0);
      report(
        `window 2 saw the circuit window 1 opened after ${seen.ok ? `${latency} ms` : 'never'} (focus changes: ${focusChanges})`,
      );
      assert.ok(seen.ok, 'window 2 sees the circuit open');
      assert.ok(latency <= SEEN_WITHIN_MS, `seen after ${latency} ms`);
      assert.strictEqual(focusChanges, 0, 'no focus change was needed');
    } finally {
      subscription.dispose();
    }
  });

  it('only one of the two windows sends the half-open probe', async () => {
    const api = await activateExtension();
    const broken = configuredModel(MODELS.broken).model;
    const mine = circuitOf(api, MODELS.broken);
    // Half-open once its recovery time passed (window 1 opened it a few seconds ago).
    assert.ok(
      ['open', 'halfOpen'].includes(mine.state),
      `the circuit is open in this window (${mine.state})`,
    );
    const theirs = await meet<CircuitSnapshot>('open', mine);
    const probeAt = Math.max(mine.nextProbeAt ?? 0, theirs.nextProbeAt ?? 0);
    const due = await settle(
      () => Date.now(),
      (now) => now > probeAt,
      60_000,
    );
    assert.ok(due.ok, 'the recovery time passed');
    const callsBefore = await upstreamCalls(broken);
    await meet('probe due');
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, index) =>
        api.generate({
          prompt: `probe ${thisWindow()}.${index}`,
          chain: [MODELS.broken, MODELS.free],
          useCache: false,
        }),
      ),
    );
    const probesHere = results.filter((result) =>
      result.trace.steps.some((step) => step.type === 'attempt' && step.model === MODELS.broken),
    ).length;
    assert.deepStrictEqual(
      results.map((result) => result.model),
      results.map(() => MODELS.free),
      'every request is answered by the fallback',
    );
    const probesThere = await meet<number>('probed', probesHere);
    const calls = (await upstreamCalls(broken)) - callsBefore;
    report(
      `half-open: window ${thisWindow()} probed ${probesHere}, the other ${probesThere}; the upstream saw ${calls} probe call(s)`,
    );
    assert.strictEqual(calls, 1, 'the upstream received exactly one probe');
    assert.strictEqual(probesHere + probesThere, 1, 'exactly one request of one window probed');
    const reopened = await settle(
      () => circuitOf(api, MODELS.broken),
      (circuit) => circuit.state === 'open',
      SEEN_WITHIN_MS,
    );
    assert.ok(
      reopened.ok,
      `the failed probe re-opened the circuit in window ${thisWindow()} too; it shows ${JSON.stringify(reopened.value)}`,
    );
  });
});
