import * as assert from 'node:assert/strict';
import type { LlmError, LlmProvider, ProviderRequest } from '../../../src/core';
import { createProvider, GATEWAY_HEADERS_SETTING, type ProviderConfig } from '../../../src/providers';
import { closedPort, MemorySecrets, PLANTED_KEY, useFaultUpstream } from '../../support/faultServer';
import { startLiteLlmStandIn, type LiteLlmStandIn } from '../../support/liteLlmStandIn';
import { startPortkeyGateway, type PortkeyGateway } from '../../support/portkeyGateway';
import { caught } from '../../support/providerFixtures';

const ASK: ProviderRequest = { model: 'team', messages: [{ role: 'user', content: 'hi' }] };
const UPSTREAM_KEY = 'sk-upstream-held-by-the-gateway-0123456789';

interface GatewayUnderTest {
  readonly name: string;
  member(faultModel: string): LlmProvider;
}

/**
 * Each fault of the upstream, relayed by each gateway in its own envelope, must reach the chain as
 * the same error kind as it would directly: the real Portkey gateway, and (tested against a
 * stand-in, see test/support/liteLlmStandIn.ts) the LiteLLM proxy.
 */
describe('team gateways: every upstream fault maps to its error kind through the gateway', function () {
  this.timeout(30_000);
  const upstream = useFaultUpstream();
  let portkey: PortkeyGateway;
  let liteLlm: LiteLlmStandIn;

  before(async () => {
    portkey = await startPortkeyGateway();
    liteLlm = await startLiteLlmStandIn({
      upstreamUrl: upstream().url,
      upstreamKey: UPSTREAM_KEY,
      keys: { [PLANTED_KEY]: { spend: 0 } },
    });
  });
  after(async () => {
    await portkey?.close();
    await liteLlm?.close();
  });

  const secrets = () => new MemorySecrets({ portkey: PLANTED_KEY, liteLlm: PLANTED_KEY });
  const portkeyConfig = (model: string, baseUrl = portkey.baseUrl): ProviderConfig => ({
    kind: 'openaiCompatible',
    preset: 'portkey',
    model,
    baseUrl,
    extraHeaders: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream().url}/v1` },
  });
  const liteLlmConfig = (model: string, baseUrl = liteLlm.baseUrl): ProviderConfig => ({
    kind: 'openaiCompatible',
    preset: 'liteLlm',
    model,
    baseUrl,
  });

  const gateways: readonly GatewayUnderTest[] = [
    {
      name: 'the Portkey gateway',
      member: (model) => createProvider(portkeyConfig(model), { secrets: secrets() }),
    },
    {
      name: 'the LiteLLM proxy (stand-in)',
      member: (model) => createProvider(liteLlmConfig(model), { secrets: secrets() }),
    },
  ];

  const noKeyIn = (error: LlmError) => {
    assert.ok(!error.message.includes(PLANTED_KEY), error.message);
    assert.ok(!error.message.includes(UPSTREAM_KEY), error.message);
  };

  for (const gateway of gateways) {
    describe(`through ${gateway.name}`, () => {
      it('a relayed 429 with Retry-After is a rate limit that keeps its wait', async () => {
        const error = await caught(gateway.member('ratelimit-9').generate(ASK, new AbortController().signal));
        assert.equal(error.kind, 'rateLimit');
        assert.equal(error.retryAfterMs, 9000);
        noKeyIn(error);
      });

      it("a relayed 401 (the gateway's provider key refused) is an auth error", async () => {
        const error = await caught(gateway.member('auth').generate(ASK, new AbortController().signal));
        assert.equal(error.kind, 'auth');
        assert.equal(error.status, 401);
        noKeyIn(error);
      });

      for (const status of [500, 503]) {
        it(`a relayed ${status} is a server error`, async () => {
          const error = await caught(
            gateway.member(`error-${status}`).generate(ASK, new AbortController().signal),
          );
          assert.equal(error.kind, 'server');
          assert.equal(error.status, status);
        });
      }

      it('a relayed quota refusal is quota (no retry), and a prompt too long is contextLength', async () => {
        const quota = await caught(gateway.member('quota').generate(ASK, new AbortController().signal));
        assert.equal(quota.kind, 'quota');
        const context = await caught(gateway.member('context').generate(ASK, new AbortController().signal));
        assert.equal(context.kind, 'contextLength');
      });

      it('a streamed request fails the same way before its first token', async () => {
        const member = gateway.member('ratelimit-7');
        const error = await caught(
          (async () => {
            for await (const chunk of member.stream(ASK, new AbortController().signal)) void chunk;
          })(),
        );
        assert.equal(error.kind, 'rateLimit');
        assert.equal(error.retryAfterMs, 7000);
      });
    });
  }

  it('the Portkey gateway down is a network error', async () => {
    const down = `http://127.0.0.1:${await closedPort()}/v1`;
    const member = createProvider(portkeyConfig('ok', down), { secrets: secrets() });
    const error = await caught(member.generate(ASK, new AbortController().signal));
    assert.equal(error.kind, 'network');
  });

  it('the LiteLLM proxy (stand-in) down is a network error', async () => {
    const down = `http://127.0.0.1:${await closedPort()}/v1`;
    const member = createProvider(liteLlmConfig('ok', down), { secrets: secrets() });
    const error = await caught(member.generate(ASK, new AbortController().signal));
    assert.equal(error.kind, 'network');
  });

  it('the LiteLLM proxy (stand-in) refusing the virtual key is an auth error, the key not echoed', async () => {
    const member = createProvider(liteLlmConfig('ok'), {
      secrets: new MemorySecrets({ liteLlm: 'sk-not-a-key-this-proxy-knows-4242' }),
    });
    const error = await caught(member.generate(ASK, new AbortController().signal));
    assert.equal(error.kind, 'auth');
    assert.ok(!error.message.includes('sk-not-a-key-this-proxy-knows-4242'), error.message);
  });

  describe("the Portkey gateway's own refusal of a routing configuration names the setting to fix", () => {
    const refusals: ReadonlyArray<[string, Record<string, string>, RegExp]> = [
      ['a config that is not JSON', { 'x-portkey-config': '{not json' }, /valid json/i],
      [
        'an unknown strategy',
        { 'x-portkey-config': JSON.stringify({ strategy: { mode: 'nonsense' }, targets: [] }) },
        /mode/,
      ],
      ['neither routing header', {}, /x-portkey-config or x-portkey-provider header is required/],
    ];
    for (const [what, headers, detail] of refusals) {
      it(`${what}: badRequest (not retried), naming ${GATEWAY_HEADERS_SETTING}`, async () => {
        const member = createProvider(
          {
            kind: 'openaiCompatible',
            preset: 'portkey',
            model: 'ok',
            baseUrl: portkey.baseUrl,
            extraHeaders: headers,
          },
          { secrets: secrets() },
        );
        const error = await caught(member.generate(ASK, new AbortController().signal));
        assert.equal(error.kind, 'badRequest');
        assert.equal(error.transient, false);
        assert.equal(error.status, 400);
        assert.ok(error.message.includes(GATEWAY_HEADERS_SETTING), error.message);
        assert.match(error.message, /x-portkey-config/);
        assert.match(error.message, detail);
      });
    }
  });
});
