/** Collects a request's steps, stamping each with the clock, and hands out its finished trace. */
import type { Clock, RequestTrace, TraceStep } from './types';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A trace step as a caller writes it; the recorder adds the time. */
export type TraceStepInput = DistributiveOmit<TraceStep, 'at'>;

export class TraceRecorder {
  private readonly steps: TraceStep[] = [];
  readonly startedAt: number;

  constructor(
    readonly id: string,
    private readonly clock: Clock,
  ) {
    this.startedAt = clock.now();
  }

  /** Stamps the step in place: every caller passes a fresh literal, so no copy is needed. */
  add(step: TraceStepInput): void {
    (step as { at?: number }).at = this.clock.now();
    this.steps.push(step as TraceStep);
  }

  snapshot(): RequestTrace {
    return { id: this.id, startedAt: this.startedAt, steps: this.steps.slice() };
  }
}

/** Unique trace ids per manager: its start time (base 36, formatted once) and a request counter. */
export class TraceIds {
  private prefix: string | undefined;
  private counter = 0;

  constructor(private readonly clock: Clock) {}

  next(): string {
    this.prefix ??= this.clock.now().toString(36);
    return `${this.prefix}-${++this.counter}`;
  }
}
