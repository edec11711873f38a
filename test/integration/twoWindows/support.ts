// What the two-window tests share: the models the driver configured (twoWindows/run.mjs writes
// them into the user settings before the server starts, pointing at the one fault upstream it
// runs), the exact usage and cost the upstream's deterministic answers imply, and a record of every
// request this window made, which the windows exchange to know the exact sums to expect.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { GenerateResult } from '../../../src/core';
import { countTokens, demoAnswer } from '../../../src/demo/faultResponses';
import type { ExtensionExports } from '../../../src/extension/extension';
import { testLog } from '../output';

/** Model ids of the driver's settings (keep in step with TWO_WINDOW_MODELS in run.mjs). */
export const MODELS = {
  alpha: 'tw-alpha',
  beta: 'tw-beta',
  broken: 'tw-broken',
  free: 'tw-free',
} as const;

/** Every request in these tests asks for at most this many tokens (the answers need fewer). */
export const MAX_TOKENS = 512;

interface ConfiguredModel {
  readonly id: string;
  /** The upstream's model name, which selects its behaviour. */
  readonly model: string;
  readonly inputPricePerMTok: number;
  readonly outputPricePerMTok: number;
}

export function configuredModel(id: string): ConfiguredModel {
  const models = vscode.workspace.getConfiguration('llmManager').get<ConfiguredModel[]>('models') ?? [];
  const found = models.find((model) => model.id === id);
  assert.ok(found, `the driver configured no model "${id}" (llmManager.models)`);
  return found;
}

/** The folder the driver expects the extension's global storage in (the server's user data). */
export function globalStorageFolder(): string {
  const folder = process.env.LLM_MANAGER_TEST_GLOBAL_STORAGE;
  assert.ok(folder, 'LLM_MANAGER_TEST_GLOBAL_STORAGE is not set: run this suite with its driver');
  return folder;
}

export function upstreamUrl(): string {
  const url = process.env.LLM_MANAGER_TEST_UPSTREAM;
  assert.ok(url, 'LLM_MANAGER_TEST_UPSTREAM is not set: run this suite with its driver');
  return url;
}

/** Calls the driver's upstream has received for an upstream model name, from both windows. */
export async function upstreamCalls(upstreamModel: string): Promise<number> {
  const response = await fetch(`${upstreamUrl()}/_stats`);
  const stats = (await response.json()) as { byModel: Record<string, number> };
  return stats.byModel[upstreamModel] ?? 0;
}

/**
 * The usage the upstream reports for a one-message prompt, as it counts (src/demo/faultRequests.ts
 * and faultAnswer.ts): the message's tokens plus 3, plus 3 that prime the answer; then the whole
 * demo answer, which fits in {@link MAX_TOKENS}.
 */
export function predictedUsage(
  modelId: string,
  prompt: string,
): { inputTokens: number; outputTokens: number } {
  const answer = demoAnswer(configuredModel(modelId).model, prompt);
  assert.ok(countTokens(answer) <= MAX_TOKENS, 'the demo answer fits in MAX_TOKENS');
  return { inputTokens: countTokens(prompt) + 3 + 3, outputTokens: countTokens(answer) };
}

/** US dollars at the prices the driver configured. */
export function predictedCost(modelId: string, usage: { inputTokens: number; outputTokens: number }): number {
  const { inputPricePerMTok, outputPricePerMTok } = configuredModel(modelId);
  return (usage.inputTokens * inputPricePerMTok + usage.outputTokens * outputPricePerMTok) / 1_000_000;
}

/** One request this window made that the ledger must count. */
export interface SentRequest {
  readonly model: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

/** Every request this window made so far, in order. */
export const sent: SentRequest[] = [];

/**
 * Sends `prompt` to exactly `modelId` (no cache, no fallback) and checks that the usage and cost
 * are the predicted ones before recording it in {@link sent}.
 */
export async function sendCounted(
  api: ExtensionExports,
  modelId: string,
  prompt: string,
  options: { cache?: boolean } = {},
): Promise<GenerateResult> {
  const result = await api.generate({
    prompt,
    chain: [modelId],
    maxTokens: MAX_TOKENS,
    ...(options.cache ? { temperature: 0 } : { useCache: false }),
  });
  const usage = predictedUsage(modelId, prompt);
  assert.strictEqual(result.model, modelId);
  assert.deepStrictEqual(
    { inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens },
    usage,
    'the usage the upstream reported',
  );
  const costUsd = predictedCost(modelId, usage);
  assert.ok(Math.abs(result.costUsd - costUsd) < 1e-12, `cost ${result.costUsd} = predicted ${costUsd}`);
  sent.push({ model: modelId, ...usage, costUsd });
  return result;
}

/** Runs `work` over `items`, `concurrency` at a time. */
export async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/** Prints a measured figure among the suite's output. */
export function report(line: string): void {
  testLog(`      ${line}`);
}

/** Dollars with enough digits to show a one-request difference. */
export function usd(value: number): string {
  return `$${value.toFixed(6)}`;
}

/** Money compared to a billionth of a dollar: the sums are exact up to floating-point rounding. */
export function sameMoney(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-9;
}

/** Polls `read` until `accept` holds or `timeoutMs` passes; returns the last value either way. */
export async function settle<T>(
  read: () => T | Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs: number,
): Promise<{ value: T; ok: boolean; ms: number }> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (accept(value)) return { value, ok: true, ms: Date.now() - started };
    if (Date.now() - started > timeoutMs) return { value, ok: false, ms: Date.now() - started };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
