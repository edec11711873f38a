import * as assert from 'assert';
import * as vscode from 'vscode';
import { COMMANDS } from '../../src/extension/contributions';
import type { ExtensionExports } from '../../src/extension/extension';
import type { ModelCardView } from '../../src/shared/protocol';
import { startLiteLlmStandIn, type LiteLlmStandIn } from '../support/liteLlmStandIn';
import { allowEgress } from './egress';
import {
  activateExtension,
  closeAllEditors,
  configure,
  eventually,
  openAiModel,
  resetSettings,
  upstream,
} from './support';

const KEY_ID = 'team-gateway-key';
const TEAM_KEY = 'sk-team-VIRTUALkeyOFtheTEAMgateway-2468';
const HOUR = 3_600_000;

/**
 * A team gateway as the first member of the chain, in the real extension host: the LiteLLM proxy,
 * TESTED AGAINST A STAND-IN (test/support/liteLlmStandIn.ts, the proxy's answers built from its
 * source), whose virtual key is over its budget.
 */
describe('team gateway in the chain (LiteLLM proxy, tested against a stand-in)', function () {
  let api: ExtensionExports;
  let standIn: LiteLlmStandIn;
  const resetsAt = Date.now() + 3 * HOUR;

  before(async () => {
    api = await activateExtension();
    const up = await upstream();
    standIn = await startLiteLlmStandIn({
      upstreamUrl: up.url,
      upstreamKey: 'sk-upstream-held-by-the-proxy-0123456789',
      keys: { [TEAM_KEY]: { spend: 50.02, maxBudget: 50, budgetDuration: '30d', budgetResetAt: resetsAt } },
    });
    allowEgress(standIn.rootUrl, 'the LiteLLM stand-in (a team gateway in the user settings)');
    await configure(api, {
      models: [
        {
          id: 'team-gw',
          provider: 'openaiCompatible',
          preset: 'liteLlm',
          model: 'ok~team',
          baseUrl: standIn.baseUrl,
          keyId: KEY_ID,
          inputPricePerMTok: 2.5,
          outputPricePerMTok: 10,
        },
        openAiModel('local-backup', up.url, 'ok~team-backup'),
      ],
      activeModel: 'team-gw',
      fallbackChain: ['local-backup'],
      confirmCostAboveUsd: 0,
    });
    await vscode.commands.executeCommand(COMMANDS.setApiKey, KEY_ID, TEAM_KEY);
  });

  after(async () => {
    await closeAllEditors();
    await vscode.commands.executeCommand(COMMANDS.clearApiKey, KEY_ID);
    await resetSettings();
    await standIn?.close();
  });

  it('fails over from the gateway answering "budget exceeded" to the next member, and keeps the gateway out until the reset', async () => {
    const result = await api.generate({ prompt: 'hello team', useCache: false });
    assert.strictEqual(result.model, 'local-backup');
    const attempt = result.trace.steps.find((s) => s.type === 'attempt' && s.model === 'team-gw');
    assert.ok(
      attempt && attempt.type === 'attempt' && attempt.errorKind === 'quota',
      JSON.stringify(attempt),
    );
    const info = api.listModels().find((m) => m.name === 'team-gw');
    assert.ok(info?.retryAfterUntil !== undefined, 'the gateway is kept out');
    assert.ok(Math.abs(info.retryAfterUntil - resetsAt) < 60_000, 'until the budget resets');

    const chats = () => standIn.requests.filter((r) => r.path.endsWith('/chat/completions')).length;
    const before = chats();
    const again = await api.generate({ prompt: 'hello again', useCache: false });
    assert.strictEqual(again.model, 'local-backup');
    assert.strictEqual(chats(), before, 'the gateway was not asked while it is out');
  });

  it("shows the team's budget on the gateway member's card and in the status tooltip once a view is open", async () => {
    await vscode.commands.executeCommand(COMMANDS.showMetrics);
    const card = await eventually(
      () => api.diagnostics.dashboardState()?.models.find((m) => m.name === 'team-gw'),
      (found: ModelCardView | undefined) => found?.teamBudget?.text === 'team: $50.02 of $50',
      "the gateway member's card with the team budget",
      20_000,
    );
    assert.strictEqual(card!.teamBudget!.tone, 'error');
    assert.ok(card!.waitUntil !== undefined, 'the card says the member is out until the reset');
    const backup = api.diagnostics.dashboardState()!.models.find((m) => m.name === 'local-backup');
    assert.strictEqual(backup?.teamBudget, undefined);
    await eventually(
      () => api.diagnostics.statusBar()?.tooltip ?? '',
      (tooltip) => tooltip.includes('team: $50.02 of $50'),
      'the status tooltip with the team budget',
    );
    const keyInfoReads = standIn.requests.filter((r) => r.path === '/key/info' && r.status === 200);
    assert.ok(keyInfoReads.length >= 1, 'read from the gateway');
    assert.ok(!JSON.stringify(api.diagnostics.dashboardState()).includes(TEAM_KEY), 'no key in a view');
  });
});
