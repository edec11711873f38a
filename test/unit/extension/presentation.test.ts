import * as assert from 'node:assert/strict';
import { ChainFailedError, type ManagerMetrics, type ModelInfo, type RequestTrace } from '../../../src/core';
import {
  BUILT_IN_TEMPLATES,
  extractCode,
  fencedBlock,
  renderTemplate,
  unknownPlaceholders,
  type PlaceholderValues,
} from '../../../src/extension/templates';
import { redactSecrets } from '../../../src/extension/redact';
import { buildStatusView, chainHealth } from '../../../src/extension/statusModel';
import { traceToLogLine, traceToMarkdown } from '../../../src/extension/traceFormat';

const now = Date.UTC(2026, 10, 23, 12);

function info(name: string, state: ModelInfo['circuit']['state'], extra: Partial<ModelInfo> = {}): ModelInfo {
  return {
    name,
    metadata: {
      provider: 'openai',
      contextWindow: 128_000,
      maxOutputTokens: 4096,
      inputPricePerMTok: 1,
      outputPricePerMTok: 2,
    },
    active: false,
    circuit:
      state === 'open'
        ? { state, consecutiveFailures: 5, openedAt: now - 18_000, nextProbeAt: now + 42_000 }
        : { state, consecutiveFailures: 0 },
    requests: 0,
    successes: 0,
    failures: {},
    latency: { samples: [] },
    tokens: { input: 0, output: 0, cacheRead: 0, reasoning: 0 },
    spend: { todayUsd: 0.12, monthUsd: 1, lifetimeUsd: 1, savedByCacheUsd: 0, unpricedRequests: 0 },
    ...extra,
  };
}

function metrics(spend: Partial<ManagerMetrics['spend']> = {}): ManagerMetrics {
  return {
    requests: 0,
    successes: 0,
    failures: 0,
    cacheHits: 0,
    cacheMisses: 0,
    cache: { entries: 0, bytes: 0 },
    retries: 0,
    fallbacks: {},
    tokens: { input: 0, output: 0 },
    spend: { todayUsd: 0.42, monthUsd: 3, alertAt: 0.8, hardStop: false, history: [], ...spend },
  };
}

