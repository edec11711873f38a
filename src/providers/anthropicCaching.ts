/**
 * Anthropic prompt caching: `cache_control` breakpoints on the stable, long part of a request so a
 * follow-up that shares it reads the cache (at a tenth of the input price) instead of paying for it
 * again. The API caches the prompt up to each breakpoint (tools, then system, then messages) and
 * finds an earlier entry up to 20 blocks back, so three marks cover what our requests repeat: the
 * tools, the system prompt, and the conversation so far (the file context of a follow-up, the
 * history of a tool loop). A breakpoint is set only where the prefix reaches the model's minimum
 * cacheable length (by the core's estimate): below it the API would not cache, and a cache write
 * costs a quarter more than plain input. OpenAI caches on its own; nothing is sent for it.
 */

import type Anthropic from '@anthropic-ai/sdk';
import { estimateTextTokens } from '../core';

type MessageParam = Anthropic.Messages.MessageParam;
type ContentBlockParam = Anthropic.Messages.ContentBlockParam;
type TextBlockParam = Anthropic.Messages.TextBlockParam;
type Tool = Anthropic.Messages.Tool;

/** The API refuses more breakpoints than this in one request. */
export const MAX_CACHE_BREAKPOINTS = 4;

const EPHEMERAL = { type: 'ephemeral' } as const;

export interface CacheableParts {
  readonly tools?: Tool[];
  readonly system?: string;
  readonly messages: MessageParam[];
}

export interface CachedParts {
  readonly tools?: Tool[];
  readonly system?: string | TextBlockParam[];
  readonly messages: MessageParam[];
  /** How many breakpoints were set (at most {@link MAX_CACHE_BREAKPOINTS}). */
  readonly breakpoints: number;
}

/** The parts with breakpoints where the prefix up to them is at least `minTokens` long; inputs are not changed. */
export function withCacheBreakpoints(parts: CacheableParts, minTokens: number): CachedParts {
  let tokens = 0;
  let breakpoints = 0;
  const reached = () => tokens >= minTokens && breakpoints < MAX_CACHE_BREAKPOINTS;

  let tools = parts.tools;
  if (tools?.length) {
    tokens += estimateTextTokens(JSON.stringify(tools));
    if (reached()) {
      tools = [...tools.slice(0, -1), { ...tools[tools.length - 1], cache_control: EPHEMERAL }];
      breakpoints++;
    }
  }

  let system: string | TextBlockParam[] | undefined = parts.system;
  if (parts.system) {
    tokens += estimateTextTokens(parts.system);
    if (reached()) {
      system = [{ type: 'text', text: parts.system, cache_control: EPHEMERAL }];
      breakpoints++;
    }
  }

  let messages = parts.messages;
  for (const message of messages) tokens += estimateTextTokens(contentText(message.content)) + 3;
  const last = messages[messages.length - 1];
  if (last && reached()) {
    // Every text turn goes as blocks, so the prefix a follow-up repeats is written the same way as
    // when it was cached (the API reads a string and one text block alike; a strict comparison may not).
    messages = [
      ...messages
        .slice(0, -1)
        .map((message) => ({ ...message, content: asBlocks(message.content) }) as MessageParam),
      // The marked copy keeps the message's role and kind of blocks, only with a breakpoint added.
      { ...last, content: markLastBlock(last.content) } as MessageParam,
    ];
    breakpoints++;
  }
  return { tools, system, messages, breakpoints };
}

function asBlocks(content: MessageParam['content']): ContentBlockParam[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : [...content];
}

function markLastBlock(content: MessageParam['content']): ContentBlockParam[] {
  const blocks = asBlocks(content);
  const index = lastMarkableIndex(blocks);
  if (index >= 0) blocks[index] = { ...blocks[index], cache_control: EPHEMERAL } as ContentBlockParam;
  return blocks;
}

/** Thinking blocks cannot carry a breakpoint; the last block of any other kind can. */
function lastMarkableIndex(blocks: readonly ContentBlockParam[]): number {
  for (let i = blocks.length - 1; i >= 0; i--) {
    const type = blocks[i].type;
    if (type !== 'thinking' && type !== 'redacted_thinking') return i;
  }
  return -1;
}

/** The words of a message, for the estimate (tool inputs and results included). */
function contentText(content: MessageParam['content']): string {
  if (typeof content === 'string') return content;
  return content
    .map((block) => {
      switch (block.type) {
        case 'text':
          return block.text;
        case 'thinking':
          return block.thinking;
        case 'tool_use':
          return `${block.name}${JSON.stringify(block.input)}`;
        case 'tool_result':
          return typeof block.content === 'string' ? block.content : JSON.stringify(block.content ?? '');
        default:
          return '';
      }
    })
    .join('');
}
