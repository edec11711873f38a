import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { activateExtension } from '../support';
import { coordinateTests, meet, thisWindow } from './coordination';
import {
  globalStorageFolder,
  inParallel,
  MODELS,
  report,
  sameMoney,
  sendCounted,
  sent,
  settle,
  usd,
  type SentRequest,
} from './support';
import type { ExtensionExports } from '../../../src/extension/extension';

const PAID_REQUESTS = 50;

interface Totals {
  readonly requests: number;
  readonly spendTodayUsd: number;
  readonly tokens: { readonly input: number; readonly output: number };
  readonly byModel: Readonly<
    Record<
      string,
      {
        readonly requests: number;
        readonly spendTodayUsd: number;
        readonly input: number;
        readonly output: number;
      }
    >
  >;
}

/** The exact sums of both windows' requests. */
function expectedTotals(requests: readonly SentRequest[]): Totals {
  const byModel: Record<string, { requests: number; spendTodayUsd: number; input: number; output: number }> =
    {};
  for (const request of requests) {
    const model = (byModel[request.model] ??= { requests: 0, spendTodayUsd: 0, input: 0, output: 0 });
    model.requests++;
    model.spendTodayUsd += request.costUsd;
    model.input += request.inputTokens;
    model.output += request.outputTokens;
  }
  return {
    requests: requests.length,
    spendTodayUsd: requests.reduce((sum, request) => sum + request.costUsd, 0),
    tokens: {
      input: requests.reduce((sum, request) => sum + request.inputTokens, 0),
      output: requests.reduce((sum, request) => sum + request.outputTokens, 0),
    },
    byModel,
  };
}

/** What this window shows, for the models in `expected`. */
function shownTotals(api: ExtensionExports, expected: Totals): Totals {
  const metrics = api.getMetrics();
  const models = api.listModels();
  const byModel: Record<string, { requests: number; spendTodayUsd: number; input: number; output: number }> =
    {};
  for (const id of Object.keys(expected.byModel)) {
    const info = models.find((model) => model.name === id);
    byModel[id] = {
      requests: info?.requests ?? 0,
      spendTodayUsd: info?.spend.todayUsd ?? 0,
      input: info?.tokens.input ?? 0,
      output: info?.tokens.output ?? 0,
    };
  }
  return {
    requests: metrics.requests,
    spendTodayUsd: metrics.spend.todayUsd,
    tokens: metrics.tokens,
    byModel,
  };
}

function sameTotals(a: Totals, b: Totals): boolean {
  return (
    a.requests === b.requests &&
    sameMoney(a.spendTodayUsd, b.spendTodayUsd) &&
    a.tokens.input === b.tokens.input &&
    a.tokens.output === b.tokens.output &&
    Object.keys(b.byModel).every((id) => {
      const x = a.byModel[id];
      const y = b.byModel[id];
      return (
        x &&
        x.requests === y.requests &&
        sameMoney(x.spendTodayUsd, y.spendTodayUsd) &&
        x.input === y.input &&
        x.output === y.output
      );
    })
  );
}

/** Money rounded to a billionth, so a deepStrictEqual diff shows only real differences. */
function rounded(totals: Totals): Totals {
  const money = (value: number) => Math.round(value * 1e9) / 1e9;
  return {
    ...totals,
    spendTodayUsd: money(totals.spendTodayUsd),
    byModel: Object.fromEntries(
      Object.entries(totals.byModel).map(([id, model]) => [
        id,
        { ...model, spendTodayUsd: money(model.spendTodayUsd) },
      ]),
    ),
  };
}

describe('one ledger for two windows', function () {
  // Barriers wait for the other window, which may still be starting.
  this.timeout(180_000);
  coordinateTests();

  it(`counts ${PAID_REQUESTS} paid requests made in each window at once: either window shows the exact sums`, async () => {
    const api = await activateExtension();
    const window = thisWindow();
    const plan = Array.from({ length: PAID_REQUESTS }, (_, index) => ({
      model: index % 2 === 0 ? MODELS.alpha : MODELS.beta,
      prompt: `Window ${window}, paid request ${index}: ${'tally '.repeat(index % 7)}`,
    }));
    await meet('start');
    await inParallel(plan, 5, (step) => sendCounted(api, step.model, step.prompt));
    await api.diagnostics.flush();
    const theirs = await meet<SentRequest[]>('spent', sent);
    const mine = expectedTotals(sent);
    const expected = expectedTotals([...sent, ...theirs]);

    const shown = await settle(
      () => shownTotals(api, expected),
      (totals) => sameTotals(totals, expected),
      10_000,
    );
    report(
      `window ${window} shows ${usd(shown.value.spendTodayUsd)} today over ${shown.value.requests} requests` +
        ` (${shown.ok ? `after ${shown.ms} ms` : 'never matched'}); exact sum ${usd(expected.spendTodayUsd)}` +
        ` over ${expected.requests} requests (window ${window}'s own: ${usd(mine.spendTodayUsd)}, ${mine.requests})`,
    );
    for (const [id, model] of Object.entries(shown.value.byModel)) {
      report(
        `  ${id}: ${model.requests} requests, ${usd(model.spendTodayUsd)}, ${model.input}+${model.output} tokens` +
          ` (exact: ${expected.byModel[id].requests}, ${usd(expected.byModel[id].spendTodayUsd)}, ${expected.byModel[id].input}+${expected.byModel[id].output})`,
      );
    }
    await meet('compared');
    assert.deepStrictEqual(
      rounded(shown.value),
      rounded(expected),
      `window ${window} shows the exact sums of both windows`,
    );

    // Each window keeps its own record in the one shared folder.
    const windowsFolder = path.join(globalStorageFolder(), 'shared', 'windows');
    const pids = fs
      .readdirSync(windowsFolder)
      .filter((name) => name.endsWith('.json'))
      .map(
        (name) =>
          (JSON.parse(fs.readFileSync(path.join(windowsFolder, name), 'utf8')) as { pid: number }).pid,
      );
    const theirPid = await meet<number>('pid', process.pid);
    assert.ok(
      pids.includes(process.pid) && pids.includes(theirPid),
      `records of both extension hosts in ${windowsFolder}`,
    );
  });
});
