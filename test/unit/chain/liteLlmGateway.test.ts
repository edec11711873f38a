import * as assert from 'node:assert/strict';
import { LlmManager } from '../../../src/core';
import {
  BUDGET_RECHECK_MS,
  createProvider,
  defaultModelMetadata,
  describeTeamBudget,
  teamBudget,
  type ProviderConfig,
} from '../../../src/providers';
import { FakeClock, MemoryLogger } from '../../support/fakeClock';
import { MemorySecrets, PLANTED_KEY, useFaultUpstream } from '../../support/faultServer';
import { startLiteLlmStandIn, type LiteLlmStandIn, type StandInKey } from '../../support/liteLlmStandIn';
import { caught, TEST_PRICE } from '../../support/providerFixtures';

const HOUR = 3_600_000;
/** The stand-in's cost map: $2.50 / $10 per million tokens, unlike the catalog's TEST_PRICE. */
const GATEWAY_PRICE = { input: 2.5e-6, output: 1e-5 };

/**
 * The LiteLLM proxy as a chain member, TESTED AGAINST A STAND-IN (test/support/liteLlmStandIn.ts),
 * not the proxy itself: LiteLLM is a Python server and PyPI is out of reach here. The stand-in
 * answers as the proxy's source does and forwards to the strict fault upstream.
 */
