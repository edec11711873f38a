import type { Clock } from './types';

/** Requests-per-minute limit as a token bucket that refills continuously. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly requestsPerMinute: number,
    private readonly clock: Clock,
  ) {
    this.tokens = requestsPerMinute;
    this.updatedAt = clock.now();
  }

  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /**
   * Milliseconds until one request may be sent, when `usedElsewhere` requests of the last minute
   * were sent by other windows sharing the limit.
   */
  msUntilAvailable(usedElsewhere = 0): number {
    this.refill();
    const available = this.tokens - usedElsewhere;
    if (available >= 1) return 0;
    return Math.ceil(((1 - available) * 60_000) / this.requestsPerMinute);
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = now - this.updatedAt;
    if (elapsed <= 0) return;
    this.tokens = Math.min(this.requestsPerMinute, this.tokens + (elapsed * this.requestsPerMinute) / 60_000);
    this.updatedAt = now;
  }
}
