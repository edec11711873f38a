import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMANDS, type CommandId } from '../../../src/extension/contributions';
import {
  handleWebviewMessage,
  type DashboardMessageServices,
} from '../../../src/extension/dashboardMessages';
import { CHAIN_ACTION_TYPES, MODEL_ACTION_TYPES, parseWebviewMessage } from '../../../src/shared/protocol';
import { MemoryLogger } from '../../support/fakeClock';

/** Services whose commands are recorded instead of run. */
function services(options: { failWith?: Error } = {}) {
  const calls: Array<{ command: CommandId; args: unknown[] }> = [];
  const logger = new MemoryLogger();
  const value: DashboardMessageServices = {
    executeCommand: async (command, ...args) => {
      calls.push({ command, args });
      if (options.failWith) throw options.failWith;
      return undefined;
    },
    isKnownModel: (name) => ['gpt', 'claude', 'local'].includes(name),
    keyIdOf: (name) => (name === 'local' ? undefined : name === 'gpt' ? 'openai' : 'anthropic'),
    logger,
  };
  return { services: value, calls, logger };
}

describe('metrics webview messages', () => {
  describe('actions run the palette commands', () => {
    const cases: Array<[string, unknown, CommandId, unknown[]]> = [
      ['resets a circuit', { type: 'resetCircuit', model: 'gpt' }, COMMANDS.resetCircuit, ['gpt']],
      ['isolates a model', { type: 'isolateModel', model: 'claude' }, COMMANDS.isolateModel, ['claude']],
      [
        'makes a model active',
        { type: 'makeActive', model: 'claude' },
        COMMANDS.chooseActiveModel,
        ['claude'],
      ],
      [
        "opens a model's settings",
        { type: 'openModelSettings', model: 'gpt' },
        COMMANDS.openModelSettings,
        ['gpt'],
      ],
      [
        'sets a missing key by its key id, which never went to the webview',
        { type: 'setKey', model: 'gpt' },
        COMMANDS.setApiKey,
        ['openai'],
      ],
      ['clears the cache', { type: 'clearCache' }, COMMANDS.clearCache, []],
      ['tries without keys', { type: 'tryWithoutKeys' }, COMMANDS.tryWithoutKeys, []],
      ['stops trying without keys', { type: 'stopTryWithoutKeys' }, COMMANDS.stopTryWithoutKeys, []],
      ['adds a model through the guided Add Model command', { type: 'addModel' }, COMMANDS.addModel, []],
      ['opens the dashboard from the sidebar', { type: 'showDashboard' }, COMMANDS.showMetrics, []],
      [
        'opens a routing trace as a document',
        { type: 'showTrace', traceId: 'mgq3k2x1-17' },
        COMMANDS.showTrace,
        ['mgq3k2x1-17'],
      ],
    ];
    for (const [title, message, command, args] of cases) {
      it(title, async () => {
        const { services: s, calls, logger } = services();
        const outcome = await handleWebviewMessage(message, s);
        assert.deepEqual(outcome, { kind: 'command', command, args });
        assert.deepEqual(calls, [{ command, args }]);
        assert.deepEqual(logger.warnings, []);
      });
    }

    it('covers every action of the protocol, each with a contributed command', async () => {
      const manifest = JSON.parse(
        fs.readFileSync(path.resolve(__dirname, '../../../../package.json'), 'utf8'),
      );
      const contributed = new Set(manifest.contributes.commands.map((c: { command: string }) => c.command));
      const messages = [
        ...MODEL_ACTION_TYPES.map((type) => ({ type, model: 'gpt' })),
        ...CHAIN_ACTION_TYPES.map((type) => ({ type })),
        { type: 'showTrace', traceId: 'x-1' },
      ];
      for (const message of messages) {
        const outcome = await handleWebviewMessage(message, services().services);
        assert.equal(outcome.kind, 'command', message.type);
        if (outcome.kind === 'command')
          assert.ok(contributed.has(outcome.command), `${message.type} → ${outcome.command} is contributed`);
      }
    });

    it('answers "ready" with nothing but the surface (the caller sends the snapshot)', async () => {
      const { services: s, calls } = services();
      assert.deepEqual(await handleWebviewMessage({ type: 'ready', surface: 'dashboard' }, s), {
        kind: 'ready',
        surface: 'dashboard',
      });
      assert.deepEqual(calls, []);
    });

    it('logs a command that fails and carries on', async () => {
      const { services: s, logger } = services({ failWith: new Error('boom') });
      const outcome = await handleWebviewMessage({ type: 'clearCache' }, s);
      assert.equal(outcome.kind, 'command');
      assert.deepEqual(logger.warnings, ['Metrics view: llmManager.clearCache failed: boom']);
    });
  });

  describe('malformed messages are rejected, logged and not acted on', () => {
    const malformed: Array<[string, unknown, RegExp]> = [
      ['nothing', undefined, /not an object/],
      ['null', null, /not an object/],
      ['a string', 'resetCircuit', /not an object/],
      ['an array', [{ type: 'clearCache' }], /not an object/],
      ['no type', { model: 'gpt' }, /no message type/],
      ['a type that is not a string', { type: 7 }, /no message type/],
      ['an unknown type', { type: 'deleteEverything' }, /unknown message type "deleteEverything"/],
      ['a prototype trick', JSON.parse('{"type":"__proto__"}'), /unknown message type/],
      [
        'a model action without a model',
        { type: 'resetCircuit' },
        /resetCircuit: the model name is missing or malformed/,
      ],
      ['a model that is not a string', { type: 'isolateModel', model: ['gpt'] }, /malformed/],
      ['an empty model name', { type: 'makeActive', model: '' }, /malformed/],
      ['a model name with control characters', { type: 'makeActive', model: 'gpt\n' }, /malformed/],
      ['an overlong model name', { type: 'makeActive', model: 'g'.repeat(201) }, /malformed/],
      ['extra fields', { type: 'clearCache', model: 'gpt' }, /clearCache: unexpected field model/],
      [
        'a key smuggled into an action',
        { type: 'setKey', model: 'gpt', key: 'sk-123' },
        /setKey: unexpected field key/,
      ],
      ['ready without a surface', { type: 'ready' }, /ready: unknown surface/],
      ['ready for an unknown surface', { type: 'ready', surface: 'editor' }, /ready: unknown surface/],
      [
        'a trace id of the wrong shape',
        { type: 'showTrace', traceId: '../../etc' },
        /showTrace: the trace id is missing or malformed/,
      ],
      [
        'a model that does not exist',
        { type: 'resetCircuit', model: 'nope' },
        /resetCircuit: no model is named "nope"/,
      ],
      ['a key for a model that needs none', { type: 'setKey', model: 'local' }, /setKey: local needs no key/],
    ];
    for (const [what, message, reason] of malformed) {
      it(`rejects ${what}`, async () => {
        const { services: s, calls, logger } = services();
        const outcome = await handleWebviewMessage(message, s);
        assert.equal(outcome.kind, 'rejected');
        if (outcome.kind === 'rejected') assert.match(outcome.reason, reason);
        assert.deepEqual(calls, [], 'no command ran');
        assert.equal(logger.warnings.length, 1);
        assert.match(logger.warnings[0], /^Metrics view: ignored a message from the webview \(/);
      });
    }

    it('logs a short picture of what arrived, not all of it', async () => {
      const { services: s, logger } = services();
      await handleWebviewMessage({ type: 'x'.repeat(5000) }, s);
      assert.ok(logger.warnings[0].length < 300, logger.warnings[0]);
    });

    it("validates with the protocol's own parser, which both sides share", () => {
      assert.deepEqual(parseWebviewMessage({ type: 'setKey', model: 'gpt' }), {
        ok: true,
        message: { type: 'setKey', model: 'gpt' },
      });
      assert.deepEqual(parseWebviewMessage({ type: 'ready', surface: 'sidebar', extra: 1 }), {
        ok: false,
        reason: 'unexpected field extra',
      });
    });
  });
});
