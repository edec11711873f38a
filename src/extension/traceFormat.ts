/**
 * A routing trace as a Markdown document for "Show details". The sentences come from the core's
 * describeStep, so the log, this document and the dashboard read the same.
 */
import {
  describeStep,
  formatDuration,
  isChainFailedError,
  oneLine,
  type LlmError,
  type RequestTrace,
} from '../core';

export { describeStep, traceToLogLine } from '../core';

export function traceToMarkdown(trace: RequestTrace, title: string, error?: LlmError): string {
  const lines = [
    `# ${title}`,
    '',
    `Request \`${trace.id}\` at ${new Date(trace.startedAt).toLocaleString()}`,
    '',
  ];
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
