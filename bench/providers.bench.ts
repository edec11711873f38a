/**
 * What the manager costs over real HTTP, measured side by side in one run against the same loopback
 * fault upstream (in its own process): the manager against the bare `openai` SDK, failover paths,
 * cache hits, streaming time to first token, and memory over 10 000 requests. Prints a table and
 * writes bench/results.md. Run: `npm run bench` (not part of `npm test`).
 */

import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import OpenAI from 'openai';
import { LlmManager, type LlmProvider, type ModelMetadata } from '../src/core';
import { createProvider, type SecretSource } from '../src/providers';
import { measureInterleaved } from './interleaved';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 3000);
const WARMUP = 400;
const BLOCK = 100;
const MEMORY_REQUESTS = 10_000;
const PROMPT = 'Benchmark question: what is the capital of France?';
const KEY = 'sk-bench-0000000000000000';

const secrets: SecretSource = { getKey: async () => KEY };
const metadata: ModelMetadata = {
  provider: 'openai',
  contextWindow: 128_000,
  maxOutputTokens: 4096,
  inputPricePerMTok: 0.15,
  outputPricePerMTok: 0.6,
};

interface Stats {
  readonly p50: number;
  readonly p99: number;
}

function stats(samples: number[]): Stats {
  const sorted = samples.slice().sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  return { p50: at(50), p99: at(99) };
}

type Runner = () => Promise<number | void>;

/**
 * Runs each runner `ITERATIONS` times, interleaved in blocks (rotating which goes first) so that
 * drift in the machine's speed lands on every series alike. A runner may return its own measured
 * duration (time to first token); otherwise the whole call is timed. Durations in milliseconds.
 */
async function sideBySide(
  runners: Record<string, Runner>,
  iterations = ITERATIONS,
): Promise<Record<string, Stats>> {
  const names = Object.keys(runners);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const name of names) for (let i = 0; i < WARMUP; i++) await runners[name]();
  for (let block = 0; block * BLOCK < iterations; block++) {
    const order = names.map((_, i) => names[(i + block) % names.length]);
    for (const name of order) {
      for (let i = 0; i < BLOCK; i++) {
        const start = process.hrtime.bigint();
        const own = await runners[name]();
        samples[name].push(typeof own === 'number' ? own : Number(process.hrtime.bigint() - start) / 1e6);
      }
    }
  }
  return Object.fromEntries(names.map((n) => [n, stats(samples[n])]));
}

function startUpstream(): Promise<{ url: string; child: ChildProcess }> {
  const child = fork(path.join(__dirname, 'upstreamProcess.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve({ url: (message as { url: string }).url, child }));
    child.once('exit', (code) => reject(new Error(`The upstream process exited (${code}).`)));
  });
}

async function upstreamCalls(url: string, model: string): Promise<number> {
  const stats = (await (await fetch(`${url}/_stats`)).json()) as { byModel: Record<string, number> };
  return stats.byModel[model] ?? 0;
}

function openAiProvider(url: string, model: string): LlmProvider {
  return createProvider({ kind: 'openai', model, baseUrl: `${url}/v1` }, { secrets });
}

function manager(options: ConstructorParameters<typeof LlmManager>[0] = {}): LlmManager {
  return new LlmManager({
    enableCaching: false,
    maxRetries: 0,
    breaker: { failureThreshold: 1_000_000_000, recoveryTimeoutMs: 60_000 },
    ...options,
  });
}

const now = () => process.hrtime.bigint();
const msSince = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

interface Row {
  readonly measurement: string;
  readonly baseline: string;
  readonly base: Stats;
  readonly managed: Stats;
  /** How the goal reads, and whether the run met it. */
  readonly goal: string;
  readonly result: string;
  readonly met: boolean;
}

