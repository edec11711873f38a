/**
 * How large the state LLM Manager keeps grows at the maximum settings: a full cache in globalState
 * (llmManager.cache.maxSizeKB = 192, maxEntries = 1000), and in the ledger the windows share: 20
 * models with full latency windows, spend on every one of the 62 days and 24 months kept — then
 * after 60 more windows have come and gone (their records folded into the base). Also times
 * loading it back. Run: `npm run bench:persisted`.
 */
import {
  LlmManager,
  MemorySharedSpace,
  MemorySharedStore,
  STORE_KEYS,
  type LlmProvider,
  type ModelMetadata,
} from '../src/core';
import { parseSettings } from '../src/extension/settings';
import { FakeClock, MemoryStore } from '../test/support/fakeClock';

async function main() {
  const { settings } = parseSettings(
    (key) => ({ 'cache.maxSizeKB': 192, 'cache.maxEntries': 1000, 'cache.maxTemperature': 2 })[key as string],
  );
  const clock = new FakeClock();
  const store = new MemoryStore();
  const space = new MemorySharedSpace(() => clock.now());
  const firstStore = new MemorySharedStore(space);
  const manager = new LlmManager({
    ...settings.manager,
    clock,
    store,
    shared: firstStore,
    persistDebounceMs: 10,
  });
  const answer = 'x'.repeat(800);
  let call = 0;
  const provider: LlmProvider = {
    generate: async () => {
      call++;
      return { text: `${answer} ${call}`, usage: { inputTokens: 1000 + call, outputTokens: 500 } };
    },
    async *stream() {},
  };
  const metadata: ModelMetadata = {
    provider: 'openai',
    contextWindow: 128_000,
    maxOutputTokens: 4096,
    inputPricePerMTok: 2.5,
    outputPricePerMTok: 10,
  };
  const names = Array.from({ length: 20 }, (_, i) => `model-with-a-long-name-${i}`);
  for (const name of names) manager.registerModel(name, provider, metadata);
  // 62 days of spend on every model, one request a day each, then 300 requests per model today.
  for (let day = 0; day < 62; day++) {
    for (const name of names)
      await manager.generate({ prompt: `day ${day} ${name}`, chain: [name], temperature: 1 });
    await clock.tickAsync(24 * 3600_000);
  }
  for (let i = 0; i < 300; i++) {
    for (const name of names)
      await manager.generate({ prompt: `question ${i} ${name}`, chain: [name], temperature: 0 });
  }
  await manager.flush();
  const sizes = Object.fromEntries(
    Object.values(STORE_KEYS)
      .filter((key) => store.data.has(key))
      .map((key) => [key, JSON.stringify(store.data.get(key)).length]),
  );
  const ledgerSize = () => JSON.stringify({ base: space.base, windows: [...space.windows] }).length;
  sizes['shared ledger (files)'] = ledgerSize();
  const total = Object.values(sizes).reduce((a, b) => a + b, 0);
  console.log('State at maximum settings (JSON characters):');
  for (const [key, size] of Object.entries(sizes))
    console.log(`  ${key.padEnd(22)} ${(size / 1024).toFixed(1)} KB`);
  console.log(
    `  ${'total'.padEnd(22)} ${(total / 1024).toFixed(1)} KB (goal ≤ 256 KB; VS Code warns at 512 KB)`,
  );

  // 60 more windows come and go, each spending on every model; the ones that are gone are folded.
  manager.dispose();
  firstStore.dispose();
  for (let window = 0; window < 60; window++) {
    const shared = new MemorySharedStore(space);
    const next = new LlmManager({ ...settings.manager, clock, store, shared, persistDebounceMs: 10 });
    for (const name of names) next.registerModel(name, provider, metadata);
    await next.ready;
    for (const name of names)
      await next.generate({ prompt: `window ${window} ${name}`, chain: [name], temperature: 1 });
    await next.flush();
    next.dispose();
    shared.dispose();
    await clock.tickAsync(11 * 60_000);
  }
  const shared = new MemorySharedStore(space);
  const started = process.hrtime.bigint();
  const reloaded = new LlmManager({ ...settings.manager, clock, store, shared });
  for (const name of names) reloaded.registerModel(name, provider, metadata);
  await reloaded.ready;
  console.log(
    `Load time of that state: ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)} ms (cache entries: ${reloaded.getMetrics().cache.entries})`,
  );
  await reloaded.flush();
  console.log(
    `After 60 more windows came and went: shared ledger ${(ledgerSize() / 1024).toFixed(1)} KB in ${space.windows.size} window record(s) and the base (goal ≤ 256 KB); ${reloaded.getMetrics().requests.toLocaleString('en-US')} requests counted.`,
  );
  reloaded.dispose();
}

void main();
