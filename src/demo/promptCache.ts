/**
 * The fault upstream's prompt cache, played the way each vendor reports it, so that usage tells
 * the truth about cached tokens and a provider's caching can be tested:
 *
 * - OpenAI caches automatically: a prompt of at least 1 024 tokens whose prefix was seen in a recent
 *   request reports that prefix as `cached_tokens`, in steps of 128 tokens above 1 024; a prompt is
 *   never cached on its first sight (platform.openai.com "Prompt caching").
 * - Anthropic caches at `cache_control` breakpoints: a breakpoint whose prefix (tools, then system,
 *   then messages) reaches the model's minimum is written on first sight (`cache_creation_input_tokens`,
 *   split by TTL) and read when the same prefix comes again within its TTL (`cache_read_input_tokens`),
 *   checking block boundaries up to 20 blocks before each breakpoint, as the docs describe; a read
 *   refreshes the entry's TTL (docs.anthropic.com "Prompt caching").
 *
 * Prefixes are compared block by block (a message, a content block, a tool definition), which is
 * what follow-up requests share; a prefix that diverges inside a block is not cached.
 */

import { createHash } from 'node:crypto';

/** One block of a prompt, in the order the vendor reads the prompt. */
export interface PromptBlock {
  /** The block's text as the upstream compares it (role or type included). */
  readonly text: string;
  /** The tokens it counts for in usage. */
  readonly tokens: number;
  /** Anthropic: the block carries a `cache_control` breakpoint with this TTL. */
  readonly breakpoint?: CacheTtl;
}

export type CacheTtl = '5m' | '1h';

/** What a request read from and wrote to the cache, in tokens. */
export interface CacheUse {
  readonly read: number;
  readonly written5m: number;
  readonly written1h: number;
}

const NO_CACHE_USE: CacheUse = { read: 0, written5m: 0, written1h: 0 };

/** OpenAI: prompts shorter than this are never cached; cached prefixes grow in steps of `OPENAI_STEP`. */
export const OPENAI_MIN_CACHED = 1024;
const OPENAI_STEP = 128;
/** OpenAI keeps a prefix 5 to 10 minutes after its last use; the upstream takes the short end. */
const OPENAI_TTL_MS = 5 * 60_000;
const TTL_MS: Readonly<Record<CacheTtl, number>> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };
/** Anthropic checks this many block boundaries before a breakpoint for an earlier hit. */
const LOOKBACK_BLOCKS = 20;
/** The cache forgets the oldest prefixes beyond this many (a long-running demo must not grow). */
const MAX_ENTRIES = 20_000;

interface Entry {
  expiresAt: number;
  readonly ttlMs: number;
}

interface Link {
  readonly key: string;
  /** Tokens of the prompt up to and including this block. */
  readonly tokens: number;
}

export class PromptCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number) {}

  /** OpenAI's automatic caching: the cached tokens this prompt reports; remembers its prefixes. */
  automatic(scope: string, blocks: readonly PromptBlock[]): number {
    const now = this.now();
    const chain = prefixChain(scope, blocks);
    let cached = 0;
    for (const link of chain) {
      if (link.tokens < OPENAI_MIN_CACHED) continue;
      if (this.isAlive(link.key, now)) cached = Math.max(cached, link.tokens);
      this.put(link.key, now, OPENAI_TTL_MS);
    }
    return cached === 0
      ? 0
      : OPENAI_MIN_CACHED + Math.floor((cached - OPENAI_MIN_CACHED) / OPENAI_STEP) * OPENAI_STEP;
  }

  /** Anthropic's breakpoints: what this prompt reads and writes; remembers what it wrote. */
  breakpoints(scope: string, blocks: readonly PromptBlock[], minTokens: number): CacheUse {
    const now = this.now();
    const chain = prefixChain(scope, blocks);
    const marked = blocks
      .map((block, index) => ({ index, ttl: block.breakpoint }))
      .filter((mark): mark is { index: number; ttl: CacheTtl } => mark.ttl !== undefined)
      .filter((mark) => chain[mark.index].tokens >= minTokens);
    if (marked.length === 0) return NO_CACHE_USE;

    let hit: Link | undefined;
    for (const mark of marked) {
      for (let j = Math.max(0, mark.index - LOOKBACK_BLOCKS); j <= mark.index; j++) {
        const link = chain[j];
        if ((hit === undefined || link.tokens > hit.tokens) && this.isAlive(link.key, now)) hit = link;
      }
    }
    if (hit) this.touch(hit.key, now);

    const read = hit?.tokens ?? 0;
    const written: Record<CacheTtl, number> = { '5m': 0, '1h': 0 };
    let coveredTo = read;
    for (const mark of marked) {
      const link = chain[mark.index];
      if (link.tokens <= coveredTo) continue;
      written[mark.ttl] += link.tokens - coveredTo;
      coveredTo = link.tokens;
      this.put(link.key, now, TTL_MS[mark.ttl]);
    }
    return { read, written5m: written['5m'], written1h: written['1h'] };
  }

  clear(): void {
    this.entries.clear();
  }

  private isAlive(key: string, now: number): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    if (entry.expiresAt > now) return true;
    this.entries.delete(key);
    return false;
  }

  private touch(key: string, now: number): void {
    const entry = this.entries.get(key);
    if (entry) this.put(key, now, entry.ttlMs);
  }

  private put(key: string, now: number, ttlMs: number): void {
    const previous = this.entries.get(key);
    this.entries.delete(key);
    // A refresh never shortens an entry (a 1-hour prefix read by a 5-minute breakpoint keeps its hour).
    const kept = Math.max(ttlMs, previous?.ttlMs ?? 0);
    this.entries.set(key, { expiresAt: now + kept, ttlMs: kept });
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}

/** A hash chain over the blocks: each link names the prompt up to that block, and its tokens. */
function prefixChain(scope: string, blocks: readonly PromptBlock[]): Link[] {
  const chain: Link[] = [];
  let previous = createHash('sha256').update(scope).digest('hex');
  let tokens = 0;
  for (const block of blocks) {
    previous = createHash('sha256').update(previous).update('\u0000').update(block.text).digest('hex');
    tokens += block.tokens;
    chain.push({ key: previous, tokens });
  }
  return chain;
}
