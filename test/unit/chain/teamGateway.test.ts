import * as assert from 'node:assert/strict';
import { LlmManager } from '../../../src/core';
import { createProvider, defaultModelMetadata, type ProviderConfig } from '../../../src/providers';
import { FakeClock, MemoryLogger } from '../../support/fakeClock';
import { MemorySecrets, PLANTED_KEY, useFaultUpstream } from '../../support/faultServer';
import { startPortkeyGateway, type PortkeyGateway } from '../../support/portkeyGateway';
import { metadataFor, providerFor, TEST_PRICE } from '../../support/providerFixtures';

/**
 * Team scale: the real Portkey AI gateway (`@portkey-ai/gateway` from npm) runs on loopback in front
 * of the fault upstream, and the "team gateway" preset puts it in the chain like any other model.
 */
describe('team gateway: the real Portkey gateway as a chain member', function () {
  // Starting the gateway's Node process takes about a second on this machine.
  this.timeout(30_000);
  const upstream = useFaultUpstream();
  let gateway: PortkeyGateway;

  before(async () => {
    gateway = await startPortkeyGateway();
  });
  after(async () => {
    await gateway?.close();
  });

  function viaGateway(model: string): ProviderConfig {
    return {
      kind: 'openaiCompatible',
      preset: 'portkey',
      model,
      baseUrl: gateway.baseUrl,
      // The open-source gateway routes by headers: which provider, and where that provider lives.
      extraHeaders: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream().url}/v1` },
    };
  }

  function setUp(primaryModel: string): LlmManager {
    const manager = new LlmManager({
      clock: new FakeClock(),
      logger: new MemoryLogger(),
      enableCaching: false,
      maxRetries: 0,
    });
    const secrets = new MemorySecrets({ openai: PLANTED_KEY, portkey: PLANTED_KEY, anthropic: PLANTED_KEY });
    manager.registerModel(
      'direct',
      providerFor('openai', upstream(), primaryModel),
      metadataFor('openai', upstream(), primaryModel),
    );
    const config = viaGateway('ok~gateway');
    manager.registerModel(
      'team',
      createProvider(config, { secrets }),
      defaultModelMetadata(config, { priceOverrides: { 'ok~gateway': TEST_PRICE } }),
    );
    manager.registerModel(
      'claude',
      providerFor('anthropic', upstream(), 'ok~claude'),
      metadataFor('anthropic', upstream(), 'ok~claude'),
    );
    manager.setFallbackChain(['direct', 'team', 'claude']);
    return manager;
  }

  it('answers through the gateway when the direct model fails, with usage and cost', async () => {
    const manager = setUp('error-500');
    const result = await manager.generate({ prompt: 'What does a gateway do?' });
    assert.equal(result.model, 'team');
    assert.match(result.text, /^Demo answer from ok~gateway: you asked "What does a gateway do\?"/);
    const relayed = upstream()
      .stats()
      .recent.find((r) => r.model === 'ok~gateway')!;
    assert.equal(relayed.path, '/v1/chat/completions', 'the gateway forwarded to the custom host');
    assert.equal(relayed.hadKey, true, 'the key travelled through the gateway');
    assert.deepEqual(result.usage, relayed.usage);
    assert.equal(
      result.costUsd,
      (relayed.usage!.inputTokens * TEST_PRICE.inputPerMTok +
        relayed.usage!.outputTokens * TEST_PRICE.outputPerMTok) /
        1e6,
    );
    await manager.dispose();
  });

  it("keeps the upstream's Retry-After through the gateway, so a relayed 429 is a rate limit with its wait", async () => {
    const secrets = new MemorySecrets({ portkey: PLANTED_KEY });
    const provider = createProvider(viaGateway('ratelimit-9'), { secrets });
    await assert.rejects(
      provider.generate(
        { model: 'team', messages: [{ role: 'user', content: 'hi' }] },
        new AbortController().signal,
      ),
      (error: unknown) => {
        const llm = error as { kind: string; retryAfterMs?: number; message: string };
        return llm.kind === 'rateLimit' && llm.retryAfterMs === 9000 && !llm.message.includes(PLANTED_KEY);
      },
    );
  });

  it('a streamed request through the gateway either streams or fails over before the first token — never shows text twice', async () => {
    // Portkey 1.15.2 on Node 20 answers a streamed passthrough with HTTP 500 ("TypeError: immutable"
    // inside the gateway). The chain must treat that like any failure before the first token.
    const manager = setUp('auth');
    const shown: string[] = [];
    const result = await manager.generate({
      prompt: 'stream via the team gateway',
      onToken: (t) => shown.push(t),
    });
    assert.ok(result.model === 'team' || result.model === 'claude', result.model);
    assert.equal(shown.join(''), result.text);
    const teamAttempt = result.trace.steps.find((s) => s.type === 'attempt' && s.model === 'team');
    assert.ok(teamAttempt && teamAttempt.type === 'attempt');
    if (teamAttempt.outcome === 'error') assert.equal(teamAttempt.errorKind, 'server');
    await manager.dispose();
  });
});