async function main(): Promise<void> {
  const { url, child } = await startUpstream();
  const sdk = new OpenAI({ apiKey: KEY, baseURL: `${url}/v1`, maxRetries: 0 });
  const rows: Row[] = [];
  const fmt = (ms: number) => ms.toFixed(3);

  // 1. manager.generate (cache off) vs the bare SDK call.
  const plain = manager();
  plain.registerModel('gpt', openAiProvider(url, 'ok'), metadata);
  const bareCall: Runner = async () => {
    const completion = await sdk.chat.completions.create({
      model: 'ok',
      messages: [{ role: 'user', content: PROMPT }],
    });
    if (!completion.choices[0]?.message.content) throw new Error('empty answer');
  };
  const generate = await sideBySide({
    bare: bareCall,
    manager: async () => void (await plain.generate({ prompt: PROMPT })),
  });
  const r50 = generate.manager.p50 / generate.bare.p50;
  const r99 = generate.manager.p99 / generate.bare.p99;
  rows.push({
    measurement: 'manager.generate (cache off) vs bare openai SDK',
    baseline: 'bare SDK call',
    base: generate.bare,
    managed: generate.manager,
    goal: '≤ 1.07× p50, ≤ 1.10× p99',
    result: `${r50.toFixed(3)}× p50, ${r99.toFixed(3)}× p99`,
    met: r50 <= 1.07 && r99 <= 1.1,
  });

  // 2. Failover past an open circuit vs calling the secondary directly.
  const skipping = manager({ breaker: { failureThreshold: 1, recoveryTimeoutMs: 3_600_000 } });
  skipping.registerModel('primary', openAiProvider(url, 'error-500'), metadata);
  skipping.registerModel('secondary', openAiProvider(url, 'ok'), metadata);
  await skipping.generate({ prompt: PROMPT, chain: ['primary', 'secondary'] });
  if (skipping.getModelInfo('primary')!.circuit.state !== 'open')
    throw new Error('the primary circuit should be open');
  const openCircuit = await sideBySide({
    direct: async () => void (await skipping.generate({ prompt: PROMPT, chain: ['secondary'] })),
    skip: async () => void (await skipping.generate({ prompt: PROMPT, chain: ['primary', 'secondary'] })),
  });
  const skipCost = openCircuit.skip.p50 - openCircuit.direct.p50;
  rows.push({
    measurement: 'failover past an open circuit vs secondary directly',
    baseline: 'manager → secondary',
    base: openCircuit.direct,
    managed: openCircuit.skip,
    goal: '≤ +0.05 ms p50',
    result: `${skipCost >= 0 ? '+' : ''}${fmt(skipCost)} ms p50`,
    met: skipCost <= 0.05,
  });

  // 3. Failover on a 500 (retries off) vs the secondary directly, against one bare 500 round trip.
  const failing = manager();
  const primary500 = openAiProvider(url, 'error-500');
  failing.registerModel('primary', primary500, metadata);
  failing.registerModel('secondary', openAiProvider(url, 'ok'), metadata);
  const on500 = await sideBySide({
    bare500: async () => {
      try {
        await sdk.chat.completions.create({
          model: 'error-500',
          messages: [{ role: 'user', content: PROMPT }],
        });
      } catch {
        return;
      }
      throw new Error('expected a 500');
    },
    // One 500 round trip as the manager makes it: through the provider, ending in an LlmError.
    provider500: async () => {
      try {
        await primary500.generate(
          { model: 'primary', messages: [{ role: 'user', content: PROMPT }] },
          new AbortController().signal,
        );
      } catch {
        return;
      }
      throw new Error('expected a 500');
    },
    direct: async () => void (await failing.generate({ prompt: PROMPT, chain: ['secondary'] })),
    failover: async () => void (await failing.generate({ prompt: PROMPT, chain: ['primary', 'secondary'] })),
  });
  const extra = on500.failover.p50 - on500.direct.p50;
  // Count what reached the upstream during one more batch of failovers: exactly one extra call each.
  const before500 = await upstreamCalls(url, 'error-500');
  for (let i = 0; i < 100; i++) await failing.generate({ prompt: PROMPT, chain: ['primary', 'secondary'] });
  const callsPerFailover = ((await upstreamCalls(url, 'error-500')) - before500) / 100;
  rows.push({
    measurement: 'failover on a 500 (retries off) vs secondary directly',
    baseline: 'manager → secondary',
    base: on500.direct,
    managed: on500.failover,
    goal: 'extra ≤ one 500 round trip',
    result:
      `${callsPerFailover} extra upstream call per failover; extra ${fmt(extra)} ms p50 = ` +
      `${(extra / on500.provider500.p50).toFixed(2)}× one 500 round trip through the provider (${fmt(on500.provider500.p50)} ms), ` +
      `${(extra / on500.bare500.p50).toFixed(2)}× a bare SDK 500 (${fmt(on500.bare500.p50)} ms)`,
    met: callsPerFailover === 1 && extra <= on500.provider500.p50,
  });

  // 4. Cache hit vs a loopback call.
  const caching = manager({ enableCaching: true });
  caching.registerModel('gpt', openAiProvider(url, 'ok'), metadata);
  await caching.generate({ prompt: PROMPT, temperature: 0 });
  const cache = await sideBySide({
    loopback: bareCall,
    hit: async () => void (await caching.generate({ prompt: PROMPT, temperature: 0 })),
  });
  const speedup = cache.loopback.p50 / cache.hit.p50;
  rows.push({
    measurement: 'cache hit vs a loopback call',
    baseline: 'bare SDK call',
    base: cache.loopback,
    managed: cache.hit,
    goal: '≥ 30× faster p50',
    result: `${speedup.toFixed(0)}× faster p50`,
    met: speedup >= 30,
  });

  // 5. Streaming: time to first token through the manager vs the bare SDK.
  const streaming = manager();
  streaming.registerModel('gpt', openAiProvider(url, 'ok'), metadata);
  const ttft = await sideBySide({
    bare: async () => {
      const start = now();
      let first: number | undefined;
      const stream = await sdk.chat.completions.create({
        model: 'ok',
        messages: [{ role: 'user', content: PROMPT }],
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const chunk of stream)
        if (first === undefined && chunk.choices[0]?.delta?.content) first = msSince(start);
      return first;
    },
    manager: async () => {
      const start = now();
      let first: number | undefined;
      await streaming.generate({ prompt: PROMPT, onToken: () => (first ??= msSince(start)) });
      return first;
    },
  });
  const t50 = ttft.manager.p50 / ttft.bare.p50;
  rows.push({
    measurement: 'streaming time to first token',
    baseline: 'bare SDK stream',
    base: ttft.bare,
    managed: ttft.manager,
    goal: '≤ 1.05× p50',
    result: `${t50.toFixed(3)}× p50 (${(ttft.manager.p99 / ttft.bare.p99).toFixed(3)}× p99)`,
    met: t50 <= 1.05,
  });

  // 6. The cold path: the manager, a failover and a cache hit rotated call by call with the bare SDK.
  const cold = await measureInterleaved({
    sdk,
    provider: (model) => openAiProvider(url, model),
    metadata,
    prompt: PROMPT,
    rotations: ITERATIONS,
    warmup: WARMUP,
  });
  const c50 = cold.manager.p50 / cold.bare.p50;
  const c99 = cold.manager.p99 / cold.bare.p99;
  rows.push({
    measurement: 'interleaved: manager.generate vs bare SDK, rotated call by call',
    baseline: 'bare SDK call',
    base: cold.bare,
    managed: cold.manager,
    goal: '≤ 1.07× p50, ≤ 1.10× p99',
    result: `${c50.toFixed(3)}× p50, ${c99.toFixed(3)}× p99 (+${fmt(cold.manager.p50 - cold.bare.p50)} ms p50)`,
    met: c50 <= 1.07 && c99 <= 1.1,
  });
  rows.push({
    measurement: 'interleaved: cache hit, rotated call by call',
    baseline: 'bare SDK call',
    base: cold.bare,
    managed: cold.cacheHit,
    goal: '≤ 20 µs p50',
    result: `${(cold.cacheHit.p50 * 1000).toFixed(1)} µs p50 (${(cold.bare.p50 / cold.cacheHit.p50).toFixed(0)}× faster than a loopback call)`,
    met: cold.cacheHit.p50 <= 0.02,
  });
  rows.push({
    measurement: 'interleaved: failover on a 500, rotated call by call',
    baseline: 'bare SDK call',
    base: cold.bare,
    managed: cold.failover,
    goal: '≈ two round trips',
    result: `${(cold.failover.p50 / cold.bare.p50).toFixed(2)}× one bare call p50`,
    met: cold.failover.p50 <= 2.2 * cold.bare.p50,
  });

  // 7. Memory: RSS before and after 10 000 requests (after a warm-up, with a GC on both sides).
  const gc = (globalThis as { gc?: () => void }).gc;
  const settle = () => {
    gc?.();
    gc?.();
  };
  const soak = manager();
  soak.registerModel('gpt', openAiProvider(url, 'ok'), metadata);
  const runMany = async (count: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < count) await soak.generate({ prompt: `${PROMPT} #${next++}` });
      }),
    );
  };
  // Warm up first: the first thousands of requests grow V8's heap and the HTTP pools to their
  // working size, which is start-up, not a leak.
  await runMany(MEMORY_REQUESTS);
  settle();
  const before = process.memoryUsage();
  await runMany(MEMORY_REQUESTS);
  settle();
  const after = process.memoryUsage();
  const rssBefore = before.rss;
  const rssAfter = after.rss;
  const growth = rssAfter / rssBefore - 1;

  child.disconnect();
  child.kill();

  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const header = [
    `Machine: ${cpu} × ${os.cpus().length} cores, ${mb(os.totalmem())} RAM, ${os.type()} ${os.release()}, Node ${process.version}.`,
    `Date: ${new Date().toISOString()}. ${ITERATIONS} timed iterations per series after ${WARMUP} warm-up, interleaved in blocks of ${BLOCK}; the fault upstream runs in its own process on 127.0.0.1.`,
    `GC for the memory check: ${gc ? 'forced (--expose-gc)' : 'not available (run with --expose-gc)'}.`,
  ];
  const table = [
    '| measurement | baseline | baseline p50 / p99 (ms) | manager p50 / p99 (ms) | result | goal | met |',
    '|---|---|---:|---:|---|---|:---:|',
    ...rows.map(
      (r) =>
        `| ${r.measurement} | ${r.baseline} | ${fmt(r.base.p50)} / ${fmt(r.base.p99)} | ${fmt(r.managed.p50)} / ${fmt(r.managed.p99)} | ${r.result} | ${r.goal} | ${r.met ? 'yes' : 'no'} |`,
    ),
    `| RSS before / after ${MEMORY_REQUESTS.toLocaleString('en-US')} requests (after ${MEMORY_REQUESTS.toLocaleString('en-US')} warm-up) | — | ${mb(rssBefore)} | ${mb(rssAfter)} | ${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} % RSS; heap used ${mb(before.heapUsed)} → ${mb(after.heapUsed)} | no growth beyond 10 % | ${growth <= 0.1 ? 'yes' : 'no'} |`,
  ];
  const text = [...header, '', ...table].join('\n');
  process.stdout.write(`${text}\n`);
  const file = path.resolve(__dirname, '../../bench/results.md');
  fs.writeFileSync(file, `# Benchmark results (\`npm run bench\`)\n\n${text}\n`);
  process.stdout.write(`\nWritten to ${path.relative(process.cwd(), file)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
