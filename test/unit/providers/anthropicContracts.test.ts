import * as assert from 'node:assert/strict';
import type { ChatMessage, ToolDefinition } from '../../../src/core';
import { createProvider, type ProviderConfig } from '../../../src/providers';
import { MemoryLogger } from '../../support/fakeClock';
import { PLANTED_KEY, useFaultUpstream } from '../../support/faultServer';
import {
  adjustSteps,
  catalogManager,
  configFor,
  drainStream,
  plantedSecrets,
} from '../../support/providerFixtures';
import { anthropicError, longText, messages, type Json } from '../demo/wire';

const ask = [{ role: 'user', content: 'Why is the sky blue?' }];
const claude = (
  upstream: Parameters<typeof configFor>[1],
  model: string,
  extra: Partial<ProviderConfig> = {},
) => configFor('anthropic', upstream, model, extra);

async function refusal(response: Response): Promise<string> {
  const { status, error } = await anthropicError(response);
  assert.equal(status, 400);
  assert.equal(error.type, 'invalid_request_error');
  return error.message as string;
}

const weather: ToolDefinition = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('Anthropic family rules: the upstream refuses, our provider sends what is taken', () => {
  const upstream = useFaultUpstream();

  it('max_tokens never above the model limit: a larger cap is lowered, and the trace says so', async () => {
    assert.match(
      await refusal(
        await messages(upstream(), { model: 'claude-haiku-5-5', max_tokens: 100_000, messages: ask }),
      ),
      /^max_tokens: 100000 > 64000, which is the maximum/,
    );
    const { manager } = catalogManager([['haiku', claude(upstream(), 'claude-haiku-5-5')]]);
    const result = await manager.generate({
      prompt: 'Why is the sky blue?',
      system: 'Be brief.',
      maxTokens: 100_000,
    });
    // The core already caps at the model's metadata; a settings override above the limit is what this guards.
    const sent = upstream().stats().recent.at(-1)!.params!;
    assert.equal(sent.maxTokens, 64_000);
    assert.equal(sent.systemPlacement, 'topLevel', 'the system prompt goes to the top-level `system`');
    assert.match(result.text, /^Demo answer from claude-haiku-5-5/);
    await manager.dispose();

    const provider = createProvider(claude(upstream(), 'claude-haiku-5-5'), { secrets: plantedSecrets() });
    assert.deepEqual(provider.adjustmentsFor!({ model: 'h', messages: [], maxTokens: 100_000 }), [
      "output cap 100,000 lowered to 64,000: claude-haiku-5-5's limit",
    ]);
  });

  it('temperature with top_p is refused on Sonnet 4.6; we send the temperature alone', async () => {
    assert.equal(
      await refusal(
        await messages(upstream(), {
          model: 'claude-sonnet-4-6',
          max_tokens: 100,
          messages: ask,
          temperature: 0.2,
          top_p: 0.9,
        }),
      ),
      '`temperature` and `top_p` cannot both be specified for this model. Please use only one.',
    );
    const { manager } = catalogManager([['sonnet', claude(upstream(), 'claude-sonnet-4-6')]]);
    const result = await manager.generate({ prompt: 'hi', temperature: 0.2 });
    assert.deepEqual(adjustSteps(result), []);
    const sent = upstream().stats().recent.at(-1)!.params!;
    assert.equal(sent.temperature, 0.2);
    assert.equal(sent.topP, undefined);
    await manager.dispose();
  });

  for (const streaming of [false, true]) {
    it(`Claude 5 takes no temperature: dropped, answered, said once in the trace${streaming ? ' (streamed)' : ''}`, async () => {
      assert.equal(
        await refusal(
          await messages(upstream(), {
            model: 'claude-sonnet-5-5',
            max_tokens: 100,
            messages: ask,
            temperature: 0.2,
          }),
        ),
        '`temperature` is deprecated for this model.',
      );
      const { manager } = catalogManager([['sonnet', claude(upstream(), 'claude-sonnet-5-5')]]);
      const result = await manager.generate({
        prompt: 'hi',
        temperature: 0.2,
        ...(streaming ? { onToken: () => undefined } : {}),
      });
      assert.match(result.text, /^Demo answer from claude-sonnet-5-5/);
      assert.deepEqual(adjustSteps(result), [
        'temperature 0.2 dropped: claude-sonnet-5-5 accepts no sampling parameters',
      ]);
      assert.equal(upstream().stats().recent.at(-1)!.params!.temperature, undefined);
      await manager.dispose();
    });
  }
});

