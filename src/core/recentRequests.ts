/**
 * The last N completed requests, newest last, in a ring: adding one is O(1) on every request,
 * where shifting an array of 50 from its front showed up as a third of a cache hit's time.
 */
export class RecentRequests<T> {
  private readonly ring: T[] = [];
  /** Where the next item goes once the ring is full (and so where the oldest is). */
  private next = 0;

  constructor(private readonly limit: number) {}

  add(item: T): void {
    if (this.limit <= 0) return;
    if (this.ring.length < this.limit) {
      this.ring.push(item);
      return;
    }
    this.ring[this.next] = item;
    this.next = (this.next + 1) % this.limit;
  }

  /** A copy, oldest first. */
  toArray(): T[] {
    return this.ring.length < this.limit
      ? this.ring.slice()
      : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }
}
