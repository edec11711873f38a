import * as assert from 'node:assert/strict';
import {
  hostOf,
  implicitHostsOf,
  isLoopbackHost,
  keyDestinationVerdict,
  withDecision,
} from '../../../src/extension/keyDestinations';

describe('where a stored key may go', () => {
  it("goes to its vendor's own API without asking", () => {
    assert.equal(keyDestinationVerdict('openai', 'api.openai.com', { allowed: [], refused: [] }), 'send');
    assert.equal(keyDestinationVerdict('anthropic', 'API.Anthropic.com', undefined), 'send');
    assert.equal(keyDestinationVerdict('groq', 'api.groq.com', { allowed: [], refused: [] }), 'send');
    assert.equal(
      keyDestinationVerdict('azure@me.openai.azure.com', 'me.openai.azure.com', undefined),
      'send',
    );
    assert.equal(
      keyDestinationVerdict('openai@gw.example:8443', 'gw.example', { allowed: [], refused: [] }),
      'send',
    );
  });

  it("asks before another vendor's key or a named key goes to a host it was not set for", () => {
    assert.equal(keyDestinationVerdict('openai', 'api.anthropic.com', { allowed: [], refused: [] }), 'ask');
    assert.equal(
      keyDestinationVerdict('work', 'gw.example', { allowed: ['old.example'], refused: [] }),
      'ask',
    );
    assert.equal(
      keyDestinationVerdict('work', 'old.example', { allowed: ['old.example'], refused: [] }),
      'send',
    );
  });

  it('never asks for loopback, and binds a key stored before hosts were recorded on its first use', () => {
    for (const host of ['localhost', '127.0.0.1', '127.3.2.1', '::1', '[::1]', '::ffff:127.0.0.1'])
      assert.equal(keyDestinationVerdict('work', host, { allowed: [], refused: [] }), 'send', host);
    assert.ok(!isLoopbackHost('127.example.com'));
    assert.ok(!isLoopbackHost('localhost.example.com'));
    assert.equal(keyDestinationVerdict('work', 'gw.example', undefined), 'firstUse');
  });

  it('remembers a refusal until the user allows the host, and an allow until refused', () => {
    const refused = withDecision({ allowed: ['a.example'], refused: [] }, 'B.example', false);
    assert.deepEqual(refused, { allowed: ['a.example'], refused: ['b.example'] });
    assert.equal(keyDestinationVerdict('work', 'b.example', refused), 'refused');
    const allowed = withDecision(refused, 'b.example', true);
    assert.deepEqual(allowed, { allowed: ['a.example', 'b.example'], refused: [] });
    assert.equal(keyDestinationVerdict('work', 'b.example', allowed), 'send');
  });

  it('compares host names, without port or case', () => {
    assert.equal(hostOf('https://GW.example:8443/v1'), 'gw.example');
    assert.deepEqual(implicitHostsOf('openaiCompatible@gw.example:8443'), ['gw.example']);
    assert.deepEqual(implicitHostsOf('my-own-key'), []);
  });
});
