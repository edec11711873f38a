import * as assert from 'assert';
import * as vscode from 'vscode';
import type { FaultUpstream } from '../../src/demo/faultUpstream';
import { CHAT_VENDOR, COMMANDS } from '../../src/extension/contributions';
import type { ExtensionExports } from '../../src/extension/extension';
import {
  activateExtension,
  anthropicModel,
  closeAllEditors,
  configure,
  documentText,
  editorWith,
  eventually,
  openAiModel,
  resetSettings,
  runCommand,
  upstream,
} from './support';

const CODE = 'export function add(a: number, b: number) {\n  return a + b;\n}\n';

type Json = Record<string, unknown>;

async function chainModel(): Promise<vscode.LanguageModelChat> {
  const [model] = await eventually(
    async () => vscode.lm.selectChatModels({ vendor: CHAT_VENDOR }),
    (found) => found.length > 0,
    'the chain chat model',
  );
  return model;
}

describe("vendors' contracts in the real host", function () {
  let api: ExtensionExports;
  let up: FaultUpstream;

  before(async () => {
    api = await activateExtension();
    up = await upstream();
  });

  afterEach(async () => {
    await closeAllEditors();
    await resetSettings();
  });

  it('Explain Selection is answered by a reasoning model with default settings (commandTemperature 0.2 is dropped)', async () => {
    // The upstream refuses gpt-5-mini requests with a temperature or max_tokens, as OpenAI does.
    await configure(api, {
      models: [openAiModel('reasoner', up.url, 'gpt-5-mini')],
      activeModel: 'reasoner',
      // The answer as a document, whose footer this test reads (the panel shows the same footer).
      'answers.view': 'document',
    });
    // (The response cache is left alone: a later window restores it. This chain's key is its own.)
    up.resetStats();
    await editorWith(CODE, 'return a + b;');
    const outcome = await runCommand(COMMANDS.explainSelection);
    assert.strictEqual(outcome.ok, true, outcome.message);
    assert.strictEqual(outcome.model, 'reasoner');
    const text = await documentText(outcome.document);
    assert.match(text, /Demo answer from gpt-5-mini/);
    // Reasoning tokens are output tokens, and the footer says how many.
    assert.match(text, /in \/ [\d,]+ out \(128 reasoning\) tokens/);
    const sent = up.stats().recent.at(-1)!;
    assert.strictEqual(sent.status, 200);
    assert.strictEqual(sent.params?.temperature, undefined);
    assert.strictEqual(sent.params?.maxTokens, undefined);
    assert.ok((sent.params?.maxCompletionTokens ?? 0) > 0);
  });

  it('a thinking Claude answers through the chain chat model with text only', async () => {
    await configure(api, {
      models: [anthropicModel('thinker', up.url, 'claude-sonnet-5-5', { thinking: { budgetTokens: 2048 } })],
      activeModel: 'thinker',
    });
    up.resetStats();
    const response = await (
      await chainModel()
    ).sendRequest(
      [vscode.LanguageModelChatMessage.User('Why is the sky blue?')],
      { modelOptions: { temperature: 0.2 } },
      new vscode.CancellationTokenSource().token,
    );
    let text = '';
    for await (const piece of response.text) text += piece;
    assert.match(text, /^Demo answer from claude-sonnet-5-5/);
    assert.doesNotMatch(text, /thinking out loud/, 'no thinking in the answer');
    const sent = up.stats().recent.at(-1)!;
    assert.strictEqual(sent.status, 200);
    // Claude 5 thinks adaptively only: the budget goes as adaptive thinking, and no temperature.
    assert.deepStrictEqual(sent.params?.thinking, { type: 'adaptive' });
    assert.strictEqual(sent.params?.temperature, undefined);
    assert.ok((sent.usage?.reasoningTokens ?? 0) > 0);
  });

  it("a thinking Claude's tool call round-trips through VS Code with its thinking passed back", async () => {
    await configure(api, {
      models: [
        anthropicModel('thinking-tools', up.url, 'tools~thinking', { thinking: { budgetTokens: 2048 } }),
      ],
      activeModel: 'thinking-tools',
    });
    up.resetStats();
    const model = await chainModel();
    const tool: vscode.LanguageModelChatTool = {
      name: 'get_weather',
      description: 'Current weather for a city',
      inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    };
    const asked = await model.sendRequest(
      [vscode.LanguageModelChatMessage.User('What is the weather in Oslo?')],
      { tools: [tool] },
      new vscode.CancellationTokenSource().token,
    );
    const calls: vscode.LanguageModelToolCallPart[] = [];
    for await (const part of asked.stream)
      if (part instanceof vscode.LanguageModelToolCallPart) calls.push(part);
    assert.strictEqual(calls.length, 1);

    const followUp = await model.sendRequest(
      [
        vscode.LanguageModelChatMessage.User('What is the weather in Oslo?'),
        vscode.LanguageModelChatMessage.Assistant([calls[0]]),
        vscode.LanguageModelChatMessage.User([
          new vscode.LanguageModelToolResultPart(calls[0].callId, [
            new vscode.LanguageModelTextPart('-3 °C'),
          ]),
        ]),
      ],
      { tools: [tool] },
      new vscode.CancellationTokenSource().token,
    );
    let text = '';
    for await (const piece of followUp.text) text += piece;
    assert.match(text, /get_weather returned -3 °C/);
    const sent = up.stats().recent.at(-1)!;
    // Thinking stayed on: the assistant turn went back starting with its signed thinking block.
    assert.deepStrictEqual(sent.params?.thinking, { type: 'enabled', budget_tokens: 2048 });
    const turn = sent.toolExchange!.messages[1] as Json;
    assert.deepStrictEqual(
      (turn.content as Json[]).map((block) => block.type),
      ['thinking', 'tool_use'],
    );
  });
});
