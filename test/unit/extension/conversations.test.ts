import * as assert from 'node:assert/strict';
import type { GenerateResult } from '../../../src/core';
import { answerFooter, answerFooterView } from '../../../src/extension/answers/answerFooter';
import {
  boundedHistory,
  contextBudget,
  type ConversationRecord,
  type TurnRecord,
} from '../../../src/extension/answers/conversation';
import {
  ConversationStore,
  parseStoredConversations,
  STORE_KEY,
  STORE_LIMITS,
} from '../../../src/extension/answers/conversationStore';

function turn(n: number, prompt: string, answer: string, extra: Partial<TurnRecord> = {}): TurnRecord {
  return {
    id: `t${n}`,
    question: `question ${n}`,
    prompt,
    askedAt: n,
    answers: [{ id: `t${n}a1`, text: answer, status: 'done', model: 'm' }],
    ...extra,
  };
}

function conversation(id: string, updatedAt: number, turns: TurnRecord[]): ConversationRecord {
  return { id, title: 'Explain selection', createdAt: 0, updatedAt, request: { tier: 'standard' }, turns };
}

/** Four characters a token, like the manager's estimate. */
const estimate = (messages: ReadonlyArray<{ content: string }>) =>
  messages.reduce((sum, message) => sum + Math.ceil(message.content.length / 4), 0);

const result: GenerateResult = {
  text: 'x',
  model: 'demo-claude',
  usage: { inputTokens: 1234, outputTokens: 56 },
  costUsd: 0.0034,
  cached: false,
  latencyMs: 1520,
  trace: { id: 'r1', startedAt: 0, steps: [] },
};

