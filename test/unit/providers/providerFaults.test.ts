import * as assert from 'node:assert/strict';
import { type LlmErrorKind, type StreamChunk } from '../../../src/core';
import { FakeClock } from '../../support/fakeClock';
import { PLANTED_KEY, useFaultUpstream } from '../../support/faultServer';
import {
  caught,
  metadataFor,
  PROVIDER_KINDS,
  providerFor,
  TEST_PRICE,
  testManager,
  type ProviderKindUnderTest,
} from '../../support/providerFixtures';

/** Both clocks pinned to a whole second, so an HTTP-date Retry-After converts exactly. */
const WALL_CLOCK = Date.UTC(2026, 10, 23, 12, 0, 0);

interface FaultCase {
  readonly model: string;
  readonly kind: LlmErrorKind;
  readonly retryAfterMs?: number;
  /** HTTP status per provider kind, when the answer had one. */
  readonly status?: number | Partial<Record<ProviderKindUnderTest, number>>;
  /** What a streamed request ends with, when it differs from `kind` (text was already shown). */
  readonly streamKind?: LlmErrorKind;
}

const FAULTS: readonly FaultCase[] = [
  { model: 'error-500', kind: 'server', status: 500 },
  { model: 'error-502', kind: 'server', status: 502 },
  { model: 'error-503', kind: 'server', status: 503 },
  { model: 'error-504', kind: 'server', status: 504 },
  {
    model: 'overloaded',
    kind: 'server',
    status: { openai: 503, azure: 503, openaiCompatible: 503, anthropic: 529, responses: 503 },
  },
  { model: 'ratelimit', kind: 'rateLimit', status: 429 },
  { model: 'ratelimit-7', kind: 'rateLimit', retryAfterMs: 7000, status: 429 },
  { model: 'ratelimitms-1500', kind: 'rateLimit', retryAfterMs: 1500, status: 429 },
  { model: 'ratelimitdate-30', kind: 'rateLimit', retryAfterMs: 30_000, status: 429 },
  {
    model: 'quota',
    kind: 'quota',
    status: { openai: 429, azure: 429, openaiCompatible: 429, anthropic: 400, responses: 429 },
  },
  {
    model: 'billing',
    kind: 'quota',
    status: { openai: 429, azure: 429, openaiCompatible: 429, anthropic: 402, responses: 429 },
  },
  { model: 'auth', kind: 'auth', status: 401 },
  { model: 'leaky-auth', kind: 'auth', status: 401 },
  { model: 'forbidden', kind: 'auth', status: 403 },
  { model: 'context', kind: 'contextLength', status: 400 },
  { model: 'content-policy', kind: 'contentPolicy', status: 400 },
  { model: 'refusal', kind: 'contentPolicy' },
  { model: 'notfound', kind: 'badRequest', status: 404 },
  { model: 'error-422', kind: 'badRequest', status: 422 },
  { model: 'garbage', kind: 'badResponse', streamKind: 'interrupted' },
  { model: 'empty', kind: 'badResponse' },
  { model: 'reset', kind: 'network' },
  { model: 'cut-3', kind: 'network', streamKind: 'interrupted' },
];

/** What the chain does with each kind: retry on the same model, and whether the breaker counts it. */
const DECISIONS: Record<string, { retried: boolean; counted: boolean }> = {
  server: { retried: true, counted: true },
  network: { retried: true, counted: true },
  badResponse: { retried: true, counted: true },
  rateLimit: { retried: true, counted: true },
  quota: { retried: false, counted: true },
  auth: { retried: false, counted: true },
  contextLength: { retried: false, counted: false },
  contentPolicy: { retried: false, counted: false },
  badRequest: { retried: false, counted: false },
};

