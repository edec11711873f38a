import * as assert from 'node:assert/strict';
import {
  anthropicClientOptions,
  constructWithoutSdkEnvironment,
  fetchOnlyTo,
  openAiClientOptions,
} from '../../../src/providers/clientOptions';
import { endpointOf } from '../../../src/providers';
import { PLANTED_KEY, useFaultUpstream } from '../../support/faultServer';
import { configFor, PROVIDER_KINDS, providerFor } from '../../support/providerFixtures';
import { startRecordingRelay, type RecordingRelay } from '../../support/recordingRelay';

const ask = { model: 'm', messages: [{ role: 'user' as const, content: 'Where do tides come from?' }] };
const ENV_SECRET = 'env-secret-must-not-travel-41c9';

/** Every variable the two SDKs read, set to something hostile: a trap URL, a credential, tracing. */
function hostileEnvironment(trap: string): Record<string, string> {
  return {
    OPENAI_BASE_URL: `${trap}/v1`,
    OPENAI_API_KEY: ENV_SECRET,
    OPENAI_ADMIN_KEY: ENV_SECRET,
    OPENAI_ORG_ID: 'org-from-env',
    OPENAI_PROJECT_ID: 'proj-from-env',
    OPENAI_CUSTOM_HEADERS: `X-From-Env: ${ENV_SECRET}\nAuthorization: Bearer ${ENV_SECRET}`,
    OPENAI_LOG: 'debug',
    OPENAI_API_VERSION: '1999-01-01',
    AZURE_OPENAI_ENDPOINT: trap,
    AZURE_OPENAI_API_KEY: ENV_SECRET,
    ANTHROPIC_BASE_URL: trap,
    ANTHROPIC_API_KEY: ENV_SECRET,
    ANTHROPIC_AUTH_TOKEN: ENV_SECRET,
    ANTHROPIC_CUSTOM_HEADERS: `X-From-Env: ${ENV_SECRET}\nX-Api-Key: ${ENV_SECRET}`,
    ANTHROPIC_LOG: 'debug',
    ANTHROPIC_OPEN_TELEMETRY: 'true',
  };
}

describe('providers: environment variables cannot redirect a request or add a credential', () => {
  const upstream = useFaultUpstream();
  let relay: RecordingRelay;
  let trap: RecordingRelay;
  const saved = new Map<string, string | undefined>();

  before(async () => {
    trap = await startRecordingRelay();
  });
  beforeEach(async () => {
    relay = await startRecordingRelay(upstream().url);
    for (const [name, value] of Object.entries(hostileEnvironment(trap.url))) {
      saved.set(name, process.env[name]);
      process.env[name] = value;
    }
  });
  afterEach(async () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    saved.clear();
    await relay.close();
  });
  after(() => trap.close());

  for (const kind of PROVIDER_KINDS) {
    it(`${kind}: sends to the configured endpoint only, with the stored key and no header from the environment`, async () => {
      const logged: unknown[] = [];
      const originalDebug = console.debug;
      console.debug = (...args: unknown[]) => logged.push(args);
      try {
        // The relay stands where the model's settings point; it forwards to the fault upstream.
        const config = configFor(kind, { ...upstream(), url: relay.url }, 'ok');
        const provider = providerFor(kind, { ...upstream(), url: relay.url }, 'ok');
        assert.equal(new URL(endpointOf(config)).origin, relay.url);
        const answer = await provider.generate(ask, new AbortController().signal);
        assert.match(answer.text, /Demo answer/);
      } finally {
        console.debug = originalDebug;
      }
      assert.equal(trap.requests.length, 0, 'nothing reached the URL the environment named');
      assert.equal(relay.requests.length, 1);
      const headers = relay.requests[0].headers;
      assert.ok(!relay.saw(ENV_SECRET), `an environment credential travelled: ${JSON.stringify(headers)}`);
      assert.ok(relay.saw(PLANTED_KEY), 'the stored key travelled');
      for (const name of ['x-from-env', 'openai-organization', 'openai-project', 'traceparent'])
        assert.equal(headers[name], undefined, `header ${name} came from the environment`);
      if (kind === 'azure') assert.match(relay.requests[0].url, /api-version=2024-10-21/);
      assert.deepEqual(logged, [], 'no SDK log lines (OPENAI_LOG / ANTHROPIC_LOG)');
    });
  }

  it('leaves the environment as it was after building a client', async () => {
    const provider = providerFor('openai', upstream(), 'ok');
    await provider.generate(ask, new AbortController().signal);
    assert.equal(process.env.OPENAI_BASE_URL, `${trap.url}/v1`);
    assert.equal(process.env.ANTHROPIC_AUTH_TOKEN, ENV_SECRET);
  });

  it('fills in the vendor default base URL explicitly, so the environment never picks it', async () => {
    assert.equal(endpointOf({ kind: 'openai', model: 'gpt-4o-mini' }), 'https://api.openai.com/v1');
    assert.equal(endpointOf({ kind: 'anthropic', model: 'claude' }), 'https://api.anthropic.com');
    assert.equal(
      endpointOf({ kind: 'openaiCompatible', preset: 'groq', model: 'x' }),
      'https://api.groq.com/openai/v1',
    );
    const openai = await import('openai');
    const anthropic = await import('@anthropic-ai/sdk');
    const pinned = (endpoint: string) => ({ apiKey: 'k', endpoint, timeoutMs: 1000, headers: {} });
    const openAiClient = constructWithoutSdkEnvironment(
      () => new openai.OpenAI(openAiClientOptions(pinned(endpointOf({ kind: 'openai', model: 'm' })))),
    );
    assert.equal(openAiClient.baseURL, 'https://api.openai.com/v1');
    assert.equal(openAiClient.organization, null);
    const anthropicClient = constructWithoutSdkEnvironment(
      () =>
        new anthropic.Anthropic(
          anthropicClientOptions(pinned(endpointOf({ kind: 'anthropic', model: 'm' }))),
        ),
    );
    assert.equal(anthropicClient.baseURL, 'https://api.anthropic.com');
    assert.equal(anthropicClient.authToken, null);
    assert.equal(anthropicClient.openTelemetry.traces.enabled, false);
    assert.equal(anthropicClient.openTelemetry.propagation, false);
  });

  it("refuses, before connecting, a URL outside the model's endpoint", async () => {
    const guarded = fetchOnlyTo(`${relay.url}/v1`);
    await assert.rejects(
      guarded(`${trap.url}/v1/chat/completions`),
      /Refused to send a request to http:\/\/127\.0\.0\.1:\d+/,
    );
    assert.equal(trap.requests.length, 0);
    // Spellings that begin like the endpoint but name another host or port are refused too.
    const trapHost = new URL(trap.url).host;
    for (const lookalike of [`${relay.url}@${trapHost}/v1/models`, `${relay.url}0/v1/models`]) {
      await assert.rejects(guarded(lookalike), /Refused to send a request to/, lookalike);
    }
    assert.equal(trap.requests.length, 0);
    await guarded(`${relay.url}/v1/models`);
    assert.equal(relay.requests.length, 1, 'the endpoint itself is reachable through the same fetch');
  });
});
