import * as assert from 'node:assert/strict';
import { isSafeLink, renderBlocks, renderMarkdown } from '../../../src/webview/answer/markdown';

/** Every tag the renderer wrote, e.g. `['h2', 'p', 'a']` (closing tags left out). */
function tagsOf(html: string): string[] {
  return [...html.matchAll(/<([a-z][a-z0-9]*)\b/g)].map((match) => match[1]);
}

describe('answer markdown', () => {
  it('renders headings, lists, tables, links, inline code and strikethrough as elements', () => {
    const html = renderMarkdown(
      [
        '## Summary',
        '',
        '- first *point*',
        '- second with `code`',
        '',
        '1. one',
        '2. two',
        '',
        '| Name | Count |',
        '| :--- | ----: |',
        '| a | 1 |',
        '',
        'See [the docs](https://example.com/docs) or ~~this~~.',
      ].join('\n'),
    );
    for (const tag of ['h2', 'ul', 'ol', 'li', 'em', 'code', 'table', 'th', 'td', 'a', 's'])
      assert.ok(tagsOf(html).includes(tag), `${tag} in ${html}`);
    assert.match(html, /<a href="https:\/\/example\.com\/docs" class="md-link"/);
    assert.doesNotMatch(html, /\*\*|^#/m);
  });

  it('puts table alignment in classes, never in style attributes (the CSP forbids them)', () => {
    const html = renderMarkdown('| a | b | c |\n| :- | :-: | -: |\n| 1 | 2 | 3 |\n');
    assert.doesNotMatch(html, /style=/);
    assert.match(html, /<th class="align-left">a<\/th>/);
    assert.match(html, /<td class="align-center">2<\/td>/);
    assert.match(html, /<td class="align-right">3<\/td>/);
  });

  it('highlights fenced code in a known language with hljs classes, and keeps the language', () => {
    const html = renderMarkdown('```ts\nconst answer: number = 42; // why\n```\n');
    assert.match(html, /<pre class="md-code" data-language="ts"><code class="hljs language-ts">/);
    assert.match(html, /<span class="hljs-keyword">const<\/span>/);
    assert.match(html, /<span class="hljs-comment">\/\/ why<\/span>/);
  });

  it('shows code in an unknown language as escaped plain text', () => {
    const html = renderMarkdown('```brainfuck\n<++>\n```\n');
    assert.match(html, /<code class="hljs">&lt;\+\+&gt;\n<\/code>/);
  });

  it('renders raw HTML from a model as text: no script, no img, no event handler attribute', () => {
    const attack = [
      '<script>alert(1)</script>',
      '',
      '<img src=x onerror="alert(2)">',
      '',
      'Inline <b onmouseover="alert(3)">bold</b> and <iframe src="https://evil.example"></iframe>',
    ].join('\n');
    const html = renderMarkdown(attack);
    // Only paragraphs, and the bare https address linkified into a link the host would check again.
    assert.deepEqual([...new Set(tagsOf(html))].sort(), ['a', 'p']);
    assert.match(html, /<a href="https:\/\/evil\.example" class="md-link"/);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(html, /&lt;img src=x onerror=&quot;alert\(2\)&quot;&gt;/);
    // Attribute-looking text only ever appears escaped, inside text.
    assert.doesNotMatch(html, /<[^>]+\son\w+=/);
  });

  it('renders javascript:, data: and vbscript: links inert (as text, no href)', () => {
    for (const href of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,<b>x</b>',
      'vbscript:x',
    ]) {
      const html = renderMarkdown(`[click](${href}) <${href}>`);
      assert.doesNotMatch(html, /<a\b/, html);
      assert.doesNotMatch(html, /href=/, html);
    }
  });

  it('never loads images: a safe image becomes a link to it, an unsafe one its alt text', () => {
    const safe = renderMarkdown('![chart](https://example.com/c.png)');
    assert.doesNotMatch(safe, /<img/);
    assert.match(safe, /<a class="md-link md-image" href="https:\/\/example\.com\/c\.png"[^>]*>chart<\/a>/);
    const unsafe = renderMarkdown('![x" onerror="alert(1)](javascript:alert(1))');
    assert.doesNotMatch(unsafe, /<img|<a\b|onerror="/);
  });

  it('accepts only absolute http, https and mailto links', () => {
    assert.equal(isSafeLink('https://example.com/a?b=c'), true);
    assert.equal(isSafeLink('http://localhost:3000'), true);
    assert.equal(isSafeLink('mailto:someone@example.com'), true);
    for (const bad of [
      'javascript:alert(1)',
      'file:///etc/passwd',
      'command:workbench.action.quit',
      '/relative',
      'vscode://x',
      `https://${'a'.repeat(3000)}`,
    ])
      assert.equal(isSafeLink(bad), false, bad);
  });

  it('splits an answer into top-level blocks whose ends are source offsets', () => {
    const source = '# Title\n\nA paragraph\nover two lines.\n\n- a\n- b\n\n```js\nlet x;\n```\n';
    const blocks = renderBlocks(source);
    assert.deepEqual(
      blocks.map((block) => tagsOf(block.html)[0]),
      ['h1', 'p', 'ul', 'pre'],
    );
    assert.equal(source.slice(0, blocks[0].end), '# Title\n');
    assert.equal(source.slice(blocks[0].end, blocks[1].end), '\nA paragraph\nover two lines.\n');
    assert.equal(blocks[3].end, source.length);
    assert.equal(blocks.map((block) => block.html).join(''), renderMarkdown(source));
  });

  it('renders the same HTML whether an answer streams in pieces or arrives whole', () => {
    const source =
      '## Steps\n\nFirst this:\n\n1. sort the values\n2. take the middle\n\n```python\ndef median(v):\n    return sorted(v)[len(v) // 2]\n```\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\nDone.';
    // What the view does: blocks before the last are final; re-render from the last one on.
    const final: string[] = [];
    let committed = 0;
    let live = '';
    for (let length = 1; length <= source.length; length += 7) {
      const blocks = renderBlocks(source.slice(0, length), committed);
      for (const block of blocks.slice(0, -1)) {
        final.push(block.html);
        committed = block.end;
      }
      live = blocks.at(-1)?.html ?? '';
    }
    const blocks = renderBlocks(source, committed);
    final.push(...blocks.map((block) => block.html));
    void live;
    assert.equal(final.join(''), renderMarkdown(source));
  });
});