describe('answer view conversations', () => {
  describe('follow-up history', () => {
    const turns = [
      turn(1, 'Explain this code: ```js\nlet x;\n```', 'It declares x.'),
      turn(2, 'Why let?', 'Block scope.'),
      turn(3, 'And const?', 'Cannot be reassigned.'),
    ];

    it('sends every earlier question and answer, then the new question, when they fit', () => {
      const history = boundedHistory(
        turns,
        'Thanks — and var?',
        { tokens: 10_000, model: 'm', window: 10_000 },
        estimate,
      );
      assert.deepEqual(
        history.messages.map((message) => `${message.role}: ${message.content}`),
        [
          'user: Explain this code: ```js\nlet x;\n```',
          'assistant: It declares x.',
          'user: Why let?',
          'assistant: Block scope.',
          'user: And const?',
          'assistant: Cannot be reassigned.',
          'user: Thanks — and var?',
        ],
      );
      assert.equal(history.omitted, 0);
      assert.equal(history.note, undefined);
    });

    it('drops the oldest turns after the first (the selection) to fit, and says so', () => {
      const all = estimate(
        boundedHistory(turns, 'var?', { tokens: 1e9, model: 'm', window: 1 }, estimate).messages,
      );
      const second = Math.ceil('Why let?'.length / 4) + Math.ceil('Block scope.'.length / 4);
      const history = boundedHistory(
        turns,
        'var?',
        { tokens: all - second, model: 'demo-local', window: 32_768 },
        estimate,
      );
      assert.deepEqual(
        history.messages.map((message) => message.content),
        [
          'Explain this code: ```js\nlet x;\n```',
          'It declares x.',
          'And const?',
          'Cannot be reassigned.',
          'var?',
        ],
      );
      assert.equal(history.omitted, 1);
      assert.equal(history.omittedContext, false);
      assert.equal(history.note, "1 earlier turn left out to fit demo-local's 32,768-token context window.");
    });

    it('drops the first turn last, and always keeps the new question', () => {
      const history = boundedHistory(turns, 'var?', { tokens: 1, model: 'tiny', window: 8 }, estimate);
      assert.deepEqual(history.messages, [{ role: 'user', content: 'var?' }]);
      assert.equal(history.omitted, 3);
      assert.equal(
        history.note,
        "3 earlier turns (including the original selection) left out to fit tiny's 8-token context window.",
      );
    });

    it('skips turns without a finished answer, and carries the preferred answer of a comparison', () => {
      const compared: TurnRecord = {
        ...turn(2, 'Which is faster?', ''),
        preferred: 'b',
        answers: [
          { id: 't2a1', text: 'A says so.', status: 'done', model: 'a', requested: 'a' },
          { id: 't2a2', text: 'B says so.', status: 'done', model: 'b', requested: 'b' },
        ],
      };
      const stopped: TurnRecord = {
        ...turn(3, 'Stopped one', 'half'),
        answers: [{ id: 't3a1', text: 'half', status: 'cancelled' }],
      };
      const history = boundedHistory(
        [turns[0], compared, stopped],
        'next',
        { tokens: 1e6, model: 'm', window: 1e6 },
        estimate,
      );
      assert.deepEqual(
        history.messages.map((message) => message.content),
        ['Explain this code: ```js\nlet x;\n```', 'It declares x.', 'Which is faster?', 'B says so.', 'next'],
      );
    });

    it('budgets by the smallest window of the chain, leaving room for the answer', () => {
      assert.deepEqual(
        contextBudget([
          { name: 'big', contextWindow: 200_000, maxOutputTokens: 4096 },
          { name: 'small', contextWindow: 32_768, maxOutputTokens: 2048 },
        ]),
        { tokens: 30_720, model: 'small', window: 32_768 },
      );
      assert.equal(contextBudget([]), undefined);
    });
  });

  describe('footer', () => {
    it('says the model, the time, the cost and the tokens, as the answer document does', () => {
      assert.deepEqual(answerFooterView(result), {
        model: 'demo-claude',
        cached: false,
        time: '2 s',
        cost: '$0.0034',
        tokens: '1,234 in / 56 out tokens',
      });
      assert.equal(
        answerFooter(result),
        '_Answered by **demo-claude** · 2 s · $0.0034 · 1,234 in / 56 out tokens_',
      );
    });

    it('says when an answer came from the cache, at no cost', () => {
      const cached = { ...result, cached: true, costUsd: 0 };
      assert.deepEqual(
        [answerFooterView(cached).time, answerFooterView(cached).cost],
        ['from the cache', 'no cost'],
      );
    });
  });

  describe('store', () => {
    function memento(initial?: unknown) {
      const values = new Map<string, unknown>(initial === undefined ? [] : [[STORE_KEY, initial]]);
      return {
        values,
        get: (key: string) => values.get(key),
        update: async (key: string, value: unknown) =>
          void (value === undefined ? values.delete(key) : values.set(key, value)),
      };
    }
    const quiet = () => {
      const warnings: string[] = [];
      return {
        warnings,
        logger: { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} },
      };
    };

    it('keeps conversations across a reload (a new store over the same memento)', async () => {
      const state = memento();
      const first = new ConversationStore(state, quiet().logger);
      await first.put(conversation('c1', 1, [turn(1, 'p', 'a')]));
      const again = new ConversationStore(state, quiet().logger);
      assert.equal(again.get('c1')?.turns[0].answers[0].text, 'a');
      await again.clear();
      assert.equal(state.values.has(STORE_KEY), false);
    });

    it('keeps the newest conversations only, and bounds each by dropping turns after the first', async () => {
      const store = new ConversationStore(memento(), quiet().logger);
      for (let i = 0; i < STORE_LIMITS.conversations + 5; i++)
        await store.put(conversation(`c${i}`, i, [turn(1, 'p', 'a')]));
      assert.equal(store.size, STORE_LIMITS.conversations);
      assert.equal(store.get('c0'), undefined);
      assert.ok(store.get(`c${STORE_LIMITS.conversations + 4}`));

      const long = 'x'.repeat(STORE_LIMITS.charsPerConversation / 4);
      const turns = [turn(1, 'the selection', 'a'), ...[2, 3, 4, 5, 6].map((n) => turn(n, long, 'b'))];
      await store.put(conversation('big', 100, turns));
      const kept = store.get('big')!;
      assert.equal(kept.turns[0].prompt, 'the selection');
      assert.ok(JSON.stringify(kept.turns).length <= STORE_LIMITS.charsPerConversation);
      assert.deepEqual(
        kept.turns.map((t) => t.id),
        ['t1', 't4', 't5', 't6'],
      );
    });

    it('drops corrupted entries with a warning and keeps the rest', () => {
      const good = conversation('ok', 5, [turn(1, 'p', 'a')]);
      const { logger, warnings } = quiet();
      const store = new ConversationStore(
        memento([
          good,
          'garbage',
          { ...good, id: 7 },
          {
            ...good,
            turns: [{ ...turn(1, 'p', 'a'), answers: [{ id: 'x', text: 'y', status: 'exploded' }] }],
          },
          { ...good, id: 'no-turns', turns: 'none' },
        ]),
        logger,
      );
      assert.equal(store.size, 1);
      assert.ok(store.get('ok'));
      assert.equal(warnings.length, 1);
      assert.match(
        warnings[0],
        /entry 2: the conversation is not an object; entry 3: id is not a string; entry 4: turn 1, answer 1\.status is unknown; entry 5: turns is not a list/,
      );
    });

    it('drops a stored value that is not a list, never throwing', () => {
      for (const raw of [42, 'text', { a: 1 }, true]) {
        const parsed = parseStoredConversations(raw);
        assert.deepEqual(parsed.conversations, []);
        assert.deepEqual(parsed.problems, ['the stored value is not a list']);
      }
      assert.deepEqual(parseStoredConversations(undefined), { conversations: [], problems: [] });
    });

    it('brings an answer that was streaming when the window closed back as stopped', () => {
      const streaming = conversation('c', 1, [
        { ...turn(1, 'p', 'half an'), answers: [{ id: 't1a1', text: 'half an', status: 'streaming' }] },
      ]);
      const [back] = parseStoredConversations(JSON.parse(JSON.stringify([streaming]))).conversations;
      assert.deepEqual(back.turns[0].answers[0], {
        id: 't1a1',
        text: 'half an',
        status: 'cancelled',
        error: 'Stopped by a window reload.',
      });
    });
  });
});
