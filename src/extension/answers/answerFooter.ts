/**
 * What every answer ends with, in the answer view and in the answer document alike: the model,
 * whether it came from the cache, the time, the cost and the tokens. One set of facts, two shapes.
 */
import { formatDuration, formatUsd, type GenerateResult, type LlmError } from '../../core';
import type { AnswerFooterView } from '../../shared/answerProtocol';

export function answerFooterView(result: GenerateResult): AnswerFooterView {
  return {
    model: result.model,
    cached: result.cached,
    time: result.cached ? 'from the cache' : formatDuration(result.latencyMs),
    cost: result.cached ? 'no cost' : formatUsd(result.costUsd),
    tokens: tokensLine(result),
  };
}

/** `12,400 in (11,900 cached) / 800 out (300 reasoning) tokens`; the parts in brackets only when there are some. */
function tokensLine({ usage }: GenerateResult): string {
  const count = (n: number) => n.toLocaleString('en-US');
  const cached = usage.cacheReadTokens ? ` (${count(usage.cacheReadTokens)} cached)` : '';
  const reasoning = usage.reasoningTokens ? ` (${count(usage.reasoningTokens)} reasoning)` : '';
  return `${count(usage.inputTokens)} in${cached} / ${count(usage.outputTokens)} out${reasoning} tokens`;
}

/** The footer line of an answer document: `_Answered by **m** · 1.2 s · $0.0012 · 10 in / 20 out tokens_`. */
export function answerFooter(result: GenerateResult): string {
  const footer = answerFooterView(result);
  return `_${[`Answered by **${footer.model}**`, footer.time, footer.cost, footer.tokens].join(' · ')}_`;
}

/** The line an answer document ends with when no (complete) answer came. */
export function errorFooter(error: LlmError): string {
  switch (error.kind) {
    case 'cancelled':
      return '_Cancelled._';
    case 'interrupted':
      return `_${error.message} Run **LLM Manager: Show Routing Trace…** for details._`;
    default:
      return `**No answer.** ${error.message.replace(/\n/g, '  \n')}`;
  }
}

/** The same, as the answer view says it (plain text; the view adds the emphasis). */
export function errorText(error: LlmError): string {
  switch (error.kind) {
    case 'cancelled':
      return 'Stopped.';
    case 'interrupted':
      return `${error.message} The routing trace has the details.`;
    default:
      return `No answer. ${error.message.replace(/\n- /g, ' · ').replace(/\n/g, ' ')}`;
  }
}
