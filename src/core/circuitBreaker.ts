import { assertNever, type SkipReason } from './errors';
import type { CircuitStateName, Clock } from './types';

export interface CircuitBreakerOptions {
  /** Consecutive counted failures that open the circuit. */
  readonly failureThreshold: number;
  /** How long an open circuit fails fast before it admits one probe. */
  readonly recoveryTimeoutMs: number;
}

/** The breaker's state machine, switched exhaustively. */
export type CircuitState =
  | { readonly value: 'closed'; readonly consecutiveFailures: number }
  | { readonly value: 'open'; readonly openedAt: number }
  | { readonly value: 'halfOpen'; readonly probeInFlight: boolean }
  | { readonly value: 'isolated' };

/** What survives a restart: a half-open circuit comes back open with its probe due at once. */
export type PersistedCircuit = (
  | { readonly state: 'closed'; readonly consecutiveFailures: number }
  | { readonly state: 'open'; readonly openedAt: number }
  | { readonly state: 'isolated' }
) & {
  /** When the state last changed, so that windows sharing a store keep the newest verdict. */
  readonly changedAt?: number;
};

export type CircuitPermit =
  | { readonly allowed: true; readonly probe: boolean }
  | { readonly allowed: false; readonly reason: SkipReason; readonly retryAt?: number };

export interface CircuitSnapshot {
  readonly state: CircuitStateName;
  readonly consecutiveFailures: number;
  readonly openedAt?: number;
  /** When an open circuit will admit its probe. */
  readonly nextProbeAt?: number;
}

/**
 * A per-model circuit breaker on an injected clock. Unlike a queueing breaker, callers that meet
 * a half-open circuit whose one probe is already in flight are turned away at once, so the chain
 * moves them to the next model instead of making them wait on a model that may still be down.
 */
export class CircuitBreaker {
  private current: CircuitState;
  private changedAt: number;

  constructor(
    private options: CircuitBreakerOptions,
    private readonly clock: Clock,
    private readonly onDidChange: (from: CircuitStateName, to: CircuitStateName) => void,
    initial?: PersistedCircuit,
  ) {
    this.current = fromPersisted(initial);
    this.changedAt = initial?.changedAt ?? 0;
  }

  /** When the state last changed (0 when it never has). */
  get lastChangedAt(): number {
    return this.changedAt;
  }

  configure(options: CircuitBreakerOptions): void {
    this.options = options;
  }

  /** The state name, moving an open circuit whose timeout has passed to half-open. */
  get state(): CircuitStateName {
    this.refresh();
    return this.current.value;
  }

  snapshot(): CircuitSnapshot {
    this.refresh();
    const state = this.current;
    switch (state.value) {
      case 'closed':
        return { state: 'closed', consecutiveFailures: state.consecutiveFailures };
      case 'open':
        return {
          state: 'open',
          consecutiveFailures: this.options.failureThreshold,
          openedAt: state.openedAt,
          nextProbeAt: state.openedAt + this.options.recoveryTimeoutMs,
        };
      case 'halfOpen':
        return { state: 'halfOpen', consecutiveFailures: this.options.failureThreshold };
      case 'isolated':
        return { state: 'isolated', consecutiveFailures: 0 };
      default:
        return assertNever(state);
    }
  }

  /**
   * Asks to send one attempt. A half-open circuit admits exactly one probe at a time; the caller
   * that gets `probe: true` must report its outcome with {@link recordSuccess},
   * {@link recordFailure} or {@link releaseProbe}.
   */
  tryAcquire(): CircuitPermit {
    this.refresh();
    const state = this.current;
    switch (state.value) {
      case 'closed':
        return { allowed: true, probe: false };
      case 'open':
        return {
          allowed: false,
          reason: 'circuitOpen',
          retryAt: state.openedAt + this.options.recoveryTimeoutMs,
        };
      case 'halfOpen':
        if (state.probeInFlight) return { allowed: false, reason: 'halfOpenProbeBusy' };
        this.current = { value: 'halfOpen', probeInFlight: true };
        return { allowed: true, probe: true };
      case 'isolated':
        return { allowed: false, reason: 'isolated' };
      default:
        return assertNever(state);
    }
  }

