import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  capabilitiesOf,
  createProvider,
  isPastEndOfLife,
  lookupModel,
  PRESET_IDS,
  PRESETS,
  scrubSecrets,
  SUGGESTED_MODELS,
  type PresetId,
  type ProviderConfig,
  type SuggestionKey,
} from '../../../src/providers';
import { isLlmError } from '../../../src/core';
import { MemorySecrets, useFaultUpstream } from '../../support/faultServer';

const root = path.resolve(__dirname, '../../../..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const NEW_PRESETS: readonly PresetId[] = [
  'xai',
  'together',
  'fireworks',
  'cerebras',
  'deepInfra',
  'perplexity',
  'moonshot',
  'huggingFace',
];

/** A made-up key in the service's documented shape. */
function sampleKey(id: PresetId): string {
  const tail = 'Q7vX2mK9pL4rT8wZ1nB5cD3fG6hJ0sA';
  return `${PRESETS[id].keyPrefix ?? ''}${tail}`;
}

/** The preset's config with its base URL's path kept and its host moved to the fault upstream. */
function presetConfig(id: PresetId, upstreamUrl: string, model: string): ProviderConfig {
  const { pathname } = new URL(PRESETS[id].baseUrl);
  return {
    kind: 'openaiCompatible',
    preset: id,
    model,
    baseUrl: `${upstreamUrl}${pathname}`.replace(/\/$/, ''),
  };
}

describe('OpenAI-compatible presets', () => {
  const upstream = useFaultUpstream();

  it('package.json offers exactly the presets the code knows, in the same order', () => {
    const items = manifest.contributes.configuration.properties['llmManager.models'].items.properties;
    assert.deepEqual(items.preset.enum, [...PRESET_IDS]);
    assert.deepEqual(Object.keys(PRESETS), [...PRESET_IDS]);
  });

  it('package.json has the catalog refresh setting, off by default', () => {
    const setting = manifest.contributes.configuration.properties['llmManager.catalog.refresh'];
    assert.equal(setting.type, 'boolean');
    assert.equal(setting.default, false);
  });

  it('counts at least 18 providers: OpenAI, Azure, Anthropic, VS Code models and every preset', () => {
    assert.ok(4 + PRESET_IDS.length >= 18, `${4 + PRESET_IDS.length} providers`);
    for (const id of NEW_PRESETS) assert.ok(PRESET_IDS.includes(id), id);
  });

  for (const id of NEW_PRESETS) {
    const preset = PRESETS[id];
    it(`${id}: a hosted https service that needs a key and says where it lists models`, () => {
      assert.match(preset.baseUrl, /^https:\/\//);
      assert.equal(preset.requiresKey, true);
      assert.equal(preset.local, false);
      assert.ok(['/models', 'none'].includes(preset.modelListRoute));
      assert.ok(preset.hint.includes(SUGGESTED_MODELS[id]) || /`[^`]+`/.test(preset.hint));
    });

    it(`${id}: answers a request through its config, sending its key to its own path`, async () => {
      const key = sampleKey(id);
      const provider = createProvider(presetConfig(id, upstream().url, 'ok'), {
        secrets: new MemorySecrets({ [id]: key }),
      });
      const answer = await provider.generate(
        { model: 'ok', messages: [{ role: 'user', content: 'Say hello.' }] },
        new AbortController().signal,
      );
      assert.ok(answer.text.length > 0);
      const record = upstream().stats().recent.at(-1)!;
      assert.equal(record.path, `${new URL(preset.baseUrl).pathname.replace(/\/$/, '')}/chat/completions`);
      assert.equal(record.hadKey, true);
      assert.equal(record.status, 200);
    });

    it(`${id}: a key of its shape never survives in an error`, async () => {
      const key = sampleKey(id);
      const provider = createProvider(presetConfig(id, upstream().url, 'leaky-auth'), {
        secrets: new MemorySecrets({ [id]: key }),
      });
      const error = await provider
        .generate({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, new AbortController().signal)
        .then(
          () => assert.fail('expected a 401'),
          (e: unknown) => e,
        );
      assert.ok(isLlmError(error));
      assert.equal(error.kind, 'auth');
      assert.ok(!error.message.includes(key.slice(-12)), error.message);
      // The scrubber alone (without being told the key) recognises the shape, or its Bearer header.
      const text = preset.keyPrefix ? `invalid key ${key} given` : `Authorization: Bearer ${key}`;
      assert.ok(!scrubSecrets(text, []).includes(key.slice(-12)), scrubSecrets(text, []));
    });
  }

  it('the scrubber leaves ordinary words with the same beginnings alone', () => {
    const text = 'The fw_version and hf_hub flags, xai-like names and csk-1 stay.';
    assert.equal(scrubSecrets(text, []), text);
  });
});

describe('suggested models', () => {
  const now = Date.now();
  const labelOf = (key: SuggestionKey): string =>
    key === 'openai' || key === 'anthropic' || key === 'azure' ? key : PRESETS[key].provider;
  const local = (key: SuggestionKey) =>
    key !== 'openai' && key !== 'anthropic' && key !== 'azure' && PRESETS[key].local;

  it('every provider choice has one', () => {
    assert.deepEqual(
      Object.keys(SUGGESTED_MODELS).sort(),
      ['anthropic', 'azure', 'openai', ...PRESET_IDS].sort(),
    );
  });

  for (const [key, model] of Object.entries(SUGGESTED_MODELS) as Array<[SuggestionKey, string]>) {
    it(`${key}: "${model}" is in the catalog, priced, not deprecated and not past end of life`, () => {
      assert.equal(isPastEndOfLife(model, now), false);
      assert.equal(capabilitiesOf(model).endOfLife, undefined, `${model} has an announced end of life`);
      if (local(key)) return; // a local server's model is whatever the user pulled: free, not in the catalog
      const entry = lookupModel(labelOf(key), model);
      assert.ok(entry.known, `${model} is absent from the catalog`);
      assert.ok(entry.prices, `${model} has no price`);
      assert.equal(entry.deprecated, false);
    });
  }

  it('hints and the README name no model that is unknown, deprecated or past its end of life', () => {
    for (const preset of Object.values(PRESETS)) {
      if (preset.local || preset.id === 'liteLlm' || preset.id === 'portkey') continue;
      for (const [, id] of preset.hint.matchAll(/`([^`\s]+)`/g)) {
        if (id.startsWith('x-portkey')) continue;
        const entry = lookupModel(preset.provider, id);
        assert.ok(entry.known && !entry.deprecated, `${preset.id} hint: ${id}`);
        assert.equal(isPastEndOfLife(id, now), false, `${preset.id} hint: ${id}`);
      }
    }
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    for (const [id] of readme.matchAll(
      /\b(?:claude-[a-z]+-[\d-]+\d|gpt-[\d.]+[\w.-]*|o[134](?:-mini|-pro)?)\b/g,
    )) {
      assert.equal(isPastEndOfLife(id, now), false, `README names ${id}`);
    }
  });
});
