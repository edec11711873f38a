import * as assert from 'assert';
import * as vscode from 'vscode';
import type { GenerateRequest, GenerateResult, ManagerMetrics } from '../../src/core';
import { itAfterReload, recallAcrossReload, rememberAcrossReload } from './reload';

const EXTENSION_ID = 'llm-manager.llm-manager';

/**
 * The part of the extension's API these tests use. `flush` saves pending state now: the API keeps
 * it under `diagnostics` (the first cut returned the manager itself, with `flush` on top).
 */
interface ApiUnderTest {
  generate(request: GenerateRequest): Promise<GenerateResult>;
  getMetrics(): ManagerMetrics;
  readonly diagnostics?: { flush(): Promise<void> };
  flush?(): Promise<void>;
}

function extension(): vscode.Extension<ApiUnderTest> {
  const found = vscode.extensions.getExtension<ApiUnderTest>(EXTENSION_ID);
  assert.ok(found, `extension ${EXTENSION_ID} is not installed in this host`);
  return found;
}

async function flush(api: ApiUnderTest): Promise<void> {
  const save = api.diagnostics?.flush ?? api.flush;
  assert.ok(save, 'the API offers a way to save pending state');
  await save.call(api.diagnostics ?? api);
}

/** Polls `read` until `accept` holds (persisted state loads asynchronously after activation). */
async function eventually<T>(read: () => T, accept: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = read();
  while (!accept(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = read();
  }
  return value;
}

/** A chain of one model nobody registers: the request fails at once, without any network. */
const UNKNOWN_MODEL_REQUEST: GenerateRequest = {
  prompt: 'ping',
  chain: ['integration-test-no-such-model'],
  useCache: false,
};

describe('extension', () => {
  it('is installed as llm-manager.llm-manager', () => {
    const ext = extension();
    assert.strictEqual(ext.packageJSON.publisher, 'llm-manager');
    assert.strictEqual(ext.packageJSON.name, 'llm-manager');
  });

  it('activates and returns its API', async () => {
    const api = await extension().activate();
    assert.ok(extension().isActive);
    assert.strictEqual(typeof api.generate, 'function');
    assert.strictEqual(typeof api.getMetrics, 'function');
  });
});

describe('state in globalState', () => {
  it('saves the metrics of a request', async () => {
    const api = await extension().activate();
    const before = api.getMetrics();
    await assert.rejects(api.generate(UNKNOWN_MODEL_REQUEST));
    const after = api.getMetrics();
    assert.strictEqual(after.requests, before.requests + 1);
    assert.strictEqual(after.failures, before.failures + 1);
    await flush(api);
    rememberAcrossReload('metrics', { requests: after.requests, failures: after.failures });
  });

  itAfterReload('restores those metrics in the reloaded window', async () => {
    const expected = recallAcrossReload<{ requests: number; failures: number }>('metrics');
    assert.ok(expected, 'the test before the reload ran and recorded what it saved');
    const api = await extension().activate();
    const metrics = await eventually(
      () => api.getMetrics(),
      (value) => value.requests >= expected.requests,
    );
    // Tests after ours in window 1 may add requests (and save them too), so at least ours.
    assert.ok(
      metrics.requests >= expected.requests,
      `${metrics.requests} requests restored, expected at least ${expected.requests}`,
    );
    assert.ok(
      metrics.failures >= expected.failures,
      `${metrics.failures} failures restored, expected at least ${expected.failures}`,
    );
  });
});
