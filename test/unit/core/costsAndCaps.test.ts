import * as assert from 'node:assert/strict';
import { costOf, isFree, outputCapFor, pricesAt, type ModelMetadata } from '../../../src/core';
import { harness, metadata, settle } from '../../support/scriptedProvider';

const sonnetLike = (overrides: Partial<ModelMetadata> = {}): ModelMetadata =>
  metadata({
    contextWindow: 1_000_000,
    maxOutputTokens: 64_000,
    inputPricePerMTok: 3,
    outputPricePerMTok: 15,
    cacheReadPricePerMTok: 0.3,
    cacheWritePricePerMTok: 3.75,
    ...overrides,
  });

describe('costs and output caps', () => {
  describe('the cost of a request', () => {
    it('prices cache reads and cache writes at their own rates and the rest at the input price', () => {
      const usage = {
        inputTokens: 10_000,
        cacheReadTokens: 8_000,
        cacheWriteTokens: 1_000,
        outputTokens: 500,
      };
      // 1 000 uncached × $3 + 8 000 read × $0.30 + 1 000 written × $3.75 + 500 out × $15, per million.
      const expected = (1_000 * 3 + 8_000 * 0.3 + 1_000 * 3.75 + 500 * 15) / 1_000_000;
      assert.equal(costOf(sonnetLike(), usage), expected);
    });

    it('charges cached tokens at the input price when the model has no cache prices', () => {
      const plain = metadata({ inputPricePerMTok: 2, outputPricePerMTok: 8 });
      assert.equal(costOf(plain, { inputTokens: 1000, cacheReadTokens: 600, outputTokens: 0 }), 0.002);
    });

    it('never counts more cached tokens than input tokens (a provider reporting nonsense)', () => {
      const usage = { inputTokens: 100, cacheReadTokens: 5_000, outputTokens: 0 };
      assert.equal(costOf(sonnetLike(), usage), (100 * 0.3) / 1_000_000);
    });

    it('switches to the long-prompt tier above its threshold', () => {
      const tiered = sonnetLike({
        priceTiers: [
          {
            aboveInputTokens: 200_000,
            inputPricePerMTok: 6,
            outputPricePerMTok: 22.5,
            cacheReadPricePerMTok: 0.6,
          },
        ],
      });
      assert.deepEqual(pricesAt(tiered, 200_000), { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 });
      assert.deepEqual(pricesAt(tiered, 200_001), {
        input: 6,
        output: 22.5,
        cacheRead: 0.6,
        cacheWrite: 3.75,
      });
    });
  });

  describe('what is free', () => {
    it('is a known price of zero, never an unknown price', () => {
      assert.equal(isFree(metadata({ inputPricePerMTok: 0, outputPricePerMTok: 0 })), true);
      assert.equal(
        isFree(metadata({ inputPricePerMTok: 0, outputPricePerMTok: 0, priceUnknown: true })),
        false,
      );
      assert.equal(isFree(metadata({ inputPricePerMTok: 0, outputPricePerMTok: 1 })), false);
    });
  });

  describe('the output cap', () => {
    const options = { defaultTokens: 8192, tierTokens: { economy: 2048 } };

    it("takes the request's own cap, else the model's, else the tier's, else the default, never above the limit", () => {
      const model = sonnetLike();
      assert.equal(outputCapFor(model, 1000, 'standard', options), 1000);
      assert.equal(outputCapFor(sonnetLike({ outputCap: 4000 }), undefined, 'economy', options), 4000);
      assert.equal(outputCapFor(model, undefined, 'economy', options), 2048);
      assert.equal(outputCapFor(model, undefined, 'standard', options), 8192);
      assert.equal(outputCapFor(sonnetLike({ maxOutputTokens: 4096 }), 100_000, 'standard', options), 4096);
    });

    it('sends exactly the cap the estimate assumes', async () => {
      const { manager, providers } = harness({ sonnet: { metadata: sonnetLike() } });
      const request = { prompt: 'x'.repeat(4000) };
      const estimate = manager.estimateCost(request);
      const [model] = estimate.perModel;
      assert.equal(model.outputCap, 8192);
      await manager.generate(request);
      assert.equal(providers.sonnet.requests[0].maxTokens, 8192);
      // The worst case is every input token uncached at $3 and the whole cap at $15.
      assert.equal(model.maxUsd, (estimate.inputTokens * 3 + 8192 * 15) / 1_000_000);
    });
  });

  describe('models whose price is unknown', () => {
    it('are not free under a hard stop: skipped with "price unknown — set one", and a free model answers', async () => {
      const { manager, providers } = harness(
        {
          mystery: { metadata: { inputPricePerMTok: 0, outputPricePerMTok: 0, priceUnknown: true } },
          local: { metadata: { inputPricePerMTok: 0, outputPricePerMTok: 0 } },
        },
        { budget: { dailyUsd: 1, hardStop: true } },
      );
      const result = await manager.generate({ prompt: 'hello' });
      assert.equal(result.model, 'local');
      assert.equal(providers.mystery.calls, 0);
      const skip = result.trace.steps.find((s) => s.type === 'skip');
      assert.equal(skip?.type === 'skip' && skip.reason, 'priceUnknown');
      assert.equal(skip?.type === 'skip' && skip.detail, 'skipped: price unknown — set one');
    });

    it('fail the request as over budget when no model with a known price can answer', async () => {
      const { manager, clock } = harness(
        { mystery: { metadata: { inputPricePerMTok: 0, outputPricePerMTok: 0, priceUnknown: true } } },
        { budget: { dailyUsd: 1, hardStop: true } },
      );
      const error = await settle(clock, manager.generate({ prompt: 'hello' })).catch((e: unknown) => e);
      assert.equal((error as { kind?: string }).kind, 'budgetExceeded');
      assert.match(String(error), /set a price/);
    });

    it('answer without a hard stop, recorded with an unknown cost rather than $0', async () => {
      const { manager } = harness({
        mystery: { metadata: { inputPricePerMTok: 0, outputPricePerMTok: 0, priceUnknown: true } },
      });
      const result = await manager.generate({ prompt: 'hello' });
      assert.equal(result.priceUnknown, true);
      const answered = result.trace.steps.find((s) => s.type === 'answered');
      assert.equal(answered?.type === 'answered' && answered.priceUnknown, true);
      assert.equal(manager.estimateCost({ prompt: 'hello' }).perModel[0].priceUnknown, true);
    });
  });
});
