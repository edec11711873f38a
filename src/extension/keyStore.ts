import type * as vscode from 'vscode';
import { Emitter } from '../core';

const SECRET_PREFIX = 'llmManager.apiKey.';

/**
 * API keys, kept only in VS Code's SecretStorage (the OS keychain), one per provider or endpoint.
 * Values are cached in memory after first use so a request does not pay a keychain round trip;
 * the cache follows changes made in other windows.
 */
export class KeyStore implements vscode.Disposable {
  private readonly cache = new Map<string, string | undefined>();
  private readonly _onDidChange = new Emitter<string>();
  /** Fires with the key id whose value was set or cleared (in this window or another). */
  readonly onDidChange = this._onDidChange.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.subscription = secrets.onDidChange((event) => {
      if (!event.key.startsWith(SECRET_PREFIX)) return;
      const keyId = event.key.slice(SECRET_PREFIX.length);
      this.cache.delete(keyId);
      this._onDidChange.fire(keyId);
    });
  }

  async getKey(keyId: string): Promise<string | undefined> {
    if (this.cache.has(keyId)) return this.cache.get(keyId);
    const value = (await this.secrets.get(SECRET_PREFIX + keyId)) || undefined;
    this.cache.set(keyId, value);
    return value;
  }

  /** Whether a key is stored, from the cache: undefined until it has been read once. */
  cachedPresence(keyId: string): boolean | undefined {
    return this.cache.has(keyId) ? this.cache.get(keyId) !== undefined : undefined;
  }

  async hasKey(keyId: string): Promise<boolean> {
    return (await this.getKey(keyId)) !== undefined;
  }

  async setKey(keyId: string, value: string): Promise<void> {
    await this.secrets.store(SECRET_PREFIX + keyId, value);
    this.cache.set(keyId, value);
    this._onDidChange.fire(keyId);
  }

  async deleteKey(keyId: string): Promise<void> {
    await this.secrets.delete(SECRET_PREFIX + keyId);
    this.cache.set(keyId, undefined);
    this._onDidChange.fire(keyId);
  }

  /** Values loaded so far, for redaction. Never log or display these. */
  knownValues(): string[] {
    return [...this.cache.values()].filter((v): v is string => v !== undefined);
  }

  dispose(): void {
    this.subscription.dispose();
    this._onDidChange.dispose();
  }
}
