/**
 * A request's trace in words, one sentence per step. Every surface that shows traces (the log, the
 * "Show details" document, the dashboard, the terminal demo) uses these, so they read the same
 * everywhere. Traces hold no prompt text and no keys.
 */
import { assertNever, describeErrorKind } from './errors';
import { formatDuration, formatUsd } from './format';
import type { RequestTrace, TraceStep } from './types';

export function describeStep(step: TraceStep): string {
  switch (step.type) {
    case 'cache':
      return step.hit ? 'cache hit — answered from the response cache' : 'cache miss';
    case 'route':
      return step.reason
        ? `${step.tier} request routed to the ${step.chain} chain (${step.reason})`
        : `${step.tier} request uses the ${step.chain} chain`;
    case 'skip':
      return `${step.model}: ${step.detail}`;
    case 'attempt':
      return step.outcome === 'success'
        ? `${step.model}: attempt ${step.attempt} answered in ${formatDuration(step.latencyMs)}`
        : `${step.model}: attempt ${step.attempt} failed after ${formatDuration(step.latencyMs)} — ${step.errorKind ? describeErrorKind(step.errorKind) : 'error'}${step.message ? ` (${oneLine(step.message)})` : ''}`;
    case 'backoff':
      return `${step.model}: waited ${formatDuration(step.delayMs)} before retrying (${step.reason === 'retryAfter' ? "the provider's Retry-After" : step.reason === 'rateLimit' ? 'rate limit' : 'exponential backoff'})`;
    case 'circuit':
      return `${step.model}: circuit ${step.from} → ${step.to}`;
    case 'answered': {
      const cost = step.priceUnknown ? 'price unknown' : formatUsd(step.costUsd);
      const cached = step.cacheReadTokens
        ? ` · ${step.cacheReadTokens.toLocaleString('en-US')} input tokens from the prompt cache`
        : '';
      return `${step.model} answered · ${cost}${cached}`;
    }
    case 'adjust':
      return `${step.model}: ${step.detail}`;
    default:
      return assertNever(step);
  }
}

/** One log line: `trace 1a2b-3: cache miss; a: attempt 1 failed …; b answered · $0.0012`. */
export function traceToLogLine(trace: RequestTrace): string {
  return `trace ${trace.id}: ${trace.steps.map(describeStep).join('; ') || 'no steps'}`;
}

export function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 197)}…` : flat;
}