describe('Anthropic extended thinking over real HTTP', () => {
  const upstream = useFaultUpstream();
  const thinkingSonnet = (model = 'claude-sonnet-4-6', budgetTokens = 2048) =>
    claude(upstream(), model, { thinking: { budgetTokens } } as Partial<ProviderConfig>);

  it('the upstream refuses a small budget, a budget not below max_tokens, and a temperature with thinking', async () => {
    const base = { model: 'claude-sonnet-4-6', messages: ask };
    assert.match(
      await refusal(
        await messages(upstream(), {
          ...base,
          max_tokens: 4000,
          thinking: { type: 'enabled', budget_tokens: 512 },
        }),
      ),
      /greater than or equal to 1024/,
    );
    assert.match(
      await refusal(
        await messages(upstream(), {
          ...base,
          max_tokens: 2048,
          thinking: { type: 'enabled', budget_tokens: 2048 },
        }),
      ),
      /^`max_tokens` must be greater than `thinking\.budget_tokens`/,
    );
    assert.match(
      await refusal(
        await messages(upstream(), {
          ...base,
          max_tokens: 4000,
          temperature: 0.2,
          thinking: { type: 'enabled', budget_tokens: 2048 },
        }),
      ),
      /^`temperature` may only be set to 1 when thinking is enabled/,
    );
    assert.match(
      await refusal(
        await messages(upstream(), {
          model: 'claude-sonnet-5-5',
          messages: ask,
          max_tokens: 4000,
          thinking: { type: 'enabled', budget_tokens: 2048 },
        }),
      ),
      /"thinking\.type\.enabled" is not supported for this model/,
    );
  });

  for (const streaming of [false, true]) {
    it(`a thinking model answers with text only; thinking is kept apart, signed, and billed as output${streaming ? ' (streamed)' : ''}`, async () => {
      const { manager } = catalogManager([['thinker', thinkingSonnet()]]);
      const shown: string[] = [];
      const result = await manager.generate({
        prompt: 'Why is the sky blue?',
        temperature: 0.2,
        ...(streaming ? { onToken: (text: string) => shown.push(text) } : {}),
      });
      const record = upstream().stats().recent.at(-1)!;
      assert.deepEqual(record.params!.thinking, { type: 'enabled', budget_tokens: 2048 });
      assert.equal(record.params!.temperature, undefined);
      assert.deepEqual(adjustSteps(result), [
        'temperature 0.2 dropped: extended thinking takes only the default',
      ]);
      assert.match(result.text, /^Demo answer from claude-sonnet-4-6/);
      assert.doesNotMatch(result.text, /thinking out loud/, 'no thinking in the answer text');
      if (streaming) assert.equal(shown.join(''), result.text);
      assert.equal(result.thinking?.length, 1);
      const [block] = result.thinking!;
      assert.equal(block.format, 'anthropic');
      assert.match(block.text, /thinking out loud/);
      assert.match(block.data!, /^Eu/, 'the signature comes with the block');
      assert.ok((result.usage.reasoningTokens ?? 0) > 0);
      assert.ok(result.usage.outputTokens > result.usage.reasoningTokens!);
      assert.deepEqual(result.usage, record.usage);
      await manager.dispose();
    });
  }

  it('a budget for a model that thinks only adaptively is sent as adaptive thinking', async () => {
    const { manager } = catalogManager([['sonnet5', thinkingSonnet('claude-sonnet-5-5')]]);
    const result = await manager.generate({ prompt: 'hi', onToken: () => undefined });
    assert.deepEqual(upstream().stats().recent.at(-1)!.params!.thinking, { type: 'adaptive' });
    assert.deepEqual(adjustSteps(result), [
      'thinking budget 2,048 sent as adaptive thinking: claude-sonnet-5-5 takes adaptive thinking only',
    ]);
    assert.equal(result.thinking?.length, 1);
    await manager.dispose();
  });

  for (const streaming of [false, true]) {
    it(`a tool conversation with thinking passes the thinking blocks back, as the API requires${streaming ? ' (streamed)' : ''}`, async () => {
      const { manager } = catalogManager([
        [
          'thinker',
          claude(upstream(), 'tools', { thinking: { budgetTokens: 2048 } } as Partial<ProviderConfig>),
        ],
      ]);
      const onToken = streaming ? () => undefined : undefined;
      const asked = await manager.generate({ prompt: 'Weather in Oslo?', tools: [weather], onToken });
      const [call] = asked.toolCalls!;
      assert.equal(asked.thinking?.length, 1);
      const history: ChatMessage[] = [
        { role: 'user', content: 'Weather in Oslo?' },
        { role: 'assistant', content: asked.text, toolCalls: asked.toolCalls, thinking: asked.thinking },
        { role: 'tool', toolCallId: call.id, content: '-3 °C' },
      ];

      // Without its thinking, the turn is refused (raw body, as another client would send it).
      const sent = upstream().stats().recent.at(-1)!.body as Json;
      const withoutThinking = {
        model: 'tools',
        max_tokens: 4000,
        thinking: { type: 'enabled', budget_tokens: 2048 },
        tools: sent.tools,
        messages: [
          { role: 'user', content: 'Weather in Oslo?' },
          {
            role: 'assistant',
            content: [{ type: 'tool_use', id: call.id, name: call.name, input: call.arguments }],
          },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '-3 °C' }] },
        ],
      };
      assert.match(
        await refusal(await messages(upstream(), withoutThinking)),
        /must start with a thinking block/,
      );

      const answered = await manager.generate({ messages: history, tools: [weather], onToken });
      assert.equal(answered.text, 'Demo answer from tools: get_weather returned -3 °C.');
      const turn = (upstream().stats().recent.at(-1)!.toolExchange!.messages[1] as Json).content as Json[];
      assert.deepEqual(
        turn.map((block) => block.type),
        ['thinking', 'tool_use'],
      );
      assert.equal(turn[0].signature, asked.thinking![0].data);
      await manager.dispose();
    });
  }
});