describe('team gateway: the LiteLLM proxy (tested against a stand-in)', function () {
  this.timeout(20_000);
  const upstream = useFaultUpstream();
  let clock: FakeClock;
  let standIn: LiteLlmStandIn;
  let key: StandInKey;

  beforeEach(async () => {
    clock = new FakeClock();
    key = { spend: 12.4, maxBudget: 50, budgetDuration: '30d', budgetResetAt: clock.now() + 3 * HOUR };
    standIn = await startLiteLlmStandIn({
      upstreamUrl: upstream().url,
      upstreamKey: 'sk-upstream-held-by-the-proxy-0123456789',
      keys: { [PLANTED_KEY]: key },
      pricePerToken: GATEWAY_PRICE,
      now: () => clock.now(),
    });
  });
  afterEach(async () => {
    await standIn?.close();
  });

  const deps = () => ({ secrets: new MemorySecrets({ liteLlm: PLANTED_KEY }), now: () => clock.now() });
  const memberConfig = (model: string): ProviderConfig => ({
    kind: 'openaiCompatible',
    preset: 'liteLlm',
    model,
    baseUrl: standIn.baseUrl,
  });

  /** A chain of the LiteLLM member, then a local model (free) on the upstream. */
  function chain(teamModel = 'ok~team'): LlmManager {
    const manager = new LlmManager({
      clock,
      logger: new MemoryLogger(),
      enableCaching: false,
      maxRetries: 2,
    });
    const team = memberConfig(teamModel);
    manager.registerModel(
      'team',
      createProvider(team, deps()),
      defaultModelMetadata(team, { priceOverrides: { [teamModel]: TEST_PRICE } }),
    );
    const local: ProviderConfig = {
      kind: 'openaiCompatible',
      preset: 'ollama',
      model: 'ok~local',
      baseUrl: `${upstream().url}/v1`,
    };
    manager.registerModel('local', createProvider(local, deps()), defaultModelMetadata(local));
    manager.setFallbackChain(['team', 'local']);
    return manager;
  }

  const chatRequests = () => standIn.requests.filter((r) => r.path.endsWith('/chat/completions'));

  it("uses the proxy's x-litellm-response-cost, not usage × catalog price, and counts it once", async () => {
    const manager = chain();
    const result = await manager.generate({ prompt: 'What does the team pay?' });
    assert.equal(result.model, 'team');
    const reported = chatRequests()[0].reportedCost!;
    const usage = result.usage;
    assert.equal(
      reported,
      usage.inputTokens * GATEWAY_PRICE.input + usage.outputTokens * GATEWAY_PRICE.output,
    );
    const catalog =
      (usage.inputTokens * TEST_PRICE.inputPerMTok + usage.outputTokens * TEST_PRICE.outputPerMTok) / 1e6;
    assert.notEqual(reported, catalog, 'the two prices differ, so the test tells them apart');
    assert.equal(result.costUsd, reported);
    assert.equal(manager.getMetrics().spend.todayUsd, reported, 'the ledger holds the figure once');
    assert.equal(key.spend, 12.4 + reported, 'the proxy charged the key the same figure');
    await manager.dispose();
  });

  it('a streamed answer (the proxy sends no cost for streams) is priced from the catalog, once', async () => {
    const manager = chain();
    const shown: string[] = [];
    const result = await manager.generate({ prompt: 'stream it', onToken: (t) => shown.push(t) });
    assert.equal(result.model, 'team');
    assert.ok(shown.length > 1);
    assert.equal(chatRequests()[0].reportedCost, undefined);
    const catalog =
      (result.usage.inputTokens * TEST_PRICE.inputPerMTok +
        result.usage.outputTokens * TEST_PRICE.outputPerMTok) /
      1e6;
    assert.equal(result.costUsd, catalog);
    assert.equal(manager.getMetrics().spend.todayUsd, catalog);
    await manager.dispose();
  });

  it('budget exceeded: the chain moves on at once, and the member stays out until the budget resets', async () => {
    key.spend = 50.02;
    const manager = chain();
    const first = await manager.generate({ prompt: 'over budget' });
    assert.equal(first.model, 'local', 'the local model answered');
    const attempts = first.trace.steps.filter((s) => s.type === 'attempt' && s.model === 'team');
    assert.equal(attempts.length, 1, 'no retry of a budget refusal');
    assert.ok(attempts[0].type === 'attempt' && attempts[0].errorKind === 'quota');
    assert.ok(!first.trace.steps.some((s) => s.type === 'backoff'), 'no backoff either');
    assert.equal(manager.getModelInfo('team')!.retryAfterUntil, key.budgetResetAt, 'out until the reset');

    const second = await manager.generate({ prompt: 'still over' });
    assert.equal(second.model, 'local');
    const skip = second.trace.steps.find((s) => s.type === 'skip' && s.model === 'team');
    assert.ok(skip?.type === 'skip' && skip.reason === 'retryAfter', JSON.stringify(second.trace.steps));
    assert.equal(chatRequests().length, 1, 'the proxy was not asked again');

    await clock.tickAsync(3 * HOUR + 1000);
    const third = await manager.generate({ prompt: 'a new month' });
    assert.equal(third.model, 'team', 'after the reset the member answers again');
    await manager.dispose();
  });

  it('budget exceeded in the older releases (HTTP 400, code "400") is the same', async () => {
    await standIn.close();
    key.spend = 51;
    standIn = await startLiteLlmStandIn({
      upstreamUrl: upstream().url,
      upstreamKey: 'sk-upstream-held-by-the-proxy-0123456789',
      keys: { [PLANTED_KEY]: key },
      budgetStatus: 400,
      now: () => clock.now(),
    });
    const error = await caught(
      createProvider(memberConfig('ok'), deps()).generate(
        { model: 'team', messages: [{ role: 'user', content: 'hi' }] },
        new AbortController().signal,
      ),
    );
    assert.equal(error.kind, 'quota');
    assert.equal(error.status, 400);
    assert.equal(error.retryAfterMs, 3 * HOUR);
    assert.match(
      error.message,
      /team budget .* is used up .*Budget has been exceeded! Current cost: 51, Max budget: 50/,
    );
    assert.match(error.message, /resets in 3 h/);
  });

  it('a budget that names no reset keeps the member out for the re-check interval', async () => {
    key.spend = 60;
    delete key.budgetDuration;
    delete key.budgetResetAt;
    const error = await caught(
      createProvider(memberConfig('ok'), deps()).generate(
        { model: 'team', messages: [{ role: 'user', content: 'hi' }] },
        new AbortController().signal,
      ),
    );
    assert.equal(error.kind, 'quota');
    assert.equal(error.retryAfterMs, BUDGET_RECHECK_MS);
  });

  it("reads the key's spend and budget from /key/info with the member's key, and never returns the key", async () => {
    const budget = await teamBudget(memberConfig('ok'), deps(), new AbortController().signal);
    assert.deepEqual(budget, {
      spendUsd: 12.4,
      maxBudgetUsd: 50,
      resetsAt: key.budgetResetAt,
      duration: '30d',
    });
    assert.equal(describeTeamBudget(budget), 'team: $12.40 of $50');
    assert.ok(!JSON.stringify(budget).includes(PLANTED_KEY));
    assert.deepEqual(
      standIn.requests.map((r) => `${r.method} ${r.path} ${r.status}`),
      ['GET /key/info 200'],
    );
  });

  it('a key the proxy does not know reads as an auth error, without the key', async () => {
    const error = await caught(
      teamBudget(
        memberConfig('ok'),
        { secrets: new MemorySecrets({ liteLlm: 'sk-unknown-virtual-key-987654321' }) },
        new AbortController().signal,
      ),
    );
    assert.equal(error.kind, 'auth');
    assert.ok(!error.message.includes('sk-unknown-virtual-key-987654321'), error.message);
  });
});
