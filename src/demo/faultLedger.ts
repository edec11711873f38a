/**
 * The fault upstream's books: the recent request records (bounded, the large fields on the last
 * few only), the counters by model, path and status, and the requests in flight, so tests can wait
 * until the upstream is idle.
 */

import type { FaultRequestRecord, FaultUpstreamStats } from './faultUpstreamTypes';

const RECENT_LIMIT = 500;
/** How many recent requests keep their body, and how many their tool exchange. */
const ATTACHMENT_LIMIT = 20;

type Attachment = 'body' | 'toolExchange';

function emptyCounters() {
  return {
    total: 0,
    byModel: {} as Record<string, number>,
    byPath: {} as Record<string, number>,
    byStatus: {} as Record<string, number>,
    streams: 0,
    clientClosed: 0,
  };
}

export class FaultLedger {
  private counters = emptyCounters();
  private recent: FaultRequestRecord[] = [];
  private readonly attached: Record<Attachment, FaultRequestRecord[]> = { body: [], toolExchange: [] };
  private inFlight = 0;
  private readonly idleWaiters: Array<() => void> = [];

  stats(): FaultUpstreamStats {
    const c = this.counters;
    return {
      total: c.total,
      byModel: { ...c.byModel },
      byPath: { ...c.byPath },
      byStatus: { ...c.byStatus },
      streams: c.streams,
      clientClosed: c.clientClosed,
      inFlight: this.inFlight,
      recent: this.recent.map((record) => ({ ...record })),
    };
  }

  reset(): void {
    this.counters = emptyCounters();
    this.recent = [];
    this.attached.body = [];
    this.attached.toolExchange = [];
  }

  whenIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** A request arrived. */
  begin(record: FaultRequestRecord): void {
    this.inFlight++;
    this.recent.push(record);
    if (this.recent.length > RECENT_LIMIT) this.recent.splice(0, this.recent.length - RECENT_LIMIT);
  }

  /** Its connection closed: `finished` tells whether the whole answer left. */
  end(record: FaultRequestRecord, finished: boolean): void {
    if (record.outcome === 'inFlight' || record.outcome === 'stalled') {
      if (finished) {
        record.outcome = 'completed';
      } else {
        record.outcome = 'clientClosed';
        this.counters.clientClosed++;
      }
    }
    this.inFlight--;
    if (this.inFlight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Counts a call by path and model (model-list calls have no model). */
  count(path: string, model: string | undefined, stream = false): void {
    const c = this.counters;
    c.total++;
    c.byPath[path] = (c.byPath[path] ?? 0) + 1;
    if (model) c.byModel[model] = (c.byModel[model] ?? 0) + 1;
    if (stream) c.streams++;
  }

  countStatus(record: FaultRequestRecord, status: number): void {
    record.status = status;
    this.counters.byStatus[status] = (this.counters.byStatus[status] ?? 0) + 1;
  }

  /** Attaches a large field to a record, keeping it on the last few records of its kind only. */
  attach<K extends Attachment>(
    record: FaultRequestRecord,
    field: K,
    value: NonNullable<FaultRequestRecord[K]>,
  ): void {
    record[field] = value;
    const holders = this.attached[field];
    holders.push(record);
    for (const old of holders.splice(0, Math.max(0, holders.length - ATTACHMENT_LIMIT))) delete old[field];
  }
}
