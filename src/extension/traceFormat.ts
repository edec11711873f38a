/**
 * Routing traces in words: a markdown table for the "Show details" document and one line per
 * request for the log. Pure, so the wording is unit-tested. Traces hold no prompt text and no keys.
 */
import { describeErrorKind, formatDuration, formatUsd, isChainFailedError, type LlmError, type RequestTrace, type TraceStep } from '../core';

export function describeStep(step: TraceStep): string {
  switch (step.type) {
    case 'cache':
      return step.hit ? 'cache hit — answered from the response cache' : 'cache miss';
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
    case 'answered':
      return `${step.model} answered · ${formatUsd(step.costUsd)}`;
  }
}

export function traceToMarkdown(trace: RequestTrace, title: string, error?: LlmError): string {
  const lines = [`# ${title}`, '', `Request \`${trace.id}\` at ${new Date(trace.startedAt).toLocaleString()}`, ''];
  if (error) {
    lines.push(`**${oneLine(error.message.split('\n')[0])}**`, '');
    if (isChainFailedError(error)) {
      for (const failure of error.failures) lines.push(`- **${failure.model}**: ${failure.summary}`);
      lines.push('');
    }
  }
  lines.push('## Steps', '');
  // A list rather than a table: it stays readable as plain text, where long steps wrap.
  for (const step of trace.steps) {
    lines.push(`- **+${formatDuration(step.at - trace.startedAt)}** ${describeStep(step)}`);
  }
  if (trace.steps.length === 0) lines.push('- nothing was tried');
  return lines.join('\n') + '\n';
}

/** One log line: `trace 1a2b-3: cache miss; a: attempt 1 failed …; b answered · $0.0012`. */
export function traceToLogLine(trace: RequestTrace): string {
  return `trace ${trace.id}: ${trace.steps.map(describeStep).join('; ') || 'no steps'}`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 197)}…` : flat;
}
