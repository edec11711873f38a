/**
 * The cold path: the manager measured with other calls interleaved between its calls, call by
 * call, as in an editor where the manager's code is never hot. One rotation is a bare SDK call, a
 * manager call, a failover (a 500, then the secondary) and a cache hit; each is timed on its own.
 */
import { fork } from 'node:child_process';
import * as path from 'node:path';
import OpenAI from 'openai';
import { LlmManager, type LlmProvider, type ModelMetadata } from '../src/core';
import { createProvider } from '../src/providers';

export interface InterleavedStats {
  readonly p50: number;
  readonly p99: number;
}

export interface InterleavedResult {
  readonly bare: InterleavedStats;
  readonly manager: InterleavedStats;
  readonly failover: InterleavedStats;
  readonly cacheHit: InterleavedStats;
  readonly rotations: number;
}

function stats(samples: number[]): InterleavedStats {
  const sorted = samples.slice().sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  return { p50: at(50), p99: at(99) };
}

/**
 * Rotates the four calls `rotations` times after `warmup` rotations. `provider(model)` builds the
 * manager's provider for an upstream model name; `prompt` is the same for every call.
 */
export async function measureInterleaved(options: {
  readonly sdk: OpenAI;
  readonly provider: (model: string) => LlmProvider;
  readonly metadata: ModelMetadata;
  readonly prompt: string;
  readonly rotations: number;
  readonly warmup: number;
}): Promise<InterleavedResult> {
  const { sdk, provider, metadata, prompt } = options;
  const plain = new LlmManager({ enableCaching: false, maxRetries: 0 });
  plain.registerModel('gpt', provider('ok'), metadata);
  const failing = new LlmManager({
    enableCaching: false,
    maxRetries: 0,
    breaker: { failureThreshold: 1_000_000_000, recoveryTimeoutMs: 60_000 },
  });
  failing.registerModel('primary', provider('error-500'), metadata);
  failing.registerModel('secondary', provider('ok'), metadata);
  const caching = new LlmManager({ enableCaching: true, maxRetries: 0 });
  caching.registerModel('gpt', provider('ok'), metadata);
  await caching.generate({ prompt, temperature: 0 });

  const calls: Record<keyof Omit<InterleavedResult, 'rotations'>, () => Promise<unknown>> = {
    bare: () => sdk.chat.completions.create({ model: 'ok', messages: [{ role: 'user', content: prompt }] }),
    manager: () => plain.generate({ prompt }),
    failover: () => failing.generate({ prompt, chain: ['primary', 'secondary'] }),
    cacheHit: () => caching.generate({ prompt, temperature: 0 }),
  };
  const names = Object.keys(calls) as Array<keyof typeof calls>;
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<
    keyof typeof calls,
    number[]
  >;
  for (let rotation = 0; rotation < options.warmup + options.rotations; rotation++) {
    for (const name of names) {
      const start = process.hrtime.bigint();
      await calls[name]();
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (rotation >= options.warmup) samples[name].push(ms);
    }
  }
  for (const manager of [plain, failing, caching]) manager.dispose();
  return {
    bare: stats(samples.bare),
    manager: stats(samples.manager),
    failover: stats(samples.failover),
    cacheHit: stats(samples.cacheHit),
    rotations: options.rotations,
  };
}

/** `npm run bench:cold`: only this measurement, printed (for profiling: add `--cpu-prof`). */
async function main(): Promise<void> {
  const child = fork(path.join(__dirname, 'upstreamProcess.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve) =>
    child.once('message', (m) => resolve((m as { url: string }).url)),
  );
  const key = 'sk-bench-0000000000000000';
  const metadata: ModelMetadata = {
    provider: 'openai',
    contextWindow: 128_000,
    maxOutputTokens: 4096,
    inputPricePerMTok: 0.15,
    outputPricePerMTok: 0.6,
  };
  const result = await measureInterleaved({
    sdk: new OpenAI({ apiKey: key, baseURL: `${url}/v1`, maxRetries: 0 }),
    provider: (model) =>
      createProvider(
        { kind: 'openai', model, baseUrl: `${url}/v1` },
        { secrets: { getKey: async () => key } },
      ),
    metadata,
    prompt: 'Benchmark question: what is the capital of France?',
    rotations: Number(process.env.BENCH_ITERATIONS ?? 3000),
    warmup: 400,
  });
  const ms = (s: InterleavedStats) => `${s.p50.toFixed(3)} / ${s.p99.toFixed(3)} ms`;
  process.stdout.write(
    [
      `interleaved, ${result.rotations} rotations (p50 / p99):`,
      `  bare SDK   ${ms(result.bare)}`,
      `  manager    ${ms(result.manager)}  → ${(result.manager.p50 / result.bare.p50).toFixed(3)}× p50, ${(result.manager.p99 / result.bare.p99).toFixed(3)}× p99`,
      `  failover   ${ms(result.failover)}`,
      `  cache hit  ${(result.cacheHit.p50 * 1000).toFixed(1)} µs p50, ${(result.cacheHit.p99 * 1000).toFixed(1)} µs p99`,
      '',
    ].join('\n'),
  );
  child.disconnect();
  child.kill();
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  });
}
