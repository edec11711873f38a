import * as FakeTimers from '@sinonjs/fake-timers';
import type { Clock, KeyValueStore, Logger } from '../../src/core';

/**
 * The manager's clock port over @sinonjs/fake-timers, without touching the global timers: tests
 * move time with `tick`/`tickAsync` and never sleep.
 */
export class FakeClock implements Clock {
  readonly timers = FakeTimers.createClock(Date.UTC(2026, 10, 23, 12, 0, 0));

  now(): number {
    return this.timers.now;
  }

  setTimeout(callback: () => void, ms: number): { dispose(): void } {
    const id = this.timers.setTimeout(callback, ms);
    return { dispose: () => this.timers.clearTimeout(id) };
  }

  /** Moves time forward, running due timers and the promise callbacks they release. */
  tickAsync(ms: number): Promise<number> {
    return this.timers.tickAsync(ms);
  }

  /** Sets the wall time (for day and month boundaries) without running timers in between. */
  setSystemTime(at: number | Date): void {
    this.timers.setSystemTime(at);
  }

  /** Number of timers waiting. */
  get pending(): number {
    return this.timers.countTimers();
  }
}

/** A key-value store in memory, with a way to plant raw (possibly corrupt) values. */
export class MemoryStore implements KeyValueStore {
  readonly data = new Map<string, unknown>();
  writes = 0;

  async get<T>(key: string): Promise<T | undefined> {
    const value = this.data.get(key);
    // Round-trip through JSON, as globalState does, so tests catch non-serialisable state.
    return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as T);
  }

  async set(key: string, value: unknown): Promise<void> {
    this.writes++;
    if (value === undefined) this.data.delete(key);
    else this.data.set(key, JSON.parse(JSON.stringify(value)));
  }
}

/** A logger that keeps every line, for assertions (and for scanning for leaked keys). */
export class MemoryLogger implements Logger {
  readonly lines: Array<{ level: 'debug' | 'info' | 'warn' | 'error'; message: string }> = [];
  debug(message: string): void {
    this.lines.push({ level: 'debug', message });
  }
  info(message: string): void {
    this.lines.push({ level: 'info', message });
  }
  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }
  error(message: string): void {
    this.lines.push({ level: 'error', message });
  }
  get warnings(): string[] {
    return this.lines.filter((l) => l.level === 'warn').map((l) => l.message);
  }
}

/** Waits for promise callbacks to settle (no timers involved). */
export async function flushMicrotasks(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
