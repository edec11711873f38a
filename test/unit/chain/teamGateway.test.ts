import * as assert from 'node:assert/strict';
import { LlmManager, type ToolDefinition } from '../../../src/core';
import { createProvider, defaultModelMetadata, type ProviderConfig } from '../../../src/providers';
import { FakeClock, MemoryLogger } from '../../support/fakeClock';
import { MemorySecrets, PLANTED_KEY, useFaultUpstream } from '../../support/faultServer';
import { startPortkeyGateway, type PortkeyGateway } from '../../support/portkeyGateway';
import { metadataFor, providerFor, TEST_PRICE } from '../../support/providerFixtures';

const WEATHER: ToolDefinition = {
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

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

  function setUp(primaryModel: string, gatewayModel = 'ok~gateway'): LlmManager {
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
    const config = viaGateway(gatewayModel);
    manager.registerModel(
      'team',
      createProvider(config, { secrets }),
      defaultModelMetadata(config, { priceOverrides: { [gatewayModel]: TEST_PRICE } }),
    );
    manager.registerModel(
      'claude',
      providerFor('anthropic', upstream(), 'ok~claude'),
      metadataFor('anthropic', upstream(), 'ok~claude'),
    );
    manager.setFallbackChain(['direct', 'team', 'claude']);
    return manager;
  }

  const recordOf = (model: string) =>
    upstream()
      .stats()
      .recent.find((r) => r.model === model);

  it('answers through the gateway when the direct model fails, with usage and a cost counted once', async () => {
    const manager = setUp('error-500');
    const result = await manager.generate({ prompt: 'What does a gateway do?' });
    assert.equal(result.model, 'team');
    assert.match(result.text, /^Demo answer from ok~gateway: you asked "What does a gateway do\?"/);
    const relayed = recordOf('ok~gateway')!;
    assert.equal(relayed.path, '/v1/chat/completions', 'the gateway forwarded to the custom host');
    assert.equal(relayed.hadKey, true, 'the key travelled through the gateway');
    assert.deepEqual(result.usage, relayed.usage);
    // Portkey's open-source gateway reports no cost: the catalog price of the model behind it.
    const expected =
      (relayed.usage!.inputTokens * TEST_PRICE.inputPerMTok +
        relayed.usage!.outputTokens * TEST_PRICE.outputPerMTok) /
      1e6;
    assert.equal(result.costUsd, expected);
    assert.equal(manager.getMetrics().spend.todayUsd, expected, 'the ledger holds the request once');
    await manager.dispose();
  });

  it('streams through the gateway: the first tokens arrive while the upstream is still sending', async () => {
    // One chunk every 15 ms: a gateway that buffered the answer would deliver nothing until the
    // upstream had finished, so the upstream's own record at the first token tells the two apart.
    const manager = setUp('auth', 'drip-15~gateway-stream');
    const shown: string[] = [];
    let atFirstToken: { outcome: string; chunksSent: number } | undefined;
    const result = await manager.generate({
      prompt: 'stream via the team gateway',
      onToken: (text) => {
        shown.push(text);
        if (shown.length === 1) {
          const record = recordOf('drip-15~gateway-stream')!;
          atFirstToken = { outcome: record.outcome, chunksSent: record.chunksSent };
        }
      },
    });
    assert.equal(result.model, 'team', 'the gateway answered the stream (no failover)');
    assert.equal(shown.join(''), result.text);
    const final = recordOf('drip-15~gateway-stream')!;
    assert.equal(final.stream, true);
    assert.equal(final.outcome, 'completed');
    assert.ok(shown.length >= 5, `several chunks arrived (${shown.length})`);
    assert.equal(atFirstToken?.outcome, 'inFlight', 'the first token arrived before the upstream ended');
    assert.ok(
      atFirstToken.chunksSent < final.chunksSent,
      `${atFirstToken.chunksSent} of ${final.chunksSent} chunks were sent when the first token arrived`,
    );
    const teamAttempt = result.trace.steps.find((s) => s.type === 'attempt' && s.model === 'team');
    assert.ok(teamAttempt?.type === 'attempt' && teamAttempt.outcome === 'success');
    assert.deepEqual(result.usage, final.usage, "the stream's usage chunk came through the gateway");
    await manager.dispose();
  });

  it('relays tool calls, answered whole and streamed', async () => {
    const secrets = new MemorySecrets({ portkey: PLANTED_KEY });
    const provider = createProvider(viaGateway('tools~gateway'), { secrets });
    const request = {
      model: 'team',
      messages: [{ role: 'user' as const, content: 'Weather in Oslo?' }],
      tools: [WEATHER],
    };
    const answer = await provider.generate(request, new AbortController().signal);
    assert.equal(answer.toolCalls?.length, 1);
    assert.equal(answer.toolCalls[0].name, 'get_weather');
    assert.equal(typeof answer.toolCalls[0].arguments.city, 'string');

    const streamed: string[] = [];
    for await (const chunk of provider.stream(request, new AbortController().signal)) {
      if (chunk.type === 'toolCall') streamed.push(chunk.call.name);
    }
    assert.deepEqual(streamed, ['get_weather']);
    const offered = upstream()
      .stats()
      .recent.filter((r) => r.model === 'tools~gateway')
      .map((r) => r.toolExchange?.offered);
    assert.deepEqual(offered, [['get_weather'], ['get_weather']], 'the tools reached the upstream');
  });
});
