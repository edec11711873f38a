import { createHash } from 'node:crypto';
import type { Clock, TokenUsage } from './types';

export interface CacheOptions {
  readonly ttlMs: number;
  readonly maxEntries: number;
  /** Bound on the stored answers' size (UTF-16 length × 2, a close stand-in for memory). */
  readonly maxBytes: number;
  /** Requests with a higher (or unset) temperature are never cached. */
  readonly maxTemperature: number;
}

export interface CachedAnswer {
  readonly text: string;
  readonly model: string;
  readonly usage: TokenUsage;
}

interface CacheEntry extends CachedAnswer {
  readonly createdAt: number;
  readonly bytes: number;
  /** The key's hash, computed when the entry is first saved (or as restored). */
  digest?: string;
}

/** Restored entries wait under their hash until a request with the same key asks for them. */
const RESTORED = '\u0000restored:';
/** Characters of a base64url SHA-256 digest: what a key costs in the byte bound. */
const DIGEST_CHARS = 43;

export const CACHE_FORMAT_VERSION = 1;

export interface PersistedCache {
  readonly version: typeof CACHE_FORMAT_VERSION;
  /** Oldest first, so that restoring in order rebuilds the LRU order. */
  readonly entries: ReadonlyArray<
    readonly [
      key: string,
      createdAt: number,
      model: string,
      text: string,
      inputTokens: number,
      outputTokens: number,
    ]
  >;
}

/** Hashes whatever identifies an answer; a saved key never holds the prompt text itself. */
export function cacheKey(parts: unknown): string {
  return digestOf(JSON.stringify(parts));
}

/**
 * Whatever identifies an answer, as text: the in-memory key. Hashing happens only when an entry
 * is saved (or a restored one is looked for), which keeps a cache hit off the hash function.
 */
export function cacheIdentity(parts: unknown): string {
  return JSON.stringify(parts);
}

function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** An LRU of answers bounded by entry count and bytes, with a time to live. */
export class ResponseCache {
  private readonly entries = new Map<string, CacheEntry>();
  private totalBytes = 0;
  /** Restored entries not yet asked for (only then does a lookup hash its key). */
  private restoredWaiting = 0;

  constructor(
    private options: CacheOptions,
    private readonly clock: Clock,
  ) {}

  configure(options: CacheOptions): void {
    this.options = options;
    this.evict();
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  isCacheableTemperature(temperature: number | undefined): boolean {
    return temperature !== undefined && temperature <= this.options.maxTemperature;
  }

  get(key: string): CachedAnswer | undefined {
    let stored = key;
    let entry = this.entries.get(key);
    if (!entry && this.restoredWaiting > 0) {
      stored = RESTORED + digestOf(key);
      entry = this.entries.get(stored);
    }
    if (!entry) return undefined;
    if (this.clock.now() - entry.createdAt >= this.options.ttlMs) {
      this.delete(stored, entry);
      return undefined;
    }
    // Move to the most recently used end (a restored entry now under its real key).
    this.entries.delete(stored);
    if (stored !== key) this.restoredWaiting--;
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, answer: CachedAnswer, createdAt = this.clock.now(), digest?: string): void {
    const bytes = (answer.text.length + answer.model.length + DIGEST_CHARS) * 2 + 64;
    if (bytes > this.options.maxBytes) return;
    const existing = this.entries.get(key);
    if (existing) this.delete(key, existing);
    this.entries.set(key, { ...answer, createdAt, bytes, ...(digest ? { digest } : {}) });
    this.totalBytes += bytes;
    this.evict();
  }

  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
    this.restoredWaiting = 0;
  }

  toJSON(): PersistedCache {
    const now = this.clock.now();
    const entries: Array<PersistedCache['entries'][number]> = [];
    for (const [key, e] of this.entries) {
      if (now - e.createdAt < this.options.ttlMs) {
        e.digest ??= key.startsWith(RESTORED) ? key.slice(RESTORED.length) : digestOf(key);
        entries.push([e.digest, e.createdAt, e.model, e.text, e.usage.inputTokens, e.usage.outputTokens]);
      }
    }
    return { version: CACHE_FORMAT_VERSION, entries };
  }

  /** Loads persisted entries; returns false when the data is not a cache of this version. */
  restore(data: unknown): boolean {
    if (!isPersistedCache(data)) return false;
    for (const [key, createdAt, model, text, inputTokens, outputTokens] of data.entries) {
      if (this.clock.now() - createdAt < this.options.ttlMs) {
        const stored = RESTORED + key;
        if (!this.entries.has(stored)) this.restoredWaiting++;
        this.set(stored, { text, model, usage: { inputTokens, outputTokens } }, createdAt, key);
      }
    }
    return true;
  }

  private delete(key: string, entry: CacheEntry): void {
    if (this.entries.delete(key) && key.startsWith(RESTORED)) this.restoredWaiting--;
    this.totalBytes -= entry.bytes;
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.options.maxEntries && this.totalBytes <= this.options.maxBytes) break;
      this.delete(key, entry);
    }
  }
}

function isPersistedCache(data: unknown): data is PersistedCache {
  if (typeof data !== 'object' || data === null) return false;
  const record = data as Record<string, unknown>;
  if (record.version !== CACHE_FORMAT_VERSION || !Array.isArray(record.entries)) return false;
  return record.entries.every(
    (e: unknown) =>
      Array.isArray(e) &&
      e.length === 6 &&
      typeof e[0] === 'string' &&
      Number.isFinite(e[1]) &&
      typeof e[2] === 'string' &&
      typeof e[3] === 'string' &&
      Number.isFinite(e[4]) &&
      Number.isFinite(e[5]),
  );
}
