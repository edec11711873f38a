/**
 * A request's routing trace as the views show it: what was tried and skipped, each step with its
 * tone and time, every provider text redacted and clipped (pure; the dashboard and the answer view
 * both render it).
 */
import { describeErrorKind, type CompletedRequest, type TraceStep } from '../core';
import { formatDuration, formatLatency, formatUsd } from '../shared/format';
import type { Tone, TraceStepView, TraceView } from '../shared/protocol';
import { describeStep } from './traceFormat';

/** Longest provider text (an error message) that reaches a view. */
const MAX_MESSAGE_CHARS = 160;

/** One request's route in words: who was tried or skipped and why, the waits, who answered, the cost. */
export function traceView(completed: CompletedRequest, redact: (text: string) => string): TraceView {
  const { trace, result, error } = completed;
  const steps = trace.steps;
  const tried = unique(steps.flatMap((step) => (step.type === 'attempt' ? [step.model] : [])));
  const skipped = unique(steps.flatMap((step) => (step.type === 'skip' ? [step.model] : [])));
  const waitedMs = steps.reduce((sum, step) => sum + (step.type === 'backoff' ? step.delayMs : 0), 0);
  const lastAt = steps.length > 0 ? steps[steps.length - 1].at : trace.startedAt;
  const duration = formatLatency((result?.latencyMs ?? lastAt - trace.startedAt) || 0);
  const stepViews = steps.map((step): TraceStepView => ({
    kind: step.type,
    offset: `+${formatLatency(step.at - trace.startedAt)}`,
    ...('model' in step ? { model: step.model } : {}),
    text: clip(redact(describeStep(step)), 400),
    tone: stepTone(step),
  }));
  const common = {
    id: trace.id,
    startedAt: trace.startedAt,
    duration,
    tried,
    skipped,
    steps: stepViews,
    ...(waitedMs > 0 ? { waited: `waited ${formatDuration(waitedMs)}` } : {}),
  };

  if (result?.cached) {
    return {
      ...common,
      outcome: 'cached',
      tone: 'info',
      headline: `Answered from the cache (${result.model})`,
      answeredBy: result.model,
      cost: '$0 · cached',
    };
  }
  if (result) {
    const others =
      tried.filter((name) => name !== result.model).length +
      skipped.filter((name) => name !== result.model).length;
    const first = firstCandidate(steps);
    const headline =
      first === undefined || first === result.model
        ? `${result.model} answered`
        : `${result.model} answered after ${others} fallback${others === 1 ? '' : 's'}`;
    return {
      ...common,
      outcome: 'answered',
      tone: first === undefined || first === result.model ? 'ok' : 'warning',
      headline,
      answeredBy: result.model,
      cost: formatUsd(result.costUsd),
    };
  }
  const cancelled = error?.kind === 'cancelled';
  // A chain failure's message is a headline and a line per model: keep both, on one line.
  const [headline, ...perModel] = error ? error.message.split('\n') : [];
  const firstLine = error
    ? clip(
        redact(
          [headline, perModel.map((line) => line.replace(/^- /, '')).join('; ')].filter(Boolean).join(' '),
        ),
        300,
      )
    : undefined;
  return {
    ...common,
    outcome: cancelled ? 'cancelled' : 'failed',
    tone: cancelled ? 'muted' : 'error',
    headline: cancelled ? 'Cancelled' : `Failed: ${error ? describeErrorKind(error.kind) : 'no answer'}`,
    cost: '$0',
    ...(firstLine ? { error: firstLine } : {}),
  };
}

export function firstCandidate(steps: readonly TraceStep[]): string | undefined {
  for (const step of steps) if (step.type === 'attempt' || step.type === 'skip') return step.model;
  return undefined;
}

export function stepTone(step: TraceStep): Tone {
  switch (step.type) {
    case 'cache':
      return step.hit ? 'ok' : 'muted';
    case 'route':
      return step.reason ? 'warning' : 'info';
    case 'skip':
      return 'warning';
    case 'attempt':
      return step.outcome === 'success' ? 'ok' : 'error';
    case 'backoff':
      return 'muted';
    case 'circuit':
      return step.to === 'closed' ? 'ok' : step.to === 'open' ? 'error' : 'warning';
    case 'answered':
      return 'ok';
    case 'adjust':
      return 'info';
  }
}
export function clip(text: string, max = MAX_MESSAGE_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}