describe('status bar view', () => {
  it("is healthy with every circuit closed, showing the first model and today's spend", () => {
    const view = buildStatusView({
      models: [info('gpt', 'closed'), info('claude', 'closed')],
      metrics: metrics(),
      now,
      demo: false,
      missingKeys: new Set(),
    });
    assert.equal(view.health, 'healthy');
    assert.equal(view.text, '$(pass-filled) gpt · $0.42');
    assert.equal(view.background, 'none');
  });

  it('warns when some circuits are open and says when the next probe comes', () => {
    const view = buildStatusView({
      models: [info('gpt', 'open'), info('claude', 'closed')],
      metrics: metrics(),
      now,
      demo: false,
      missingKeys: new Set(['claude']),
    });
    assert.equal(view.health, 'degraded');
    assert.equal(view.background, 'warning');
    assert.match(view.tooltip, /\| \$\(error\) \| \*\*gpt\*\*(&nbsp;)* \| open · probe in 42 s(&nbsp;)* \|/);
    assert.match(view.tooltip, /claude \$\(key\) no key/);
  });

  it('is down when every circuit is open, and budget-exhausted when the hard stop is hit with only paid models', () => {
    assert.equal(
      chainHealth({ models: [info('a', 'open'), info('b', 'isolated')], metrics: metrics() }),
      'down',
    );
    assert.equal(
      chainHealth({
        models: [info('a', 'closed')],
        metrics: metrics({ hardStop: true, dailyBudgetUsd: 0.4 }),
      }),
      'budgetExhausted',
    );
    assert.equal(chainHealth({ models: [], metrics: metrics() }), 'noModels');
  });

  it('says when budget pressure moves standard tasks to the economy chain', () => {
    const view = buildStatusView({
      models: [info('gpt', 'closed')],
      metrics: metrics(),
      now,
      demo: false,
      missingKeys: new Set(),
      routingNote: 'Budget pressure (12 % of the daily budget left): standard tasks use the economy chain.',
    });
    assert.equal(view.text, '$(dashboard) gpt · $0.42 · budget pressure');
    assert.equal(view.background, 'warning');
    assert.match(view.tooltip, /standard tasks use the economy chain/);
  });

  it('invites set-up when no model is configured', () => {
    assert.equal(
      buildStatusView({ models: [], metrics: metrics(), now, demo: false, missingKeys: new Set() }).text,
      '$(gear) LLM Manager: set up',
    );
  });

  it('shows the check mark only on the plain background: each background has icons of its own', () => {
    const views = [
      { models: [info('gpt', 'closed')] },
      { models: [info('gpt', 'closed')], routingNote: 'Budget pressure: 12 % of the daily budget left.' },
      { models: [info('gpt', 'open'), info('claude', 'closed')] },
      { models: [info('gpt', 'open')] },
      { models: [info('gpt', 'closed')], metrics: metrics({ hardStop: true, dailyBudgetUsd: 0.4 }) },
      { models: [] },
    ].map((input) =>
      buildStatusView({ metrics: metrics(), now, demo: false, missingKeys: new Set(), ...input }),
    );
    const iconsBy = new Map<string, Set<string>>();
    for (const view of views) {
      const icon = /^\$\([\w-]+\)/.exec(view.text)![0];
      iconsBy.set(view.background, new Set([...(iconsBy.get(view.background) ?? []), icon]));
    }
    assert.deepEqual(
      [...iconsBy].map(([background, icons]) => [background, [...icons]]),
      [
        ['none', ['$(pass-filled)', '$(gear)']],
        ['warning', ['$(dashboard)', '$(warning)']],
        ['error', ['$(error)', '$(credit-card)']],
      ],
    );
  });

  it('sets the columns of the tooltip table apart and aligns each header over its column', () => {
    const { tooltip } = buildStatusView({
      models: [info('gpt', 'closed'), info('claude', 'closed')],
      metrics: metrics(),
      now,
      demo: false,
      missingKeys: new Set(),
    });
    const lines = tooltip.split('\n');
    const header = lines.findIndex((line) => line.includes('Model'));
    assert.equal(lines[header + 1], '|:--|:--|:--|:--|--:|');
    assert.match(
      lines[header],
      /^\| {2}\| Model(&nbsp;)+ \| Circuit(&nbsp;)+ \| Last error(&nbsp;)+ \| Today \|$/,
    );
    assert.match(lines[header + 2], /\*\*gpt\*\*(&nbsp;)+ \| closed(&nbsp;)+ \| —(&nbsp;)+ \| \$0\.12 \|$/);
  });

  it('writes the amounts it shows together in one precision, so a budget below a cent adds up', () => {
    const { tooltip } = buildStatusView({
      models: [
        info('gpt', 'closed', { spend: { ...info('x', 'closed').spend, todayUsd: 0.0034 } }),
        info('claude', 'closed', { spend: { ...info('x', 'closed').spend, todayUsd: 0.25 } }),
      ],
      metrics: metrics({ todayUsd: 0.0034, dailyBudgetUsd: 0.0136, monthUsd: 0.42, monthlyBudgetUsd: 5 }),
      now,
      demo: false,
      missingKeys: new Set(),
    });
    assert.match(tooltip, /^Today \$0\.0034 of \$0\.0136 · this month \$0\.42 of \$5\.00$/m);
    // The spend column: one precision down the column.
    assert.match(tooltip, /\| \$0\.0034 \|\n.*\| \$0\.2500 \|/);
  });

  it('does not call the chain healthy while a model with a closed circuit fails most of its requests', () => {
    const failing = info('demo-openai', 'closed', { requests: 4, successes: 0, successRate: 0 });
    const fine = info('demo-claude', 'closed', { requests: 5, successes: 5, successRate: 1 });
    const view = buildStatusView({
      models: [failing, fine],
      metrics: metrics(),
      now,
      demo: false,
      missingKeys: new Set(),
    });
    assert.equal(view.health, 'healthy');
    assert.match(
      view.tooltip,
      /^\*\*LLM Manager\*\* — All circuits closed, but demo-openai is failing \(4 of 4 requests failed\)\.$/m,
    );
    assert.doesNotMatch(view.tooltip, /the chain is healthy/);
    const twoFailing = buildStatusView({
      models: [failing, info('b', 'closed', { requests: 5, successes: 3, successRate: 0.6 })],
      metrics: metrics(),
      now,
      demo: false,
      missingKeys: new Set(),
    });
    assert.match(
      twoFailing.tooltip,
      /All circuits closed, but demo-openai \(4 of 4 failed\) and b \(2 of 5 failed\) are failing\./,
    );
  });
});