describe('Anthropic prompt caching: breakpoints on the long stable part, and a follow-up reads them', () => {
  const upstream = useFaultUpstream();
  const file = longText(3000, 'parser.ts');
  const system = `You review TypeScript. House rules follow.\n${longText(1200, 'rule')}`;

  it('the upstream refuses more than 4 breakpoints; we send at most 3', async () => {
    const marked = (text: string) => ({ type: 'text', text, cache_control: { type: 'ephemeral' } });
    assert.match(
      await refusal(
        await messages(upstream(), {
          model: 'claude-sonnet-4-6',
          max_tokens: 100,
          system: [marked('a'), marked('b'), marked('c')],
          messages: [{ role: 'user', content: [marked('d'), marked('e')] }],
        }),
      ),
      /^A maximum of 4 blocks with cache_control may be provided\. Found 5\.$/,
    );
    const { manager } = catalogManager([['sonnet', claude(upstream(), 'claude-sonnet-4-6')]]);
    await manager.generate({ system, prompt: `${file}\n\nWhat does it do?`, tools: [weather] });
    const sent = upstream().stats().recent.at(-1)!;
    assert.equal(sent.status, 200);
    assert.ok(sent.params!.cacheControlBlocks >= 1 && sent.params!.cacheControlBlocks <= 3);
    await manager.dispose();
  });

  for (const streaming of [false, true]) {
    it(`a follow-up on the same file reads the cache, priced at the catalog's cache rates${streaming ? ' (streamed)' : ''}`, async () => {
      const { manager } = catalogManager([['sonnet', claude(upstream(), 'claude-sonnet-4-6')]]);
      const onToken = streaming ? () => undefined : undefined;
      const first = await manager.generate({ system, prompt: `${file}\n\nWhat does it do?`, onToken });
      assert.ok((first.usage.cacheWriteTokens ?? 0) > 4000, JSON.stringify(first.usage));
      assert.equal(first.usage.cacheReadTokens, undefined);
      const followUp = await manager.generate({
        system,
        messages: [
          { role: 'user', content: `${file}\n\nWhat does it do?` },
          { role: 'assistant', content: first.text },
          { role: 'user', content: 'And is it safe?' },
        ],
        onToken,
      });
      const record = upstream().stats().recent.at(-1)!;
      assert.deepEqual(followUp.usage, record.usage);
      assert.ok(
        (followUp.usage.cacheReadTokens ?? 0) > 4000,
        'the system prompt and the file come from the cache',
      );

      const metadata = manager.getModelInfo('sonnet')!.metadata;
      const read = metadata.cacheReadPricePerMTok!;
      const write = metadata.cacheWritePricePerMTok!;
      assert.ok(read < metadata.inputPricePerMTok && write > metadata.inputPricePerMTok);
      const { inputTokens, outputTokens, cacheReadTokens = 0, cacheWriteTokens = 0 } = followUp.usage;
      const expected =
        ((inputTokens - cacheReadTokens - cacheWriteTokens) * metadata.inputPricePerMTok +
          cacheReadTokens * read +
          cacheWriteTokens * write +
          outputTokens * metadata.outputPricePerMTok) /
        1_000_000;
      assert.ok(Math.abs(followUp.costUsd - expected) < 1e-12, `${followUp.costUsd} vs ${expected}`);
      assert.ok(manager.getModelInfo('sonnet')!.spend.savedByCacheUsd > 0);
      await manager.dispose();
    });
  }

  it('a prompt below the family minimum gets no breakpoint (Haiku caches from 2 048 tokens)', async () => {
    const { manager } = catalogManager([['haiku', claude(upstream(), 'claude-haiku-5-5')]]);
    await manager.generate({ prompt: longText(1500, 'short') });
    assert.equal(upstream().stats().recent.at(-1)!.params!.cacheControlBlocks, 0);
    await manager.generate({ prompt: longText(2500, 'long') });
    assert.equal(upstream().stats().recent.at(-1)!.params!.cacheControlBlocks, 1);
    await manager.dispose();
  });

  it('"promptCaching": false sends no breakpoint', async () => {
    const { manager } = catalogManager([
      ['sonnet', claude(upstream(), 'claude-sonnet-4-6', { parameters: { promptCaching: false } })],
    ]);
    await manager.generate({ system, prompt: file });
    assert.equal(upstream().stats().recent.at(-1)!.params!.cacheControlBlocks, 0);
    await manager.dispose();
  });
});

