import type * as vscode from 'vscode';
import type { KeyValueStore } from '../core';

/**
 * The core's key-value store over `globalState`. The manager already batches its writes; this
 * layer records how large each saved value is, so the extension can prove it stays well under the
 * 512 KB at which VS Code starts warning.
 */
export class GlobalStateStore implements KeyValueStore {
  private readonly sizes = new Map<string, number>();

  constructor(private readonly memento: vscode.Memento) {}

  async get<T>(key: string): Promise<T | undefined> {
    return this.memento.get<T>(key);
  }

  async set(key: string, value: unknown): Promise<void> {
    this.sizes.set(key, value === undefined ? 0 : JSON.stringify(value).length);
    await this.memento.update(key, value);
  }

  /** Characters of JSON last written per key. */
  writtenSizes(): Record<string, number> {
    return Object.fromEntries(this.sizes);
  }
}
