import * as assert from 'assert';
import * as vscode from 'vscode';
import type { LlmManager, LlmProvider, ModelMetadata } from '../../src/core';
import { itAfterReload } from './reload';

const EXTENSION_ID = 'llm-manager.llm-manager';

function extension(): vscode.Extension<LlmManager> {
  const found = vscode.extensions.getExtension<LlmManager>(EXTENSION_ID);
  assert.ok(found, `extension ${EXTENSION_ID} is not installed in this host`);
  return found;
}

/** The API `activate()` returns, once its persisted state has loaded. */
async function activatedApi(): Promise<LlmManager> {
  const api = await extension().activate();
  await api.ready;
  return api;
}

/** A model that answers in memory, so these tests need no network. */
const PROBE_MODEL = 'integration-probe';
const probeProvider: LlmProvider = {
  generate: async () => ({ text: 'pong', usage: { inputTokens: 1, outputTokens: 1 } }),
  stream: async function* () {
    yield { type: 'text', text: 'pong' };
  },
};
const probeMetadata: ModelMetadata = {
  provider: 'test',
  contextWindow: 8_000,
  maxOutputTokens: 100,
  inputPricePerMTok: 0,
  outputPricePerMTok: 0,
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
    assert.strictEqual(typeof api.registerModel, 'function');
  });
});

describe('state in globalState', () => {
  it('saves the metrics of a request', async () => {
    const api = await activatedApi();
    api.registerModel(PROBE_MODEL, probeProvider, probeMetadata);
    try {
      const result = await api.generate({ prompt: 'ping', chain: [PROBE_MODEL], useCache: false });
      assert.strictEqual(result.text, 'pong');
      assert.strictEqual(api.getModelInfo(PROBE_MODEL)?.requests, 1);
    } finally {
      // Unregistered models keep their history, and it is saved with the rest.
      api.unregisterModel(PROBE_MODEL);
      await api.flush();
    }
  });

  itAfterReload('restores those metrics in the reloaded window', async () => {
    const api = await activatedApi();
    api.registerModel(PROBE_MODEL, probeProvider, probeMetadata);
    try {
      const info = api.getModelInfo(PROBE_MODEL);
      assert.strictEqual(info?.requests, 1, 'the request made before the reload is counted');
      assert.strictEqual(info?.successes, 1);
    } finally {
      api.unregisterModel(PROBE_MODEL);
    }
  });
});
