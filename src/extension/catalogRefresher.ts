/**
 * The opt-in refresh of the price catalog (`llmManager.catalog.refresh`, default off: nothing
 * leaves the machine unasked). When on, a while after start-up it asks the catalog for the
 * dataset's newer published data, which the catalog caches in global storage and validates; on
 * any failure the packaged data stays. The models then take the new prices. No `vscode` here.
 */
import { Disposable, MutableDisposable, type Clock, type Logger } from '../core';
import { refreshCatalog, type CatalogRefreshResult } from '../providers';

/** Not during activation: the refresh waits this long after start-up (or after the setting turns on). */
const REFRESH_DELAY_MS = 10_000;

export interface CatalogRefresherOptions {
  readonly storageDir: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The models re-read their prices (called after new data took effect). */
  readonly onRefreshed: () => void;
  /** The refresh itself (tests pass a fake). */
  readonly refresh?: typeof refreshCatalog;
}

export class CatalogRefresher extends Disposable {
  private readonly timer = this._register(new MutableDisposable());
  private done = false;

  constructor(private readonly options: CatalogRefresherOptions) {
    super();
  }

  /** Follows the setting: on schedules one refresh per session, off cancels a pending one. */
  setEnabled(enabled: boolean): void {
    if (!enabled) {
      this.timer.value = undefined;
      return;
    }
    if (this.done || this.timer.value || this.isDisposed) return;
    this.timer.value = this.options.clock.setTimeout(() => {
      this.timer.clearWithoutDisposing();
      void this.run();
    }, REFRESH_DELAY_MS);
  }

  private async run(): Promise<void> {
    this.done = true;
    const { logger } = this.options;
    let result: CatalogRefreshResult;
    try {
      result = await (this.options.refresh ?? refreshCatalog)({
        storageDir: this.options.storageDir,
        logger,
      });
    } catch (error) {
      logger.warn(`The price catalog could not be refreshed; the packaged prices stay: ${String(error)}`);
      return;
    }
    if (this.isDisposed) return;
    if (result.source === 'packaged') {
      logger.warn(
        `The price catalog could not be refreshed (${result.problem ?? 'unknown problem'}); the packaged prices of ${result.info.date} stay.`,
      );
      return;
    }
    logger.info(
      `Prices now come from the catalog of ${result.info.date} (${result.source === 'cache' ? 'cached copy' : 'downloaded'}).`,
    );
    this.options.onRefreshed();
  }
}
