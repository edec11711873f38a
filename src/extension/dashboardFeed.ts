/**
 * Keeps every open metrics webview in step with the manager: one shared, throttled render of the
 * view state for all of them, a full snapshot for each webview that says `ready` (again after
 * being hidden and shown), then only the sections that changed. No `vscode` here: the webview side
 * is a `post` function, time an injected clock, so throttling is unit-tested on a fake clock.
 */
import {
  DisposableStore,
  type Clock,
  type IDisposable,
  type Event,
  type Logger,
  type TimerHandle,
} from '../core';
import type { HostMessage, Surface, ViewState } from '../shared/protocol';
import { diffViewState, forSurface } from './dashboardModel';

export interface DashboardFeedOptions {
  /** Builds the full view state from the manager as it is now. */
  readonly read: () => Promise<ViewState>;
  /** Events after which the state may have changed (circuits, metrics, models, keys, demo). */
  readonly changes: ReadonlyArray<Event<unknown>>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Shortest time between two renders: under load at most 1000 / minIntervalMs a second. */
  readonly minIntervalMs?: number;
  /**
   * While a webview is visible the state is also rebuilt this often without any event, so that
   * things that change with time alone (a Retry-After running out, the day turning) show.
   */
  readonly refreshMs?: number;
}

/** Sends a message to one webview; false or a rejection means it did not arrive. */
export type PostMessage = (message: HostMessage) => PromiseLike<boolean> | boolean;

/** One webview's end of the feed. */
export interface FeedConnection extends IDisposable {
  /** The webview (re)loaded: send it a snapshot of `surface`'s sections. */
  ready(surface: Surface): Promise<void>;
  /** Hidden webviews get nothing; shown again, they catch up. */
  setVisible(visible: boolean): void;
}

export class DashboardFeed implements IDisposable {
  private readonly disposables = new DisposableStore();
  private readonly connections = new Set<Connection>();
  private readonly minIntervalMs: number;
  private readonly refreshMs: number;
  private timer: TimerHandle | undefined;
  private refreshTimer: TimerHandle | undefined;
  private rendering = false;
  private dirty = false;
  private lastRenderAt = Number.NEGATIVE_INFINITY;
  private disposed = false;
  /** How many times the state was built (for tests and diagnostics). */
  renders = 0;

  constructor(private readonly options: DashboardFeedOptions) {
    this.minIntervalMs = options.minIntervalMs ?? 250;
    this.refreshMs = options.refreshMs ?? 15_000;
    for (const event of options.changes) this.disposables.add(event(() => this.schedule()));
  }

  connect(post: PostMessage): FeedConnection {
    const connection = new Connection(post, this, this.options.logger);
    this.connections.add(connection);
    return connection;
  }

  /** Asks for a render; several requests within the interval make one. */
  schedule(): void {
    if (this.disposed) return;
    if (this.rendering) {
      this.dirty = true;
      return;
    }
    if (this.timer) return;
    const wait = Math.max(0, this.lastRenderAt + this.minIntervalMs - this.options.clock.now());
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      void this.render();
    }, wait);
  }

  /** @internal */
  forget(connection: Connection): void {
    this.connections.delete(connection);
  }

  /** @internal Builds a state now, for a snapshot. */
  async readNow(): Promise<ViewState> {
    this.renders++;
    return this.options.read();
  }

  /** @internal */
  get now(): number {
    return this.options.clock.now();
  }

  private async render(): Promise<void> {
    const listening = [...this.connections].filter((connection) => connection.listening);
    this.lastRenderAt = this.options.clock.now();
    if (listening.length === 0) {
      this.scheduleRefresh();
      return;
    }
    this.rendering = true;
    try {
      const state = await this.readNow();
      if (this.disposed) return;
      const now = this.options.clock.now();
      for (const connection of listening) connection.deliver(state, now);
    } catch (error) {
      this.options.logger.warn(
        `Metrics view: could not read the manager's state: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      this.rendering = false;
    }
    if (this.dirty) {
      this.dirty = false;
      this.schedule();
    } else {
      this.scheduleRefresh();
    }
  }

  private scheduleRefresh(): void {
    this.refreshTimer?.dispose();
    this.refreshTimer = undefined;
    if (this.disposed || ![...this.connections].some((connection) => connection.listening)) return;
    this.refreshTimer = this.options.clock.setTimeout(() => {
      this.refreshTimer = undefined;
      this.schedule();
    }, this.refreshMs);
  }

  dispose(): void {
    this.disposed = true;
    this.timer?.dispose();
    this.refreshTimer?.dispose();
    this.disposables.dispose();
    for (const connection of [...this.connections]) connection.dispose();
  }
}

class Connection implements FeedConnection {
  private surface: Surface | undefined;
  /** What the webview holds: the base of the next update. Undefined until it has a snapshot. */
  private sent: ViewState | undefined;
  private visible = true;
  private disposed = false;
  /** Bumped by each `ready`, so a slow snapshot cannot overwrite a newer one. */
  private generation = 0;

  constructor(
    private readonly post: PostMessage,
    private readonly feed: DashboardFeed,
    private readonly logger: Logger,
  ) {}

  get listening(): boolean {
    return !this.disposed && this.visible && this.sent !== undefined;
  }

  async ready(surface: Surface): Promise<void> {
    if (this.disposed) return;
    this.surface = surface;
    this.sent = undefined;
    const generation = ++this.generation;
    const state = forSurface(surface, await this.feed.readNow());
    if (this.disposed || generation !== this.generation) return;
    this.sent = state;
    this.send({ type: 'snapshot', now: this.feed.now, state });
    // An event that fired while the snapshot was being built found this webview not yet listening:
    // one more render catches up with it (and starts the periodic refresh).
    this.feed.schedule();
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible) this.feed.schedule();
  }

  /** Sends what changed between what the webview holds and `state`. */
  deliver(state: ViewState, now: number): void {
    if (!this.listening || !this.surface || !this.sent) return;
    const next = forSurface(this.surface, state);
    const update = diffViewState(this.sent, next, now);
    if (!update) return;
    this.sent = next;
    this.send(update);
  }

  private send(message: HostMessage): void {
    const lost = () => {
      // The webview went away mid-flight; it says `ready` again when it comes back.
      this.sent = undefined;
    };
    try {
      const result = this.post(message);
      if (result === false) lost();
      else if (result !== true) Promise.resolve(result).then((ok) => (ok ? undefined : lost()), lost);
    } catch (error) {
      this.logger.debug(
        `Metrics view: a message did not reach the webview (${error instanceof Error ? error.message : String(error)}).`,
      );
      lost();
    }
  }

  dispose(): void {
    this.disposed = true;
    this.feed.forget(this);
  }
}
