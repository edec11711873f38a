import * as assert from 'node:assert/strict';
import {
  handleAnswerMessage,
  isCodeFromAnswer,
  type AnswerMessageServices,
} from '../../../src/extension/answers/answerMessages';
import {
  parseAnswerWebviewMessage,
  MAX_CODE_CHARS,
  MAX_FOLLOW_UP_CHARS,
} from '../../../src/shared/answerProtocol';

const ANSWER = 'Use this:\n\n1. A list\n\n   ```js\n   const x = 1;\n   ```\n\n```python\nprint("hi")\n```\n';

function services(overrides: Partial<AnswerMessageServices> = {}) {
  const calls: string[] = [];
  const warnings: string[] = [];
  const record =
    (name: string) =>
    async (...args: unknown[]) => {
      calls.push(`${name}(${args.map((arg) => JSON.stringify(arg)).join(', ')})`);
    };
  const value: AnswerMessageServices = {
    logger: { debug() {}, info() {}, warn: (message) => warnings.push(message), error() {} },
    answerText: (turnId, answerId) => (turnId === 't1' && answerId === 't1a1' ? ANSWER : undefined),
    isKnownModel: (name) => name === 'demo-local',
    isRunning: () => false,
    stop: () => void calls.push('stop()'),
    followUp: record('followUp'),
    codeAction: async (message) =>
      void calls.push(`codeAction(${message.action}, ${JSON.stringify(message.code)})`),
    openLink: record('openLink'),
    compare: record('compare'),
    makeActive: record('makeActive'),
    clearConversations: record('clearConversations'),
    ...overrides,
  };
  return { value, calls, warnings };
}

describe('answer view messages', () => {
  it('accepts each well-formed message the page sends', () => {
    const good: unknown[] = [
      { type: 'ready' },
      { type: 'stop' },
      { type: 'compare' },
      { type: 'clearConversations' },
      { type: 'followUp', text: 'And the tests?' },
      { type: 'codeAction', action: 'apply', turnId: 't1', answerId: 't1a1', code: 'x', language: 'c++' },
      { type: 'openLink', href: 'https://example.com' },
      { type: 'makeActive', model: 'demo-local' },
    ];
    for (const message of good) assert.deepEqual(parseAnswerWebviewMessage(message), { ok: true, message });
  });

  it('refuses malformed messages with a reason', () => {
    const bad: Array<[unknown, RegExp]> = [
      [null, /not an object/],
      [[{ type: 'stop' }], /not an object/],
      [{ kind: 'stop' }, /no message type/],
      [{ type: 'launchMissiles' }, /unknown message type/],
      [{ type: 'stop', now: true }, /unexpected field now/],
      [{ type: 'followUp' }, /missing text/],
      [{ type: 'followUp', text: '   ' }, /empty/],
      [{ type: 'followUp', text: 'x'.repeat(MAX_FOLLOW_UP_CHARS + 1) }, /longer than/],
      [{ type: 'followUp', text: 42 }, /empty or longer/],
      [
        { type: 'codeAction', action: 'delete', turnId: 't1', answerId: 'a', code: '', language: '' },
        /unknown action/,
      ],
      [
        { type: 'codeAction', action: 'copy', turnId: '../t1', answerId: 'a', code: '', language: '' },
        /malformed turn/,
      ],
      [
        {
          type: 'codeAction',
          action: 'copy',
          turnId: 't1',
          answerId: 'a',
          code: 'x'.repeat(MAX_CODE_CHARS + 1),
          language: '',
        },
        /too long/,
      ],
      [
        {
          type: 'codeAction',
          action: 'copy',
          turnId: 't1',
          answerId: 'a',
          code: 'x',
          language: '"><script>',
        },
        /malformed language/,
      ],
      [{ type: 'codeAction', action: 'copy', turnId: 't1', answerId: 'a', code: 'x' }, /missing language/],
      [{ type: 'openLink', href: 7 }, /malformed link/],
      [{ type: 'makeActive', model: '' }, /malformed model/],
      [{ type: 'makeActive', model: 'a\u0000b' }, /malformed model/],
    ];
    for (const [message, reason] of bad) {
      const parsed = parseAnswerWebviewMessage(message);
      assert.equal(parsed.ok, false, JSON.stringify(message));
      if (!parsed.ok) assert.match(parsed.reason, reason, JSON.stringify(message));
    }
  });

  it('runs what a valid message asks for', async () => {
    const { value, calls } = services();
    assert.deepEqual(await handleAnswerMessage({ type: 'ready' }, value), { kind: 'ready' });
    await handleAnswerMessage({ type: 'stop' }, value);
    await handleAnswerMessage({ type: 'followUp', text: '  why?  ' }, value);
    await handleAnswerMessage({ type: 'openLink', href: 'https://example.com/a' }, value);
    await handleAnswerMessage({ type: 'makeActive', model: 'demo-local' }, value);
    await handleAnswerMessage(
      {
        type: 'codeAction',
        action: 'copy',
        turnId: 't1',
        answerId: 't1a1',
        code: 'print("hi")\n',
        language: 'python',
      },
      value,
    );
    assert.deepEqual(calls, [
      'stop()',
      'followUp("why?")',
      'openLink("https://example.com/a")',
      'makeActive("demo-local")',
      'codeAction(copy, "print(\\"hi\\")\\n")',
    ]);
  });

  it('drops and logs malformed messages and ones naming what is not there', async () => {
    const { value, calls, warnings } = services();
    const refused: unknown[] = [
      { type: 'nope' },
      { type: 'openLink', href: 'javascript:alert(1)' },
      { type: 'openLink', href: 'command:workbench.action.quit' },
      { type: 'openLink', href: 'file:///etc/passwd' },
      { type: 'makeActive', model: 'gpt-9' },
      { type: 'codeAction', action: 'apply', turnId: 't9', answerId: 't9a1', code: 'x', language: '' },
      {
        type: 'codeAction',
        action: 'apply',
        turnId: 't1',
        answerId: 't1a1',
        code: 'rm -rf /',
        language: 'bash',
      },
    ];
    for (const message of refused) assert.equal((await handleAnswerMessage(message, value)).kind, 'rejected');
    assert.deepEqual(calls, []);
    assert.equal(warnings.length, refused.length);
    assert.match(warnings[1], /only http, https and mailto/);
    assert.match(warnings[6], /the code is not in that answer/);
  });

  it('refuses a follow-up or a comparison while a request of the conversation runs', async () => {
    const { value, calls } = services({ isRunning: () => true });
    assert.equal((await handleAnswerMessage({ type: 'followUp', text: 'more' }, value)).kind, 'rejected');
    assert.equal((await handleAnswerMessage({ type: 'compare' }, value)).kind, 'rejected');
    assert.equal((await handleAnswerMessage({ type: 'stop' }, value)).kind, 'done');
    assert.deepEqual(calls, ['stop()']);
  });

  it('logs an action that fails and carries on', async () => {
    const { value, warnings } = services({
      compare: async () => {
        throw new Error('quick pick closed');
      },
    });
    assert.equal((await handleAnswerMessage({ type: 'compare' }, value)).kind, 'done');
    assert.match(warnings[0], /compare failed: quick pick closed/);
  });

  it('knows a code block of an answer, also one indented in a list', () => {
    assert.equal(isCodeFromAnswer('print("hi")\n', ANSWER), true);
    assert.equal(isCodeFromAnswer('const x = 1;\n', ANSWER), true);
    assert.equal(isCodeFromAnswer('const x = 2;\n', ANSWER), false);
  });
});
