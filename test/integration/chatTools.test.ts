import * as assert from 'assert';
import * as vscode from 'vscode';
import type { FaultUpstream } from '../../src/demo/faultUpstream';
import { CHAT_VENDOR } from '../../src/extension/contributions';
import type { ExtensionExports } from '../../src/extension/extension';
import {
  activateExtension,
  anthropicModel,
  configure,
  eventually,
  openAiModel,
  resetSettings,
  upstream,
} from './support';

describe('tool calls through the chain chat model', function () {
  let api: ExtensionExports;
  let up: FaultUpstream;

  before(async () => {
    api = await activateExtension();
    up = await upstream();
    await configure(api, {
      models: [
        openAiModel('tool-primary', up.url, 'error-500~tools'),
        anthropicModel('tool-claude', up.url, 'tools~chat'),
      ],
      activeModel: 'tool-primary',
      fallbackChain: ['tool-claude'],
      'retry.maxRetries': 0,
    });
  });

  after(() => resetSettings());

  it("passes VS Code's tools to the chain and returns the tool call as a LanguageModelToolCallPart", async () => {
    const [model] = await eventually(
      async () => vscode.lm.selectChatModels({ vendor: CHAT_VENDOR }),
      (found) => found.length > 0,
      'the chain chat model',
    );
    const tool: vscode.LanguageModelChatTool = {
      name: 'get_weather',
      description: 'Current weather for a city',
      inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    };
    const response = await model.sendRequest(
      [vscode.LanguageModelChatMessage.User('What is the weather in Oslo?')],
      { tools: [tool] },
      new vscode.CancellationTokenSource().token,
    );
    const calls: vscode.LanguageModelToolCallPart[] = [];
    for await (const part of response.stream)
      if (part instanceof vscode.LanguageModelToolCallPart) calls.push(part);
    assert.strictEqual(calls.length, 1);
    assert.strictEqual(calls[0].name, 'get_weather');
    assert.strictEqual(typeof (calls[0].input as { city?: unknown }).city, 'string');

    // The tool result goes back; the chain answers with text.
    const followUp = await model.sendRequest(
      [
        vscode.LanguageModelChatMessage.User('What is the weather in Oslo?'),
        vscode.LanguageModelChatMessage.Assistant([calls[0]]),
        vscode.LanguageModelChatMessage.User([
          new vscode.LanguageModelToolResultPart(calls[0].callId, [
            new vscode.LanguageModelTextPart('{"temp": -3}'),
          ]),
        ]),
      ],
      { tools: [tool] },
      new vscode.CancellationTokenSource().token,
    );
    let text = '';
    for await (const piece of followUp.text) text += piece;
    assert.match(text, /-3/);
  });
});