describe('trace formatting', () => {
  const trace: RequestTrace = {
    id: 't-1',
    startedAt: now,
    steps: [
      { type: 'cache', at: now, hit: false },
      {
        type: 'attempt',
        at: now + 400,
        model: 'gpt',
        attempt: 1,
        latencyMs: 400,
        outcome: 'error',
        errorKind: 'server',
        message: 'HTTP 500 | boom',
      },
      { type: 'backoff', at: now + 1400, model: 'gpt', delayMs: 1000, reason: 'exponential' },
      {
        type: 'skip',
        at: now + 1400,
        model: 'claude',
        reason: 'circuitOpen',
        detail: 'circuit open after repeated failures; next probe in 42 s',
      },
      { type: 'attempt', at: now + 2000, model: 'local', attempt: 1, latencyMs: 600, outcome: 'success' },
      { type: 'answered', at: now + 2000, model: 'local', costUsd: 0 },
    ],
  };

  it('writes every step in words, in order, with time offsets', () => {
    const markdown = traceToMarkdown(trace, 'Explain selection');
    assert.match(markdown, /^- \*\*\+0 ms\*\* cache miss$/m);
    assert.match(
      markdown,
      /gpt: attempt 1 failed after 400 ms — the provider had a server error \(HTTP 500 \| boom\)/,
    );
    assert.match(markdown, /^- \*\*\+1 s\*\* gpt: waited 1 s before retrying \(exponential backoff\)$/m);
    assert.match(markdown, /claude: circuit open after repeated failures; next probe in 42 s/);
    assert.match(markdown, /local answered · \$0/);
  });

  it("lists each model's outcome for a failed chain", () => {
    const error = new ChainFailedError(
      'allModelsFailed',
      [{ model: 'gpt', outcome: 'auth', summary: 'API key rejected', attempts: 1 }],
      'No model could answer (1 tried):',
    );
    assert.match(traceToMarkdown(trace, 'x', error), /- \*\*gpt\*\*: API key rejected/);
  });

  it('fits one log line', () => {
    const line = traceToLogLine(trace);
    assert.ok(!line.includes('\n'));
    assert.match(line, /^trace t-1: cache miss; gpt: attempt 1 failed/);
  });
});

describe('prompt templates', () => {
  const values: PlaceholderValues = {
    selection: 'const x = 1;\n',
    selectionBlock: fencedBlock('const x = 1;\n', 'typescript'),
    language: 'typescript',
    fileName: 'src/a.ts',
    question: 'Why?',
  };
  const builtIn = (id: 'ask' | 'explain' | 'improve') => ({ ...BUILT_IN_TEMPLATES[id], builtIn: true });

  it('fills every placeholder of the built-in templates', () => {
    assert.match(
      renderTemplate(builtIn('explain'), values).prompt,
      /from `src\/a\.ts` does.*\n\n```typescript\nconst x = 1;\n```$/s,
    );
    assert.match(
      renderTemplate(builtIn('ask'), values).prompt,
      /^Why\?\n\nAbout this typescript code from `src\/a\.ts`/,
    );
  });

  it('names an unknown placeholder in a clear error', () => {
    const template = { ...builtIn('explain'), id: 'mine', prompt: 'Explain {{selection}} in {{langauge}}' };
    assert.deepEqual(unknownPlaceholders(template.prompt), ['langauge']);
    assert.throws(
      () => renderTemplate(template, values),
      /Template "mine" uses an unknown placeholder \{\{langauge\}\}\. Known placeholders: \{\{selection\}\}/,
    );
  });

  it('uses a longer fence when the code itself contains one', () => {
    assert.match(fencedBlock('a ```b``` c', 'md'), /^````md\n/);
  });

  it("takes the code out of a replace answer and keeps the selection's final newline", () => {
    assert.equal(extractCode('Here:\n```ts\nconst y = 2;\n```\nDone.', true), 'const y = 2;\n');
    assert.equal(extractCode('const y = 2;   ', false), 'const y = 2;');
  });
});

describe('redactSecrets', () => {
  it('removes known key values and anything shaped like a vendor key', () => {
    const text =
      'failed with my-secret-value-123 and sk-proj-abcdefghijklmnopqrstuv, gsk_abcdefghijklmnopqrstuvwx and Bearer abc.def.ghi.jkl.mno';
    const redacted = redactSecrets(text, ['my-secret-value-123']);
    assert.equal(redacted, 'failed with [redacted] and [redacted], [redacted] and Bearer [redacted]');
  });

  it('leaves short values and ordinary words alone', () => {
    assert.equal(redactSecrets('the key is abc', ['abc']), 'the key is abc');
    assert.equal(redactSecrets('a risky task-list', []), 'a risky task-list');
  });
});
