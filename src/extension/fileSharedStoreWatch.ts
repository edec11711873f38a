/**
 * Notices other processes' writes to the shared store's folders: `fs.watch` on each folder (about
 * 50 ms) plus a poll for filesystems where watching misses changes (network drives, some container
 * mounts). Both only trigger a rescan; the rescan compares every file's signature with the last
 * scan and fires when something changed that this process did not write itself.
 */
import * as fs from 'node:fs';
import { Emitter, type Event, type IDisposable } from '../core/lifecycle';
import type { Logger } from '../core/types';
import { errorCode, type FileSignature } from './fileSharedStoreFiles';

const DEBOUNCE_MS = 50;
/** What {@link ChangeWatcher.noteOwn} records for a file this process removed. */
const REMOVED = 'removed';

export interface ChangeWatcherOptions {
  /** Folders to watch (not recursively). */
  readonly directories: readonly string[];
  /** The signature of every file that counts, by path. */
  readonly scan: () => Promise<Map<string, FileSignature>>;
  /** File names whose watch events need no rescan (temp files, this process's own record). */
  readonly ignoreName: (name: string) => boolean;
  /** Poll interval; 0 polls never. */
  readonly pollMs: number;
  /** Whether to use `fs.watch` at all. */
  readonly watch: boolean;
  readonly logger: Logger;
}

export class ChangeWatcher implements IDisposable {
  private readonly _onDidChange = new Emitter<void>();
  /** Another process changed a file. */
  readonly onDidChange: Event<void> = this._onDidChange.event;
  private readonly watchers: fs.FSWatcher[] = [];
  private readonly pollTimer: NodeJS.Timeout | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private known = new Map<string, FileSignature>();
  /** The last signature this process gave each file it wrote (or REMOVED). */
  private readonly own = new Map<string, FileSignature>();
  private running: Promise<boolean> | undefined;
  private rerun = false;
  private disposed = false;
  /** The first scan: what exists at start is no change. */
  private readonly ready: Promise<void>;

  constructor(private readonly options: ChangeWatcherOptions) {
    this.ready = options
      .scan()
      .then((found) => {
        this.known = found;
      })
      .catch((error: unknown) => options.logger.warn(`Shared state: first scan failed: ${String(error)}`));
    if (options.watch) for (const directory of options.directories) this.watchDirectory(directory);
    if (options.pollMs > 0) {
      this.pollTimer = setInterval(() => void this.check(), options.pollMs);
      this.pollTimer.unref();
    }
  }

  /** Records that this process gave `file` this signature (undefined: removed it), so it is no change. */
  noteOwn(file: string, signature: FileSignature | undefined): void {
    this.own.set(file, signature ?? REMOVED);
  }

  /**
   * Rescans now and fires {@link onDidChange} if another process changed something since the last
   * scan; resolves to whether it did. Concurrent calls share one scan (plus one more if asked
   * during it, so a change made meanwhile is not missed).
   */
  check(): Promise<boolean> {
    if (this.disposed) return Promise.resolve(false);
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    this.running = (async () => {
      let changed = false;
      try {
        await this.ready;
        do {
          this.rerun = false;
          changed = (await this.rescan()) || changed;
        } while (this.rerun && !this.disposed);
      } catch (error) {
        this.options.logger.debug(`Shared state: rescan failed: ${String(error)}`);
      } finally {
        this.running = undefined;
      }
      if (changed && !this.disposed) this._onDidChange.fire();
      return changed;
    })();
    return this.running;
  }

  private async rescan(): Promise<boolean> {
    const found = await this.options.scan();
    let changed = false;
    for (const file of new Set([...this.known.keys(), ...found.keys()])) {
      const now = found.get(file) ?? REMOVED;
      const mine = this.own.get(file);
      if (mine !== undefined && mine !== now) this.own.delete(file);
      if ((this.known.get(file) ?? REMOVED) !== now && mine !== now) changed = true;
    }
    this.known = found;
    return changed;
  }

  private watchDirectory(directory: string): void {
    try {
      const watcher = fs.watch(directory, { persistent: false }, (_event, name) => {
        if (name && this.options.ignoreName(String(name))) return;
        this.schedule();
      });
      watcher.on('error', (error) => {
        this.options.logger.debug(
          `Shared state: watching ${directory} failed (${errorCode(error) ?? String(error)}); polling only.`,
        );
        watcher.close();
      });
      this.watchers.push(watcher);
    } catch (error) {
      this.options.logger.debug(
        `Shared state: cannot watch ${directory} (${errorCode(error) ?? String(error)}); polling only.`,
      );
    }
  }

  private schedule(): void {
    if (this.debounceTimer || this.disposed) return;
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined;
      void this.check();
    }, DEBOUNCE_MS);
    this.debounceTimer.unref();
  }

  dispose(): void {
    this.disposed = true;
    for (const watcher of this.watchers) watcher.close();
    this.watchers.length = 0;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this._onDidChange.dispose();
  }
}
