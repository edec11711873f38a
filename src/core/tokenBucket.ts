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

  /** Milliseconds until one request may be sent. */
  msUntilAvailable(): number {
    this.refill();
    if (this.tokens >= 1) return 0;
    return Math.ceil(((1 - this.tokens) * 60_000) / this.requestsPerMinute);
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = now - this.updatedAt;
    if (elapsed <= 0) return;
    this.tokens = Math.min(this.requestsPerMinute, this.tokens + (elapsed * this.requestsPerMinute) / 60_000);
    this.updatedAt = now;
  }
}
