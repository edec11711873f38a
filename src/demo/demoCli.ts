/**
 * `npm run demo:terminal`: the manager over the real SDKs against the local fault upstream, in the terminal,
 * with no keys and no network. Shows streaming, failover, a Retry-After wait, a circuit opening and a
 * stream cut part-way, then the metrics. `--serve` keeps the upstream running for manual use.
 */

import { describeStep, isLlmError, LlmManager, type GenerateResult, type RequestTrace } from '../core';
import { createProvider } from '../providers';
import {
  DEMO_CHAIN,
  DEMO_CHUNK_DELAY_MS,
  DEMO_SETTINGS,
  demoAnswerNames,
  demoModels,
  demoSecrets,
} from './demoSetup';
import { startFaultUpstream } from './faultUpstream';

const out = (line = '') => process.stdout.write(`${line}\n`);

function describeTrace(trace: RequestTrace): string {
  return trace.steps.map(describeStep).join(' → ');
}

async function main(): Promise<void> {
  const serve = process.argv.includes('--serve');
  const upstream = await startFaultUpstream({
    chunkDelayMs: DEMO_CHUNK_DELAY_MS,
    answerNames: demoAnswerNames(),
  });
  const models = demoModels(upstream.url);
  if (serve) {
    out(
      `Fault upstream on ${upstream.url} (Ctrl+C to stop). Any key is accepted; the model name picks the behaviour:`,
    );
    for (const model of models) out(`  ${model.name.padEnd(18)} ${model.description}`);
    out(
      `Example: curl ${upstream.url}/v1/chat/completions -H 'authorization: Bearer x' -H 'content-type: application/json' -d '{"model":"flaky-2","messages":[{"role":"user","content":"hi"}]}'`,
    );
    process.once('SIGINT', () => void upstream.close().then(() => process.exit(0)));
    return;
  }

  const manager = new LlmManager({ ...DEMO_SETTINGS, enableCaching: true });
  for (const model of models)
    manager.registerModel(model.name, createProvider(model.config, { secrets: demoSecrets }), model.metadata);
  manager.setFallbackChain([...DEMO_CHAIN]);
  manager.onDidChangeCircuit((change) => out(`   [circuit] ${change.model}: ${change.from} → ${change.to}`));

  const show = (result: GenerateResult) => {
    out(`   ${describeTrace(result.trace)}`);
    out(
      `   ${result.usage.inputTokens} in / ${result.usage.outputTokens} out tokens, $${result.costUsd.toFixed(6)}, ${result.latencyMs} ms${result.cached ? ', from cache' : ''}`,
    );
  };
  const ask = async (title: string, prompt: string, options: { chain?: string[]; stream?: boolean } = {}) => {
    out();
    out(`▶ ${title}`);
    try {
      const result = await manager.generate({
        prompt,
        chain: options.chain,
        temperature: 0,
        onToken: options.stream ? (text) => process.stdout.write(text) : undefined,
      });
      if (options.stream) out();
      else out(`   ${result.text.slice(0, 110)}…`);
      show(result);
    } catch (error) {
      if (options.stream) out();
      if (!isLlmError(error)) throw error;
      out(`   ✗ ${error.kind}: ${error.message.split('\n').join('\n     ')}`);
      if (error.partialText) out(`   kept partial text: "${error.partialText}"`);
      if (error.trace) out(`   ${describeTrace(error.trace)}`);
    }
  };

  out(`LLM Manager demo — a local fault-injecting upstream on ${upstream.url}; no keys, no network.`);
  await ask(
    'Streaming through the chain (demo-gpt fails in bursts; the chain falls back if needed)',
    'What is a circuit breaker?',
    { stream: true },
  );
  await ask('The same request again: answered from the cache', 'What is a circuit breaker?', {
    stream: true,
  });
  await ask('Retry with backoff: demo-flaky fails twice, then answers', 'Retry me', {
    chain: ['demo-flaky'],
  });
  await ask('Retry-After: demo-ratelimited says "wait 2 s" once', 'Rate limit me', {
    chain: ['demo-ratelimited'],
  });
  await ask('A stream cut part-way: the partial text is kept, never duplicated elsewhere', 'Cut me off', {
    chain: ['demo-cut', 'demo-claude'],
    stream: true,
  });
  out();
  out('▶ Hammering demo-gpt while it fails: its circuit opens and later requests skip it at once');
  for (let i = 0; i < 4; i++) {
    const result = await manager.generate({ prompt: `burst ${i}`, useCache: false });
    out(`   ${describeTrace(result.trace)}`);
  }

  const metrics = manager.getMetrics();
  out();
  out(
    `Requests ${metrics.requests}, answered ${metrics.successes}, failed ${metrics.failures}, retries ${metrics.retries}, cache hits ${metrics.cacheHits}, spend $${metrics.spend.todayUsd.toFixed(6)}`,
  );
  for (const name of manager.listModels()) {
    const info = manager.getModelInfo(name)!;
    out(
      `  ${name.padEnd(18)} circuit ${info.circuit.state.padEnd(8)} attempts ${String(info.requests).padStart(2)}  ok ${String(info.successes).padStart(2)}  p50 ${info.latency.p50Ms ?? '-'} ms`,
    );
  }
  await manager.dispose();
  await upstream.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
