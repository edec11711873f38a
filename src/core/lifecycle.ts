/**
 * Disposables and events in the shape VS Code uses (`vs/base/common/lifecycle.ts`), without
 * importing `vscode`: whatever listens, times or renders is disposable and belongs to an owner
 * that disposes it.
 */

export interface IDisposable {
  dispose(): void;
}

/** A function to subscribe to an event; returns the subscription to dispose. */
export type Event<T> = (listener: (value: T) => void) => IDisposable;

export function toDisposable(dispose: () => void): IDisposable {
  let done = false;
  return {
    dispose: () => {
      if (done) return;
      done = true;
      dispose();
    },
  };
}

export class Emitter<T> implements IDisposable {
  private listeners: Array<(value: T) => void> = [];
  private disposed = false;

  readonly event: Event<T> = (listener) => {
    if (this.disposed) return { dispose: () => undefined };
    this.listeners.push(listener);
    return toDisposable(() => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    });
  };

  /** Calls every listener; a listener that throws does not stop the others. */
  fire(value: T): void {
    const listeners = this.listeners;
    if (listeners.length === 0) return;
    for (const listener of listeners.length === 1 ? listeners : listeners.slice()) {
      try {
        listener(value);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  get hasListeners(): boolean {
    return this.listeners.length > 0;
  }

  dispose(): void {
    this.disposed = true;
    this.listeners = [];
  }
}

/** Holds disposables and disposes them together; adding to a disposed store disposes at once. */
export class DisposableStore implements IDisposable {
  private readonly items = new Set<IDisposable>();
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  add<T extends IDisposable>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.add(item);
    return item;
  }

  /** Disposes one item now and forgets it. */
  delete(item: IDisposable): void {
    if (this.items.delete(item)) item.dispose();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const item of this.items) item.dispose();
    this.items.clear();
  }
}

/** Holds at most one disposable: setting a new value disposes the old one. */
export class MutableDisposable<T extends IDisposable> implements IDisposable {
  private current: T | undefined;
  private disposed = false;

  get value(): T | undefined {
    return this.current;
  }

  set value(next: T | undefined) {
    if (this.current === next) return;
    this.current?.dispose();
    if (this.disposed) {
      next?.dispose();
      this.current = undefined;
      return;
    }
    this.current = next;
  }

  /** Forgets the current value without disposing it (it disposed itself, e.g. a timer that fired). */
  clearWithoutDisposing(): void {
    this.current = undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.current?.dispose();
    this.current = undefined;
  }
}

/** A base class for owners: `this._register(x)` ties `x`'s life to this object's. */
export abstract class Disposable implements IDisposable {
  protected readonly _store = new DisposableStore();

  protected _register<T extends IDisposable>(item: T): T {
    return this._store.add(item);
  }

  protected get isDisposed(): boolean {
    return this._store.isDisposed;
  }

  dispose(): void {
    this._store.dispose();
  }
}
