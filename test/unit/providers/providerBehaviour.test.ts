import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { inspect } from 'node:util';
import { LlmManager, type StreamChunk } from '../../../src/core';
import { createProvider, InvalidProviderConfigError, NO_KEY_PLACEHOLDER } from '../../../src/providers';
import { FakeClock, MemoryLogger } from '../../support/fakeClock';
import {
  closedPort,
  MemorySecrets,
  PLANTED_KEY,
  useFaultUpstream,
  waitUntil,
} from '../../support/faultServer';
import {
  caught,
  configFor,
  metadataFor,
  PROVIDER_KINDS,
  providerFor,
  testManager,
} from '../../support/providerFixtures';

const ask = { model: 'm', messages: [{ role: 'user' as const, content: 'Tell me about tides.' }] };

describe('providers: keys', () => {
  const upstream = useFaultUpstream();

  for (const kind of PROVIDER_KINDS) {
    it(`${kind}: a missing key fails with missingKey before any network call`, async () => {
      const provider = providerFor(kind, upstream(), 'ok', { secrets: new MemorySecrets({}) });
      const error = await caught(provider.generate(ask, new AbortController().signal));
      assert.equal(error.kind, 'auth');
      assert.equal(error.missingKey, true);
      const streamError = await caught(
        (async () => {
          for await (const _ of provider.stream(ask, new AbortController().signal)) void _;
        })(),
      );
      assert.equal(streamError.missingKey, true);
      await caught(provider.healthCheck!(new AbortController().signal));
      assert.equal(upstream().stats().total, 0);
    });
  }

  it('the manager skips a model without a key and says "no API key — set one"', async () => {
    const { manager } = testManager({ clock: new FakeClock() });
    manager.registerModel(
      'keyless',
      providerFor('anthropic', upstream(), 'ok', { secrets: new MemorySecrets({}) }),
      metadataFor('anthropic', upstream(), 'ok'),
    );
    manager.registerModel(
      'backup',
      providerFor('openai', upstream(), 'ok'),
      metadataFor('openai', upstream(), 'ok'),
    );
    manager.setFallbackChain(['keyless', 'backup']);
    const result = await manager.generate({ prompt: 'hi' });
    assert.equal(result.model, 'backup');
    const skip = result.trace.steps.find((s) => s.type === 'skip');
    assert.ok(
      skip && skip.type === 'skip' && skip.reason === 'noApiKey' && /no API key — set one/.test(skip.detail),
    );
    assert.equal(manager.getModelInfo('keyless')!.circuit.consecutiveFailures, 0);
    await manager.dispose();
  });

  it('local presets answer without a key (a placeholder is sent) and hosted presets need one', async () => {
    const secrets = new MemorySecrets({});
    const ollama = createProvider(
      { kind: 'openaiCompatible', preset: 'ollama', model: 'llama3.2', baseUrl: `${upstream().url}/v1` },
      { secrets },
    );
    const answer = await ollama.generate(ask, new AbortController().signal);
    assert.match(answer.text, /Demo answer from llama3\.2/);
    assert.deepEqual(secrets.asked, ['ollama']);
    const groq = createProvider(
      {
        kind: 'openaiCompatible',
        preset: 'groq',
        model: 'llama-3.3-70b-versatile',
        baseUrl: `${upstream().url}/v1`,
      },
      { secrets },
    );
    assert.equal((await caught(groq.generate(ask, new AbortController().signal))).missingKey, true);
    assert.ok(NO_KEY_PLACEHOLDER.length > 0);
  });

  it('sends extra headers and secret headers (a team gateway), and reads a changed key on the next request', async () => {
    const keys: Record<string, string> = {
      team: 'sk-team-first-key-000000',
      'gateway-key': 'pk-gateway-secret-111111',
    };
    const secrets = { getKey: async (id: string) => keys[id] };
    const provider = createProvider(
      {
        kind: 'openaiCompatible',
        preset: 'liteLlm',
        model: 'team-default',
        baseUrl: `${upstream().url}/v1`,
        keyId: 'team',
        extraHeaders: { 'x-team': 'platform' },
        secretHeaders: { 'x-gateway-key': 'gateway-key' },
      },
      { secrets },
    );
    await provider.generate(ask, new AbortController().signal);
    keys.team = 'sk-team-second-key-22222';
    await provider.generate(ask, new AbortController().signal);
    const [first, second] = upstream().stats().recent;
    for (const record of [first, second]) {
      assert.ok(record.headerNames.includes('x-team'));
      assert.ok(record.headerNames.includes('x-gateway-key'));
      assert.equal(record.hadKey, true);
    }
  });

  it('a secret header whose secret is missing skips the model like a missing key', async () => {
    const provider = createProvider(
      {
        kind: 'openaiCompatible',
        preset: 'portkey',
        model: 'x',
        baseUrl: `${upstream().url}/v1`,
        secretHeaders: { 'x-portkey-api-key': 'portkey-gateway' },
      },
      { secrets: new MemorySecrets({ portkey: PLANTED_KEY }) },
    );
    const error = await caught(provider.generate(ask, new AbortController().signal));
    assert.equal(error.missingKey, true);
    assert.match(error.message, /x-portkey-api-key/);
  });
});

