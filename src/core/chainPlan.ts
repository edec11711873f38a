import { LlmError } from './errors';
import type { ChainStep, ChatMessage, GenerateRequest, ModelMetadata } from './types';

/**
 * Orders the models a request will try: each step in turn, a group's members in a weighted random
 * order (so groups share load by weight), and no model twice.
 */
export function planCandidates(
  steps: readonly ChainStep[],
  isRegistered: (name: string) => boolean,
  weightOf: (name: string) => number,
  random: () => number,
): string[] {
  const seen = new Set<string>();
  const result: string[] = [];
  const add = (name: string) => {
    if (!seen.has(name) && isRegistered(name)) {
      seen.add(name);
      result.push(name);
    }
  };
  for (const step of steps) {
    if (typeof step === 'string') add(step);
    else for (const name of weightedOrder(step, weightOf, random)) add(name);
  }
  return result;
}

/** Sampling without replacement, each pick proportional to its weight. */
export function weightedOrder(names: readonly string[], weightOf: (name: string) => number, random: () => number): string[] {
  const pool = names.map((name) => ({ name, weight: Math.max(0, weightOf(name)) }));
  const ordered: string[] = [];
  while (pool.length > 0) {
    const total = pool.reduce((sum, item) => sum + item.weight, 0);
    let index = 0;
    if (total > 0) {
      let r = random() * total;
      index = pool.findIndex((item) => (r -= item.weight) < 0);
      if (index < 0) index = pool.length - 1;
    }
    ordered.push(pool[index].name);
    pool.splice(index, 1);
  }
  return ordered;
}

export interface NormalizedRequest {
  readonly messages: readonly ChatMessage[];
  readonly system?: string;
}

/** Turns `prompt`/`messages`/`system` into one shape, or throws a `badRequest` saying what is wrong. */
export function normalizeRequest(request: GenerateRequest): NormalizedRequest {
  const systemParts: string[] = [];
  if (request.system) systemParts.push(request.system);
  const messages: ChatMessage[] = [];
  for (const message of request.messages ?? []) {
    if (typeof message?.content !== 'string') {
      throw new LlmError('badRequest', 'Every message needs text content.');
    }
    const role: string = message.role;
    // Callers from plain JavaScript sometimes put the system prompt in the list; accept it.
    if (role === 'system') systemParts.push(message.content);
    else if (role === 'user' || role === 'assistant') messages.push({ role, content: message.content });
    else throw new LlmError('badRequest', `Unknown message role "${role}".`);
  }
  if (request.prompt !== undefined) messages.push({ role: 'user', content: request.prompt });
  if (!messages.some((m) => m.content.trim().length > 0)) {
    throw new LlmError('badRequest', 'The request has no prompt: give `prompt` or non-empty `messages`.');
  }
  if (request.temperature !== undefined && !(request.temperature >= 0 && request.temperature <= 2)) {
    throw new LlmError('badRequest', `Temperature must be between 0 and 2 (got ${request.temperature}).`);
  }
  if (request.maxTokens !== undefined && !(Number.isInteger(request.maxTokens) && request.maxTokens > 0)) {
    throw new LlmError('badRequest', `maxTokens must be a positive whole number (got ${request.maxTokens}).`);
  }
  const system = systemParts.join('\n\n');
  return system ? { messages, system } : { messages };
}

/**
 * A deliberately simple token estimate (about four characters per token plus a little per message)
 * used only for decisions before sending: which windows are too small, what a request may cost.
 * Billing uses the provider's real usage figures.
 */
export function estimateInputTokens(request: NormalizedRequest): number {
  let chars = request.system?.length ?? 0;
  for (const message of request.messages) chars += message.content.length;
  return Math.ceil(chars / 4) + 4 * (request.messages.length + 1);
}

export function estimateTextTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function isFree(metadata: ModelMetadata): boolean {
  return metadata.inputPricePerMTok === 0 && metadata.outputPricePerMTok === 0;
}

export function costUsd(metadata: ModelMetadata, inputTokens: number, outputTokens: number): number {
  return (inputTokens * metadata.inputPricePerMTok + outputTokens * metadata.outputPricePerMTok) / 1_000_000;
}