  recordSuccess(probe: boolean): void {
    const state = this.current;
    if (state.value === 'closed') {
      if (state.consecutiveFailures !== 0) this.current = { value: 'closed', consecutiveFailures: 0 };
    } else if (state.value === 'halfOpen' && probe) {
      this.transition({ value: 'closed', consecutiveFailures: 0 });
    }
    // A late success from a call admitted before the circuit opened proves little: ignore it.
  }

  /** Records a failure that counts against the circuit; returns true when this opened it. */
  recordFailure(probe: boolean): boolean {
    const state = this.current;
    if (state.value === 'closed') {
      const failures = state.consecutiveFailures + 1;
      if (failures >= this.options.failureThreshold) {
        this.transition({ value: 'open', openedAt: this.clock.now() });
        return true;
      }
      this.current = { value: 'closed', consecutiveFailures: failures };
    } else if (state.value === 'halfOpen' && probe) {
      this.transition({ value: 'open', openedAt: this.clock.now() });
      return true;
    }
    return false;
  }

  /** The probe ended without saying anything about the model (cancelled, or the caller's own error). */
  releaseProbe(): void {
    if (this.current.value === 'halfOpen') this.current = { value: 'halfOpen', probeInFlight: false };
  }

  reset(): void {
    this.transition({ value: 'closed', consecutiveFailures: 0 });
  }

  /** Forces the circuit open until {@link reset}: the user takes the model out of rotation. */
  isolate(): void {
    this.transition({ value: 'isolated' });
  }

  /** Adopts a persisted state (loaded after the model was registered). */
  restore(persisted: PersistedCircuit): void {
    this.transition(fromPersisted(persisted));
    this.changedAt = persisted.changedAt ?? this.changedAt;
  }

  /** Adopts another window's state when it changed more recently than ours. */
  adoptIfNewer(persisted: PersistedCircuit): boolean {
    if ((persisted.changedAt ?? 0) <= this.changedAt) return false;
    this.restore(persisted);
    return true;
  }

  toJSON(): PersistedCircuit {
    const state = this.current;
    const changedAt = this.changedAt;
    switch (state.value) {
      case 'closed':
        return { state: 'closed', consecutiveFailures: state.consecutiveFailures, changedAt };
      case 'open':
        return { state: 'open', openedAt: state.openedAt, changedAt };
      case 'halfOpen':
        return { state: 'open', openedAt: this.clock.now() - this.options.recoveryTimeoutMs, changedAt };
      case 'isolated':
        return { state: 'isolated', changedAt };
      default:
        return assertNever(state);
    }
  }

  private refresh(): void {
    const state = this.current;
    if (state.value === 'open' && this.clock.now() >= state.openedAt + this.options.recoveryTimeoutMs) {
      // Time alone turns it half-open, in every window alike: that is no new verdict, so it keeps
      // the time of the last one (another window's later re-opening must still count as newer).
      this.transition({ value: 'halfOpen', probeInFlight: false }, false);
    }
  }

  private transition(next: CircuitState, verdict = true): void {
    const from = this.current.value;
    this.current = next;
    if (from !== next.value) {
      if (verdict) this.changedAt = this.clock.now();
      this.onDidChange(from, next.value);
    }
  }
}

function fromPersisted(persisted: PersistedCircuit | undefined): CircuitState {
  switch (persisted?.state) {
    case 'open':
      return { value: 'open', openedAt: persisted.openedAt };
    case 'isolated':
      return { value: 'isolated' };
    case 'closed':
      return { value: 'closed', consecutiveFailures: persisted.consecutiveFailures };
    default:
      return { value: 'closed', consecutiveFailures: 0 };
  }
}

/** Validates persisted data; anything else yields undefined (the caller warns and starts closed). */
export function parsePersistedCircuit(value: unknown): PersistedCircuit | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (record.changedAt !== undefined && !isFiniteNumber(record.changedAt)) return undefined;
  const stamp = record.changedAt === undefined ? {} : { changedAt: record.changedAt as number };
  switch (record.state) {
    case 'closed':
      return isNonNegativeInteger(record.consecutiveFailures)
        ? { state: 'closed', consecutiveFailures: record.consecutiveFailures, ...stamp }
        : undefined;
    case 'open':
      return isFiniteNumber(record.openedAt)
        ? { state: 'open', openedAt: record.openedAt, ...stamp }
        : undefined;
    case 'isolated':
      return { state: 'isolated', ...stamp };
    default:
      return undefined;
  }
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isNonNegativeInteger(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}
