import * as assert from 'node:assert/strict';
import { DEMO_MODEL_IDS, demoAnswerNames } from '../../../src/extension/demoModels';
import { useFaultUpstream } from '../../support/faultServer';
import { chat, messages, read } from './wire';

describe('what the demo answers call its models', () => {
  const upstream = useFaultUpstream({ answerNames: demoAnswerNames() });

  it('maps every demo model to the id the user sees', () => {
    assert.deepEqual(Object.values(demoAnswerNames()).sort(), [...DEMO_MODEL_IDS].sort());
  });

  it('answers as demo-claude and demo-local, not by the behaviour names the models ask for', async () => {
    const claude = await read(
      await messages(upstream(), {
        model: 'drip-25~demo',
        max_tokens: 400,
        messages: [{ role: 'user', content: 'Why is the sky blue?' }],
      }),
    );
    assert.equal(claude.status, 200);
    assert.match(
      claude.body.content[0].text,
      /^Demo answer from demo-claude: you asked "Why is the sky blue\?"/,
    );
    const local = await read(
      await chat(upstream(), {
        model: 'drip-15~local',
        messages: [{ role: 'user', content: 'Why is the sky blue?' }],
      }),
    );
    assert.match(local.body.choices[0].message.content, /^Demo answer from demo-local: /);
  });

  it('says any other model name as it was asked for', async () => {
    const other = await read(
      await chat(upstream(), { model: 'ok~other', messages: [{ role: 'user', content: 'hi' }] }),
    );
    assert.match(other.body.choices[0].message.content, /^Demo answer from ok~other: /);
  });
});