describe('providers: a planted key never leaks', () => {
  const upstream = useFaultUpstream();
  const faults = [
    'leaky-auth',
    'auth',
    'forbidden',
    'quota',
    'error-500',
    'ratelimit-5',
    'context',
    'content-policy',
    'garbage',
    'empty',
    'cut-2',
    'reset',
    'ok',
  ];

  it('appears in no error, message, stack, inspected error, trace or log line, across every provider and fault', async () => {
    const clock = new FakeClock();
    const logger = new MemoryLogger();
    const manager = new LlmManager({
      clock,
      logger,
      enableCaching: false,
      maxRetries: 1,
      backoff: { initialDelayMs: 0, maxDelayMs: 1000, jitter: 0 },
    });
    const seen: string[] = [];
    manager.onDidCompleteRequest((done) =>
      seen.push(
        JSON.stringify(done.trace),
        inspect(done.error, { depth: 10 }),
        JSON.stringify(done.result ?? null),
      ),
    );
    for (const kind of PROVIDER_KINDS) {
      for (const fault of faults) {
        const provider = providerFor(kind, upstream(), fault, { logger });
        for (const streaming of [false, true]) {
          const name = `${kind}:${fault}:${streaming}`;
          manager.registerModel(name, provider, metadataFor(kind, upstream(), fault));
          try {
            await manager.generate({
              prompt: 'hello',
              chain: [name],
              onToken: streaming ? () => undefined : undefined,
            });
          } catch (error) {
            seen.push(
              String(error),
              (error as Error).stack ?? '',
              inspect(error, { depth: 10, showHidden: true }),
              JSON.stringify(error),
            );
          }
        }
        try {
          await provider.healthCheck!(new AbortController().signal);
        } catch (error) {
          seen.push(String(error), inspect(error, { depth: 10, showHidden: true }));
        }
      }
    }
    seen.push(
      ...logger.lines.map((l) => l.message),
      JSON.stringify(manager.getRecentRequests()),
      JSON.stringify(manager.listModels().map((m) => manager.getModelInfo(m))),
    );
    const leaks = seen.filter(
      (text) => text.includes(PLANTED_KEY) || text.includes(PLANTED_KEY.slice(3, 20)),
    );
    assert.deepEqual(leaks, []);
    // The upstream really did see (and, for leaky-auth, echo) the key: the scrubbing is what kept it out.
    assert.ok(
      upstream()
        .stats()
        .recent.some((r) => r.model === 'leaky-auth' && r.hadKey),
    );
    await manager.dispose();
  });
});