describe("the SDKs' warnings go to our log, never to the console, and never with a key", () => {
  const upstream = useFaultUpstream();

  it("the Anthropic SDK's deprecation warning reaches the provider's logger once", async () => {
    const logger = new MemoryLogger();
    const provider = createProvider(claude(upstream(), 'claude-opus-4-5'), {
      secrets: plantedSecrets(),
      logger,
    });
    const printed: unknown[] = [];
    const original = { warn: console.warn, log: console.log, debug: console.debug, info: console.info };
    const saved = { anthropic: process.env.ANTHROPIC_LOG, openai: process.env.OPENAI_LOG };
    process.env.ANTHROPIC_LOG = 'debug';
    process.env.OPENAI_LOG = 'debug';
    console.warn = console.log = console.debug = console.info = (...args: unknown[]) => printed.push(args);
    try {
      for (let i = 0; i < 2; i++) {
        await provider.generate(
          { model: 'opus', messages: [{ role: 'user', content: 'hi' }] },
          new AbortController().signal,
        );
        await drainStream(
          provider.stream(
            { model: 'opus', messages: [{ role: 'user', content: 'hi' }] },
            new AbortController().signal,
          ),
        );
      }
      const openai = createProvider(configFor('openai', upstream(), 'gpt-5-mini'), {
        secrets: plantedSecrets(),
        logger,
      });
      await openai.generate(
        { model: 'mini', messages: [{ role: 'user', content: 'hi' }] },
        new AbortController().signal,
      );
    } finally {
      Object.assign(console, original);
      process.env.ANTHROPIC_LOG = saved.anthropic;
      process.env.OPENAI_LOG = saved.openai;
      if (saved.anthropic === undefined) delete process.env.ANTHROPIC_LOG;
      if (saved.openai === undefined) delete process.env.OPENAI_LOG;
    }
    assert.deepEqual(printed, [], 'nothing printed to the console');
    const deprecations = logger.warnings.filter((line) => /deprecated/.test(line));
    assert.deepEqual(deprecations, [
      "anthropic SDK: The model 'claude-opus-4-5' is deprecated and will reach end-of-life on January 22nd, 2027 Please migrate to a newer model. Visit https://docs.anthropic.com/en/docs/resources/model-deprecations for more information.",
    ]);
    assert.ok(!logger.lines.some((line) => line.message.includes(PLANTED_KEY)));
  });
});
