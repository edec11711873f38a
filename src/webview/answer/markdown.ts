/**
 * Model answers as HTML: markdown-it (CommonMark with GFM tables and strikethrough) and
 * highlight.js for code. No DOM and no `vscode` here, so the same code is unit-tested in Node.
 *
 * Safety, in layers: markdown-it runs with `html: false`, so any HTML a model writes (`<script>`,
 * `<img onerror>`) is escaped and shows as text; link targets pass {@link isSafeLink} (http, https
 * and mailto only) and the rest render as plain text; images never load (the CSP would refuse them
 * anyway) and show as a link to their address instead; table alignment becomes a class, because the
 * CSP forbids `style` attributes. Links are not followed by the webview: the page posts them to the
 * host, which checks them again and opens them with `vscode.env.openExternal`.
 */
import MarkdownIt from 'markdown-it';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import { isSafeLink } from '../../shared/links';

/** The languages highlighted; others show as plain code. Each costs bundle size: keep the list short. */
const LANGUAGES = {
  bash,
  c,
  cpp,
  csharp,
  css,
  diff,
  go,
  java,
  javascript,
  json,
  python,
  rust,
  shell,
  sql,
  typescript,
  xml,
  yaml,
} as const;

for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);
// VS Code language ids and common fence names that highlight.js spells differently.
hljs.registerAliases(['javascriptreact', 'jsx', 'mjs', 'cjs'], { languageName: 'javascript' });
hljs.registerAliases(['typescriptreact', 'tsx', 'mts', 'cts'], { languageName: 'typescript' });
hljs.registerAliases(['html', 'svg', 'vue'], { languageName: 'xml' });
hljs.registerAliases(['shellscript', 'sh', 'zsh', 'console'], { languageName: 'bash' });
hljs.registerAliases(['jsonc'], { languageName: 'json' });

export { isSafeLink };

const md: MarkdownIt = new MarkdownIt({
  html: false,
  linkify: true,
  typographer: false,
  highlight: (code, language) => highlight(code, language),
});
md.validateLink = isSafeLink;
md.linkify.set({ fuzzyLink: false, fuzzyEmail: false });

// Links: no navigation in the webview (app code posts the href to the host); say where they go.
md.renderer.rules.link_open = (tokens, index, options, _env, self) => {
  const token = tokens[index];
  const href = token.attrGet('href') ?? '';
  token.attrSet('class', 'md-link');
  token.attrSet('title', href);
  token.attrSet('data-href', href);
  return self.renderToken(tokens, index, options);
};

// Images: never fetched; shown as a link to the address with the alt text.
md.renderer.rules.image = (tokens, index) => {
  const token = tokens[index];
  const src = token.attrGet('src') ?? '';
  const alt = md.utils.escapeHtml(token.content || 'image');
  if (!isSafeLink(src)) return `<span class="md-image">${alt}</span>`;
  const href = md.utils.escapeHtml(src);
  return `<a class="md-link md-image" href="${href}" data-href="${href}" title="${href}">${alt}</a>`;
};

// Table alignment as a class: the CSP allows no style attributes.
for (const rule of ['th_open', 'td_open'] as const) {
  md.renderer.rules[rule] = (tokens, index, options, _env, self) => {
    const token = tokens[index];
    const style = token.attrGet('style');
    if (style) {
      const align = /text-align:(left|center|right)/.exec(style)?.[1];
      token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'style');
      if (align) token.attrJoin('class', `align-${align}`);
    }
    return self.renderToken(tokens, index, options);
  };
}

// Fenced code: the block carries its language and its source, for Copy / Insert / Apply.
md.renderer.rules.fence = (tokens, index) => {
  const token = tokens[index];
  const language = token.info.trim().split(/\s+/)[0] ?? '';
  return codeBlockHtml(token.content, language);
};
md.renderer.rules.code_block = (tokens, index) => codeBlockHtml(tokens[index].content, '');

function codeBlockHtml(code: string, language: string): string {
  const known = language && hljs.getLanguage(language) ? language : '';
  const safeLanguage = md.utils.escapeHtml(language.slice(0, 40));
  const body = highlight(code, known);
  return (
    `<pre class="md-code" data-language="${safeLanguage}">` +
    `<code class="hljs${known ? ` language-${md.utils.escapeHtml(known)}` : ''}">${body}</code></pre>\n`
  );
}

/** highlight.js output (escaped source in `hljs-*` spans), or the escaped source when unknown. */
function highlight(code: string, language: string): string {
  if (language && hljs.getLanguage(language)) {
    try {
      return hljs.highlight(code, { language, ignoreIllegals: true }).value;
    } catch {
      // Fall through to plain text: a highlighter bug must not lose the answer.
    }
  }
  return md.utils.escapeHtml(code);
}

/** The whole answer as HTML. */
export function renderMarkdown(source: string): string {
  return md.render(source);
}

/** One top-level block of an answer: its HTML, and where its source ends. */
export interface RenderedBlock {
  readonly html: string;
  /** Offset in the source just after this block's last line. */
  readonly end: number;
}

/**
 * Splits `source` (from `start`) into top-level blocks and renders each. While an answer streams,
 * every block but the last is final (text arriving later cannot change it), so the view renders
 * those once and re-renders only the last one as tokens arrive: no flicker, no lost selection.
 */
export function renderBlocks(source: string, start = 0): RenderedBlock[] {
  const tail = source.slice(start);
  const env = {};
  const tokens = md.parse(tail, env);
  const lineStarts = lineOffsets(tail);
  const blocks: RenderedBlock[] = [];
  let group: typeof tokens = [];
  let depth = 0;
  for (const token of tokens) {
    group.push(token);
    depth += token.nesting;
    if (depth !== 0 || token.level !== 0 || token.nesting === 1) continue;
    const map = group[0].map;
    const endLine = map ? map[1] : lineStarts.length - 1;
    blocks.push({
      html: md.renderer.render(group, md.options, env),
      end: start + (lineStarts[Math.min(endLine, lineStarts.length - 1)] ?? tail.length),
    });
    group = [];
  }
  return blocks;
}

/** Offsets where each line of `text` starts, plus one past the end. */
function lineOffsets(text: string): number[] {
  const offsets = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') offsets.push(i + 1);
  if (offsets[offsets.length - 1] !== text.length) offsets.push(text.length);
  return offsets;
}