async function drain(stream: AsyncIterable<StreamChunk>): Promise<StreamChunk[]> {
  const chunks: StreamChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

function expectedStatus(fault: FaultCase, kind: ProviderKindUnderTest): number | undefined {
  return typeof fault.status === 'number' ? fault.status : fault.status?.[kind];
}

function request(registryName: string) {
  return { model: registryName, messages: [{ role: 'user' as const, content: 'Why is the sky blue?' }] };
}

for (const providerKind of PROVIDER_KINDS) {
  describe(`${providerKind} provider against the fault upstream (real SDK, real HTTP)`, () => {
    const upstream = useFaultUpstream({ now: () => WALL_CLOCK });
    const deps = { now: () => WALL_CLOCK };

    it('answers with text, usage and a finish reason, streamed or not', async () => {
      const provider = providerFor(providerKind, upstream(), 'ok', deps);
      const answer = await provider.generate(request('primary'), new AbortController().signal);
      assert.match(answer.text, /^Demo answer from ok: you asked "Why is the sky blue\?"/);
      const served = upstream().stats().recent[0];
      assert.deepEqual(answer.usage, served.usage);
      assert.ok(answer.usage.inputTokens > 0 && answer.usage.outputTokens > 0);

      const chunks = await drain(provider.stream(request('primary'), new AbortController().signal));
      const text = chunks.map((c) => (c.type === 'text' ? c.text : '')).join('');
      assert.equal(text, answer.text);
      const usages = chunks.filter((c) => c.type === 'usage');
      assert.deepEqual(usages[usages.length - 1], { type: 'usage', usage: served.usage });
      assert.ok(chunks.some((c) => c.type === 'finish'));
      assert.ok(chunks.filter((c) => c.type === 'text').length > 10, 'the answer arrives in many pieces');
    });

    it('sends no SDK retries: one upstream call per failed attempt', async () => {
      const provider = providerFor(providerKind, upstream(), 'error-503', deps);
      await caught(provider.generate(request('primary'), new AbortController().signal));
      assert.equal(upstream().stats().total, 1);
    });

    for (const fault of FAULTS) {
      it(`maps "${fault.model}" to ${fault.kind}, streamed or not`, async () => {
        const provider = providerFor(providerKind, upstream(), fault.model, deps);
        const status = expectedStatus(fault, providerKind);
        const error = await caught(provider.generate(request('primary'), new AbortController().signal));
        assert.equal(error.kind, fault.kind, error.message);
        assert.equal(error.retryAfterMs, fault.retryAfterMs);
        assert.equal(error.status, status);
        assert.equal(error.model, 'primary');
        assert.equal(error.missingKey, false);
        assert.ok(!error.message.includes(PLANTED_KEY));

        const streamed = await caught(
          drain(provider.stream(request('primary'), new AbortController().signal)),
        );
        // The provider reports the failure as it saw it; `interrupted` is the manager's verdict.
        assert.equal(streamed.kind, fault.kind, streamed.message);
        assert.equal(streamed.retryAfterMs, fault.retryAfterMs);
        assert.ok(!streamed.message.includes(PLANTED_KEY));
      });
    }

    for (const fault of FAULTS) {
      it(`routes "${fault.model}": ${DECISIONS[fault.kind].retried ? 'retries' : 'no retry'}, then fails over; breaker ${DECISIONS[fault.kind].counted ? 'counts it' : 'ignores it'}; cost from the answering model`, async () => {
        for (const streaming of [false, true]) {
          upstream().resetStats();
          const clock = new FakeClock();
          const { manager } = testManager({ clock });
          manager.registerModel(
            'primary',
            providerFor(providerKind, upstream(), fault.model, deps),
            metadataFor(providerKind, upstream(), fault.model),
          );
          // A larger window, so a context-length failure on the primary does not rule the backup out.
          manager.registerModel(
            'backup',
            providerFor(providerKind, upstream(), 'ok~backup', deps),
            metadataFor(providerKind, upstream(), 'ok~backup', { contextWindow: 2_000_000 }),
          );
          manager.setActiveModel('primary');
          manager.setFallbackChain(['backup']);

          const pieces: string[] = [];
          const run = manager.generate({
            prompt: 'Why is the sky blue?',
            onToken: streaming ? (t) => pieces.push(t) : undefined,
          });
          const stats = () => upstream().stats();
          const streamKind = streaming ? fault.streamKind : undefined;
          if (streamKind === 'interrupted') {
            const error = await caught(run);
            assert.equal(error.kind, 'interrupted');
            assert.ok(error.partialText && error.partialText.length > 0);
            assert.equal(error.partialText, pieces.join(''));
            assert.equal(stats().byModel['ok~backup'], undefined, 'no failover once text was shown');
            continue;
          }
          const result = await run;
          const decision = DECISIONS[fault.kind];
          const faultyAttempts = fault.retryAfterMs !== undefined ? 1 : decision.retried ? 2 : 1;
          assert.equal(result.model, 'backup');
          assert.equal(stats().byModel[fault.model], faultyAttempts, 'attempts on the faulty model');
          assert.equal(stats().byModel['ok~backup'], 1);
          const attempts = result.trace.steps.filter((s) => s.type === 'attempt' && s.model === 'primary');
          assert.equal(attempts.length, faultyAttempts);
          assert.ok(attempts.every((s) => s.type === 'attempt' && s.errorKind === fault.kind));

          const info = manager.getModelInfo('primary')!;
          assert.equal(info.circuit.consecutiveFailures, decision.counted ? faultyAttempts : 0);
          if (fault.retryAfterMs !== undefined) {
            assert.equal(
              info.retryAfterUntil,
              clock.now() + fault.retryAfterMs,
              'a long Retry-After keeps the model out until then',
            );
          }
          const served = stats().recent.find((r) => r.model === 'ok~backup')!;
          assert.deepEqual(result.usage, served.usage);
          const expectedCost =
            (served.usage!.inputTokens * TEST_PRICE.inputPerMTok +
              served.usage!.outputTokens * TEST_PRICE.outputPerMTok) /
            1e6;
          assert.ok(Math.abs(result.costUsd - expectedCost) < 1e-12);
          if (streaming) assert.equal(pieces.join(''), result.text, 'only the backup streamed, once');
          await manager.dispose();
        }
      });
    }
  });
}