describe('providers: health checks, timeouts, connections and cancellation', () => {
  const upstream = useFaultUpstream();

  for (const kind of PROVIDER_KINDS) {
    it(`${kind}: healthCheck makes one cheap real call (one token) and maps its failure`, async () => {
      await providerFor(kind, upstream(), 'ok').healthCheck!(new AbortController().signal);
      const record = upstream().stats().recent[0];
      assert.equal(record.status, 200);
      if (kind === 'responses') {
        // The Responses API takes no cap below 16 tokens.
        assert.equal(record.params!.maxOutputTokens, 16, 'asked for the fewest tokens the API takes');
        assert.ok(record.usage!.outputTokens <= 16);
      } else {
        assert.equal(record.usage!.outputTokens, 1, 'asked for a single token');
      }
      const error = await caught(
        providerFor(kind, upstream(), 'auth').healthCheck!(new AbortController().signal),
      );
      assert.equal(error.kind, 'auth');
    });

    it(`${kind}: healthCheck gives up after its short timeout`, async () => {
      const provider = createProvider(
        // Short against the default 10 s, long enough for the request to reach a busy machine's upstream.
        { ...configFor(kind, upstream(), 'hang'), healthCheckTimeoutMs: 500 },
        {
          secrets: new MemorySecrets({
            openai: PLANTED_KEY,
            azure: PLANTED_KEY,
            groq: PLANTED_KEY,
            anthropic: PLANTED_KEY,
          }),
        },
      );
      const error = await caught(provider.healthCheck!(new AbortController().signal));
      assert.equal(error.kind, 'timeout');
      await upstream().whenIdle();
      assert.equal(upstream().stats().clientClosed, 1);
    });

    it(`${kind}: connection refused is a network error`, async () => {
      const port = await closedPort();
      const dead = { url: `http://127.0.0.1:${port}` } as ReturnType<typeof upstream>;
      const error = await caught(providerFor(kind, dead, 'ok').generate(ask, new AbortController().signal));
      assert.equal(error.kind, 'network');
      assert.match(error.message, /ECONNREFUSED/);
    });

    it(`${kind}: aborting a hanging request cancels it and closes the connection`, async () => {
      const controller = new AbortController();
      const pending = providerFor(kind, upstream(), 'hang').generate(ask, controller.signal);
      await waitUntil(() => upstream().stats().inFlight === 1, 'the upstream holds the request');
      controller.abort();
      assert.equal((await caught(pending)).kind, 'cancelled');
      await upstream().whenIdle();
      assert.equal(upstream().stats().recent[0].outcome, 'clientClosed');
    });

    it(`${kind}: aborting mid-stream stops the upstream from sending the rest`, async () => {
      const controller = new AbortController();
      const chunks: StreamChunk[] = [];
      const error = await caught(
        (async () => {
          for await (const chunk of providerFor(kind, upstream(), 'drip-20').stream(ask, controller.signal)) {
            chunks.push(chunk);
            if (chunk.type === 'text') controller.abort();
          }
        })(),
      );
      assert.equal(error.kind, 'cancelled');
      await upstream().whenIdle();
      const record = upstream().stats().recent[0];
      assert.equal(record.outcome, 'clientClosed');
      assert.ok(record.chunksSent < 10, `the upstream stopped early (sent ${record.chunksSent} chunks)`);
    });
  }

  it('listModels health check lists models instead of generating', async () => {
    for (const kind of ['openai', 'openaiCompatible', 'anthropic'] as const) {
      upstream().resetStats();
      const provider = createProvider(
        { ...configFor(kind, upstream(), 'ok'), healthCheck: 'listModels' },
        { secrets: new MemorySecrets({ openai: PLANTED_KEY, groq: PLANTED_KEY, anthropic: PLANTED_KEY }) },
      );
      await provider.healthCheck!(new AbortController().signal);
      assert.deepEqual(Object.keys(upstream().stats().byPath), ['/v1/models']);
    }
  });

  it('Azure requests go to the deployment path with the api-version and the api-key header', async () => {
    const provider = createProvider(
      {
        kind: 'azure',
        model: 'gpt-4o',
        endpoint: `${upstream().url}/`,
        deployment: 'prod-gpt4o',
        apiVersion: '2024-10-21',
      },
      { secrets: new MemorySecrets({ azure: PLANTED_KEY }) },
    );
    await provider.generate(ask, new AbortController().signal);
    const record = upstream().stats().recent[0];
    assert.equal(record.path, '/openai/deployments/prod-gpt4o/chat/completions');
    assert.equal(record.query, 'api-version=2024-10-21');
    assert.ok(record.headerNames.includes('api-key'));
  });

  it('createProvider rejects a config it cannot use, naming the fields', () => {
    assert.throws(
      () =>
        createProvider(
          { kind: 'azure', model: 'gpt-4o', endpoint: 'not a url', deployment: '' },
          { secrets: new MemorySecrets() },
        ),
      (error: unknown) =>
        error instanceof InvalidProviderConfigError &&
        error.problems.some((p) => p.startsWith('endpoint')) &&
        error.problems.some((p) => p.startsWith('deployment')),
    );
    assert.throws(
      () => createProvider({ kind: 'openaiCompatible', model: 'x' }, { secrets: new MemorySecrets() }),
      /baseUrl is required/,
    );
  });
});

describe('providers: SDKs load lazily', () => {
  it('creating providers loads neither SDK; the first request does', () => {
    const root = path.resolve(__dirname, '../../../..');
    const script = `
      const { createProvider } = require(${JSON.stringify(path.join(root, 'out/src/providers'))});
      const loaded = () => Object.keys(require.cache).filter((k) => /node_modules[\\\\/](openai|@anthropic-ai)[\\\\/]/.test(k)).length;
      const secrets = { getKey: async () => undefined };
      createProvider({ kind: 'openai', model: 'gpt-4o' }, { secrets });
      createProvider({ kind: 'anthropic', model: 'claude-haiku-4-5' }, { secrets });
      createProvider({ kind: 'openaiCompatible', preset: 'ollama', model: 'llama3.2' }, { secrets });
      process.stdout.write(String(loaded()));
    `;
    assert.equal(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }), '0');
  });
});
