import * as assert from 'node:assert/strict';
import type { GenerateResult, LlmManager } from '../../../src/core';
import { createProvider, type ProviderConfig } from '../../../src/providers';
import { useFaultUpstream, type FaultRequestRecord } from '../../support/faultServer';
import {
  adjustSteps,
  catalogManager,
  configFor,
  drainStream as drain,
  plantedSecrets,
  type ProviderKindUnderTest,
} from '../../support/providerFixtures';
import { chat, longText, openAiError, responses } from '../demo/wire';

const question = { role: 'user' as const, content: 'Explain what this function does.' };

const managerOf = (entries: ReadonlyArray<readonly [string, ProviderConfig]>) =>
  catalogManager(entries).manager;

/** The OpenAI kinds a model id reaches: OpenAI itself, an Azure deployment of it, a gateway naming it `openai/…`. */
const OPENAI_KINDS: ReadonlyArray<readonly [ProviderKindUnderTest, (model: string) => string]> = [
  ['openai', (model) => model],
  ['azure', (model) => model],
  ['openaiCompatible', (model) => `openai/${model}`],
];

describe('OpenAI reasoning models on chat completions: the family rules, against a strict upstream', () => {
  const upstream = useFaultUpstream();

  it('the upstream refuses what OpenAI refuses for gpt-5-mini: temperature 0.2 and max_tokens', async () => {
    const temperature = await openAiError(
      await chat(upstream(), { model: 'gpt-5-mini', messages: [question], temperature: 0.2 }),
    );
    assert.equal(temperature.status, 400);
    assert.equal(temperature.error.code, 'unsupported_value');
    assert.equal(
      temperature.error.message,
      "Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported.",
    );
    const maxTokens = await openAiError(
      await chat(upstream(), { model: 'o4-mini', messages: [question], max_tokens: 100 }),
    );
    assert.equal(maxTokens.status, 400);
    assert.equal(maxTokens.error.code, 'unsupported_parameter');
  });

  for (const [kind, idFor] of OPENAI_KINDS) {
    for (const model of ['gpt-5-mini', 'o4-mini']) {
      for (const streaming of [false, true]) {
        it(`${kind} ${model}: a request with temperature 0.2 is answered, sent without it and with max_completion_tokens; the trace says so once${streaming ? ' (streamed)' : ''}`, async () => {
          const manager = managerOf([['reasoner', configFor(kind, upstream(), idFor(model))]]);
          const shown: string[] = [];
          const result = await manager.generate({
            prompt: question.content,
            temperature: 0.2,
            maxTokens: 2000,
            ...(streaming ? { onToken: (text: string) => shown.push(text) } : {}),
          });
          assert.match(result.text, /^Demo answer from /);
          if (streaming) assert.equal(shown.join(''), result.text);
          assert.deepEqual(adjustSteps(result), [
            `temperature 0.2 dropped: ${idFor(model)} accepts only the default`,
          ]);
          const sent = upstream().stats().recent[0];
          assert.equal(sent.status, 200);
          assert.equal(sent.params?.temperature, undefined);
          assert.equal(sent.params?.maxTokens, undefined);
          assert.equal(sent.params?.maxCompletionTokens, 2000);
          // Reasoning tokens are output tokens, and reported as such.
          assert.deepEqual(result.usage, sent.usage);
          assert.ok((result.usage.reasoningTokens ?? 0) > 0);
          await manager.dispose();
        });
      }
    }
  }

  it('a model that takes temperature still gets it, with max_tokens on a compatible server', async () => {
    const manager = managerOf([['chatty', configFor('openaiCompatible', upstream(), 'gpt-4.1-mini')]]);
    const result = await manager.generate({ prompt: 'hi', temperature: 0.2, maxTokens: 500 });
    assert.deepEqual(adjustSteps(result), []);
    const sent = upstream().stats().recent[0].params!;
    assert.equal(sent.temperature, 0.2);
    assert.equal(sent.maxTokens, 500);
    await manager.dispose();
  });

  it('parameters overrides cover a deployment whose name the catalog does not know', async () => {
    // The deployment name hides the model; the upstream sees "gpt-5-mini" as Azure's model and refuses temperature.
    const config = configFor('azure', upstream(), 'gpt-5-mini', {
      model: 'team-reasoner',
      parameters: { dropTemperature: true, maxTokensParam: 'max_completion_tokens' },
    } as Partial<ProviderConfig>);
    const manager = managerOf([['deployment', config]]);
    const result = await manager.generate({ prompt: 'hi', temperature: 0.2 });
    assert.deepEqual(adjustSteps(result), [
      'temperature 0.2 dropped: the model\'s settings say "dropTemperature"',
    ]);
    assert.equal(upstream().stats().recent[0].status, 200);
    await manager.dispose();
  });

  for (const streaming of [false, true]) {
    it(`the reasoning effort of the settings reaches the API, and its reasoning tokens are reported${streaming ? ' (streamed)' : ''}`, async () => {
      const provider = createProvider(
        configFor('openai', upstream(), 'gpt-5-mini', { reasoningEffort: 'low' } as never),
        {
          secrets: plantedSecrets(),
        },
      );
      const request = { model: 'm', messages: [question], maxTokens: 4000 };
      const signal = new AbortController().signal;
      const usage = streaming
        ? (await drain(provider.stream(request, signal)))
            .flatMap((c) => (c.type === 'usage' ? [c.usage] : []))
            .pop()
        : (await provider.generate(request, signal)).usage;
      const sent = upstream().stats().recent[0];
      assert.equal(sent.params?.reasoningEffort, 'low');
      assert.equal(usage?.reasoningTokens, 64, 'the upstream spends 64 reasoning tokens at low effort');
      assert.deepEqual(usage, sent.usage);
    });
  }

  it('an effort the family does not take is refused by the API, so it is not sent, and the trace says why', async () => {
    const refused = await openAiError(
      await chat(upstream(), { model: 'gpt-5-mini', messages: [question], reasoning_effort: 'xhigh' }),
    );
    assert.equal(refused.status, 400);
    assert.equal(refused.error.code, 'unsupported_value');
    const manager = managerOf([
      ['reasoner', configFor('openai', upstream(), 'gpt-5-mini', { reasoningEffort: 'xhigh' } as never)],
    ]);
    const result = await manager.generate({ prompt: 'hi' });
    assert.deepEqual(adjustSteps(result), [
      'reasoningEffort "xhigh" not sent: gpt-5-mini takes minimal, low, medium, high',
    ]);
    assert.equal(upstream().stats().recent[1].params?.reasoningEffort, undefined);
    await manager.dispose();
  });

  it('a Responses-only model is refused on chat completions, so the provider speaks the Responses API on its own', async () => {
    const refused = await openAiError(await chat(upstream(), { model: 'gpt-5-codex', messages: [question] }));
    assert.equal(refused.status, 404);
    assert.equal(
      refused.error.message,
      'This model is only supported in v1/responses and not in v1/chat/completions.',
    );
    for (const kind of ['openai', 'azure'] as const) {
      const manager = managerOf([['codex', configFor(kind, upstream(), 'gpt-5-codex')]]);
      const result = await manager.generate({ prompt: 'hi', temperature: 0.2 });
      assert.match(result.text, /^Demo answer from gpt-5-codex/);
      const sent = upstream().stats().recent.at(-1)!;
      assert.match(sent.path, /\/responses$/);
      assert.equal(sent.params?.store, false, 'nothing is kept at the vendor unasked');
      await manager.dispose();
    }
  });
});

