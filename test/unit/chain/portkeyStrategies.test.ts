import * as assert from 'node:assert/strict';
import type { LlmProvider, ProviderRequest } from '../../../src/core';
import { createProvider } from '../../../src/providers';
import { MemorySecrets, PLANTED_KEY, useFaultUpstream } from '../../support/faultServer';
import { startPortkeyGateway, type PortkeyGateway } from '../../support/portkeyGateway';

const ASK: ProviderRequest = { model: 'team', messages: [{ role: 'user', content: 'route me' }] };

/**
 * The gateway's own routing (`x-portkey-config`) in front of the strict fault upstream: the
 * member sends one request, the gateway decides which target answers. The config carries the
 * provider key (`api_key`, which the gateway requires per target), so it is stored as a secret
 * header, as the README recommends: `"x-portkey-config": "${secret:portkey-config}"`.
 */
describe('team gateway: the real Portkey gateway routes by its x-portkey-config strategies', function () {
  this.timeout(60_000);
  const upstream = useFaultUpstream();
  let gateway: PortkeyGateway;

  before(async () => {
    gateway = await startPortkeyGateway();
  });
  after(async () => {
    await gateway?.close();
  });

  function target(model: string, extra: Record<string, unknown> = {}) {
    return {
      provider: 'openai',
      api_key: PLANTED_KEY,
      custom_host: `${upstream().url}/v1`,
      override_params: { model },
      ...extra,
    };
  }

  function memberWith(config: unknown): LlmProvider {
    const secrets = new MemorySecrets({ portkey: PLANTED_KEY, 'portkey-config': JSON.stringify(config) });
    return createProvider(
      {
        kind: 'openaiCompatible',
        preset: 'portkey',
        model: 'routed-by-config',
        baseUrl: gateway.baseUrl,
        secretHeaders: { 'x-portkey-config': 'portkey-config' },
      },
      { secrets },
    );
  }

  const modelsSeen = () =>
    upstream()
      .stats()
      .recent.map((r) => `${r.model} ${r.status}`);

  it('fallback: the second target answers when the first answers 500', async () => {
    const member = memberWith({
      strategy: { mode: 'fallback' },
      targets: [target('error-500~first'), target('ok~second')],
    });
    const answer = await member.generate(ASK, new AbortController().signal);
    assert.match(answer.text, /^Demo answer from ok~second:/);
    assert.deepEqual(modelsSeen(), ['error-500~first 500', 'ok~second 200']);
  });

  it('fallback works for a streamed answer too, before the first token', async () => {
    const member = memberWith({
      strategy: { mode: 'fallback' },
      targets: [target('error-503~first-stream'), target('ok~second-stream')],
    });
    let text = '';
    for await (const chunk of member.stream(ASK, new AbortController().signal)) {
      if (chunk.type === 'text') text += chunk.text;
    }
    assert.match(text, /^Demo answer from ok~second-stream:/);
    assert.deepEqual(modelsSeen(), ['error-503~first-stream 503', 'ok~second-stream 200']);
  });

  it('fallback: when every target fails, the last error comes back as the server error it is', async () => {
    const member = memberWith({
      strategy: { mode: 'fallback' },
      targets: [target('error-500~all-a'), target('error-503~all-b')],
    });
    await assert.rejects(member.generate(ASK, new AbortController().signal), (error: unknown) => {
      const llm = error as { kind: string; status?: number };
      return llm.kind === 'server' && llm.status === 503;
    });
  });

  it('loadbalance: splits 200 requests 3 : 1 by weight, within ±5 standard deviations', async () => {
    // The gateway draws each target with Math.random() (no seed to pin), so the split is checked
    // statistically: for n = 200 and p = 0.75, the count of the first target has mean 150 and
    // standard deviation √(200 · 0.75 · 0.25) ≈ 6.1; [120, 180] is ±4.9 σ, which a correct gateway
    // misses about once in two million runs, while an even split (mean 100) or one target always
    // (200) falls far outside it.
    const member = memberWith({
      strategy: { mode: 'loadbalance' },
      targets: [target('ok~lb-heavy', { weight: 0.75 }), target('ok~lb-light', { weight: 0.25 })],
    });
    const requests = 200;
    for (let sent = 0; sent < requests; sent += 10) {
      await Promise.all(Array.from({ length: 10 }, () => member.generate(ASK, new AbortController().signal)));
    }
    const counts = upstream().stats().byModel;
    const heavy = counts['ok~lb-heavy'] ?? 0;
    const light = counts['ok~lb-light'] ?? 0;
    assert.equal(heavy + light, requests, 'every request reached exactly one target');
    assert.ok(heavy >= 120 && heavy <= 180, `the heavy target took ${heavy} of ${requests}`);
  });

  it('loadbalance: a target of weight 0 is never chosen', async () => {
    const member = memberWith({
      strategy: { mode: 'loadbalance' },
      targets: [target('ok~lb-only', { weight: 1 }), target('ok~lb-never', { weight: 0 })],
    });
    for (let i = 0; i < 20; i++) await member.generate(ASK, new AbortController().signal);
    assert.deepEqual(upstream().stats().byModel, { 'ok~lb-only': 20 });
  });
});
