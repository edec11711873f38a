/**
 * Background health checks: when every model of the default chain is unavailable, the open ones
 * are checked (a model list or a one-token request, once per model per interval), so a recovered
 * model comes back before its breaker's own timeout. Stops when any model is available again or
 * the window has been idle for a while. Starts itself from the manager's circuit events.
 */
import { toLlmError } from './errors';
import type { CircuitChange } from './insights';
import { Disposable, MutableDisposable, type Event } from './lifecycle';
import type { HealthProbeOptions } from './managerSettings';
import { Deadline } from './providerCall';
import type { ModelEntry, ModelRegistry } from './registry';
import type { Clock, Logger } from './types';

export interface HealthProberOptions {
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly registry: ModelRegistry;
  readonly settings: () => HealthProbeOptions;
  /** When the last request came (probing stops when the window is idle). */
  readonly lastRequestAt: () => number;
  readonly onDidChangeCircuit: Event<CircuitChange>;
}

export class HealthProber extends Disposable {
  private readonly loop = this._register(new MutableDisposable());
  private readonly inFlight = new Set<string>();

  constructor(private readonly options: HealthProberOptions) {
    super();
    this._register(
      options.onDidChangeCircuit((change) => (change.to === 'open' ? this.consider() : undefined)),
    );
  }

  /** Starts the probe loop when the whole chain is down (and it is not running yet). */
  private consider(): void {
    const settings = this.options.settings();
    if (!settings.enabled || this.isDisposed || this.loop.value) return;
    if (!this.chainIsDown()) return;
    this.options.logger?.info('Every model of the chain is unavailable; probing them in the background.');
    this.scheduleNext(settings.intervalMs);
  }

  private scheduleNext(ms: number): void {
    this.loop.value = this.options.clock.setTimeout(() => {
      this.loop.clearWithoutDisposing();
      this.run();
    }, ms);
  }

  private chainIsDown(): boolean {
    const { registry } = this.options;
    const names = registry.chainModels();
    return names.length > 0 && names.every((name) => isDown(registry.get(name)!));
  }

  private run(): void {
    const settings = this.options.settings();
    if (this.isDisposed || !settings.enabled || !this.chainIsDown()) return;
    if (this.options.clock.now() - this.options.lastRequestAt() >= settings.idleAfterMs) {
      this.options.logger?.info('Background health probes stopped: no requests for a while.');
      return;
    }
    for (const name of this.options.registry.chainModels()) {
      const entry = this.options.registry.get(name)!;
      if (entry.breaker.state !== 'open' || !entry.provider.healthCheck || this.inFlight.has(name)) continue;
      void this.probe(entry, settings.timeoutMs);
    }
    this.scheduleNext(settings.intervalMs);
  }

  private async probe(entry: ModelEntry, timeoutMs: number): Promise<void> {
    const { clock, logger } = this.options;
    this.inFlight.add(entry.name);
    const controller = new AbortController();
    const deadline = new Deadline(clock, controller, undefined);
    try {
      await deadline.race(
        entry.provider.healthCheck!(controller.signal),
        timeoutMs,
        () => `health check of ${entry.name} timed out`,
      );
      if (entry.breaker.state === 'open') {
        logger?.info(
          `${entry.name} answered a background health check; its circuit closes before its timeout.`,
        );
        entry.breaker.reset();
        entry.blockedUntil = undefined;
      }
    } catch (error) {
      logger?.debug(`Background health check of ${entry.name} failed: ${toLlmError(error).message}`);
    } finally {
      deadline.dispose();
      this.inFlight.delete(entry.name);
    }
  }
}

function isDown(entry: ModelEntry): boolean {
  const state = entry.breaker.state;
  return state === 'open' || state === 'isolated';
}