describe('OpenAI chat usage read in full: cached and reasoning tokens, JSON and streamed', () => {
  const upstream = useFaultUpstream();
  const file = longText(3000, 'utils.ts');

  async function twice(
    streaming: boolean,
  ): Promise<{ first: GenerateResult; second: GenerateResult; manager: LlmManager }> {
    const manager = managerOf([['mini', configFor('openai', upstream(), 'gpt-5-mini')]]);
    const ask = (question: string) =>
      manager.generate({
        system: 'You are a careful reviewer.',
        messages: [{ role: 'user', content: `${file}\n\n${question}` }],
        maxTokens: 2000,
        ...(streaming ? { onToken: () => undefined } : {}),
      });
    const first = await ask('What does it do?');
    const second = await ask('What does it do?');
    return { first, second, manager };
  }

  for (const streaming of [false, true]) {
    it(`a second request on the same long prefix reports cached tokens, priced at the catalog's cache-read rate${streaming ? ' (streamed)' : ''}`, async () => {
      const { first, second, manager } = await twice(streaming);
      const [, record] = upstream().stats().recent as FaultRequestRecord[];
      if (streaming)
        assert.equal(record.params?.includeUsage, true, 'usage comes in the stream only when asked for');
      assert.equal(first.usage.cacheReadTokens, undefined);
      assert.ok((second.usage.cacheReadTokens ?? 0) >= 1024, JSON.stringify(second.usage));
      assert.deepEqual(second.usage, record.usage);

      const metadata = manager.getModelInfo('mini')!.metadata;
      assert.ok(
        metadata.cacheReadPricePerMTok! < metadata.inputPricePerMTok,
        'the catalog prices cache reads lower',
      );
      const { inputTokens, outputTokens, cacheReadTokens = 0 } = second.usage;
      const expected =
        ((inputTokens - cacheReadTokens) * metadata.inputPricePerMTok +
          cacheReadTokens * metadata.cacheReadPricePerMTok! +
          outputTokens * metadata.outputPricePerMTok) /
        1_000_000;
      assert.ok(Math.abs(second.costUsd - expected) < 1e-12, `${second.costUsd} vs ${expected}`);
      assert.ok(second.costUsd < first.costUsd, 'the cached follow-up costs less');
      const answered = second.trace.steps.find((step) => step.type === 'answered');
      assert.equal(answered?.type === 'answered' && answered.cacheReadTokens, cacheReadTokens);
      assert.ok(manager.getModelInfo('mini')!.spend.savedByCacheUsd > 0);
      await manager.dispose();
    });
  }

  it('the upstream reports usage in a stream only when include_usage is set (what our provider always asks)', async () => {
    const text = await (await chat(upstream(), { model: 'ok', messages: [question], stream: true })).text();
    assert.doesNotMatch(text, /"usage":\{/);
    const asked = await (
      await chat(upstream(), {
        model: 'ok',
        messages: [question],
        stream: true,
        stream_options: { include_usage: true },
      })
    ).text();
    assert.match(asked, /"choices":\[\],"usage":\{/);
  });

  it('the Responses upstream refuses chat parameters, which our Responses provider never sends', async () => {
    const refused = await openAiError(
      await responses(upstream(), { model: 'gpt-5-mini', input: 'hi', max_completion_tokens: 100 }),
    );
    assert.equal(refused.status, 400);
    assert.equal(refused.error.param, 'max_completion_tokens');
  });
});
