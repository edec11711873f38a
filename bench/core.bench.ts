/**
 * The manager's own overhead per `generate`, against an in-process provider that answers at once,
 * and the time of a cache hit. Prints p50/p99 in microseconds. Run: `npm run bench:core`.
 */
import * as os from 'node:os';
import { LlmManager, type LlmProvider, type ModelMetadata } from '../src/core';

const instantProvider: LlmProvider = {
  generate: async () => ({ text: 'ok', usage: { inputTokens: 10, outputTokens: 5 } }),
  async *stream() {
    yield { type: 'text', text: 'ok' };
  },
};

const metadata: ModelMetadata = {
  provider: 'bench',
  contextWindow: 128_000,
  maxOutputTokens: 4096,
  inputPricePerMTok: 2.5,
  outputPricePerMTok: 10,
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function measure(label: string, iterations: number, run: (i: number) => Promise<unknown>) {
  for (let i = 0; i < 2000; i++) await run(i);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    await run(i);
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  samples.sort((a, b) => a - b);
  return { label, p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function main() {
  const uncached = new LlmManager({ enableCaching: false });
  uncached.registerModel('primary', instantProvider, metadata);
  uncached.registerModel('secondary', instantProvider, metadata);
  uncached.setFallbackChain(['primary', 'secondary']);

  const bare = await measure('provider.generate alone', 20_000, () =>
    instantProvider.generate(
      { model: 'primary', messages: [{ role: 'user', content: 'q' }] },
      new AbortController().signal,
    ),
  );
  const through = await measure('manager.generate (cache off)', 20_000, (i) =>
    uncached.generate({ prompt: `question ${i}` }),
  );

  const cached = new LlmManager();
  cached.registerModel('primary', instantProvider, metadata);
  await cached.generate({ prompt: 'the same question', temperature: 0 });
  const hit = await measure('manager.generate (cache hit)', 20_000, () =>
    cached.generate({ prompt: 'the same question', temperature: 0 }),
  );

  const overhead = {
    label: 'manager overhead (difference)',
    p50: through.p50 - bare.p50,
    p99: through.p99 - bare.p99,
  };
  const rows = [bare, through, overhead, hit];
  console.log(
    `LLM Manager core benchmark — ${new Date().toISOString()} — Node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}`,
  );
  console.log('| measurement | p50 (µs) | p99 (µs) |');
  console.log('|---|---:|---:|');
  for (const row of rows) console.log(`| ${row.label} | ${row.p50.toFixed(1)} | ${row.p99.toFixed(1)} |`);
  console.log(
    `\nGoals: overhead p50 ≤ 20 µs (${overhead.p50 <= 20 ? 'met' : 'MISSED'}), cache hit p50 ≤ 20 µs (${hit.p50 <= 20 ? 'met' : 'MISSED'}).`,
  );
  await uncached.dispose();
  await cached.dispose();
}

void main();
