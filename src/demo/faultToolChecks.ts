/**
 * The checks the real services make on a request's tools and tool history before answering, in
 * each service's own wording (the fault upstream runs them, see vendorChecks.ts).
 */

import { type ErrorAnswer, type Vendor } from './faultResponses';
import { invalidRequestError } from './faultErrors';
import { blocksOf, isObject, messagesOf, type JsonObject } from './faultTools';

/**
 * The 400 a service answers when the request's tools or tool history are malformed, in its own
 * wording; undefined when they are well formed. These are the checks the real services make, so a
 * translation mistake in a provider fails here as it would in production.
 */
export function checkToolRequest(vendor: Vendor, json: JsonObject): ErrorAnswer | undefined {
  return vendor === 'anthropic' ? checkAnthropic(json) : checkOpenAi(vendor, json);
}

function checkOpenAi(vendor: Vendor, json: JsonObject): ErrorAnswer | undefined {
  const tools = Array.isArray(json.tools) ? json.tools : [];
  for (const [i, tool] of tools.entries()) {
    if (!isObject(tool) || !isObject(tool.function) || typeof tool.function.name !== 'string') {
      return invalidRequestError(
        vendor,
        `Missing required parameter: 'tools[${i}].function.name'.`,
        `tools[${i}].function.name`,
        'missing_required_parameter',
      );
    }
  }
  const messages = messagesOf(json);
  // Calls of the last assistant turn still waiting for their `tool` messages.
  let awaiting: string[] = [];
  let awaitingFrom = -1;
  const unanswered = () =>
    invalidRequestError(
      vendor,
      `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${awaiting.join(', ')}`,
      `messages.[${awaitingFrom}].role`,
    );
  for (const [i, message] of messages.entries()) {
    if (!isObject(message)) continue;
    if (message.role === 'tool') {
      const id = message.tool_call_id;
      if (typeof id !== 'string' || !awaiting.includes(id)) {
        return invalidRequestError(
          vendor,
          "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
          `messages.[${i}].role`,
        );
      }
      awaiting = awaiting.filter((waiting) => waiting !== id);
      continue;
    }
    if (awaiting.length > 0) return unanswered();
    const calls = message.role === 'assistant' && Array.isArray(message.tool_calls) ? message.tool_calls : [];
    for (const [j, call] of calls.entries()) {
      const fn = isObject(call) && isObject(call.function) ? call.function : undefined;
      if (!isObject(call) || typeof call.id !== 'string' || !fn || typeof fn.name !== 'string') {
        return invalidRequestError(
          vendor,
          `Missing required parameter: 'messages[${i}].tool_calls[${j}].id'.`,
          `messages[${i}].tool_calls[${j}]`,
          'missing_required_parameter',
        );
      }
      if (typeof fn.arguments !== 'string') {
        return invalidRequestError(
          vendor,
          `Invalid type for 'messages[${i}].tool_calls[${j}].function.arguments': expected a string, but got ${Array.isArray(fn.arguments) ? 'an array' : typeof fn.arguments === 'object' ? 'an object' : typeof fn.arguments} instead.`,
          `messages[${i}].tool_calls[${j}].function.arguments`,
          'invalid_type',
        );
      }
      awaiting.push(call.id);
      awaitingFrom = i;
    }
  }
  return awaiting.length > 0 ? unanswered() : undefined;
}

function checkAnthropic(json: JsonObject): ErrorAnswer | undefined {
  const tools = Array.isArray(json.tools) ? json.tools : [];
  for (const [i, tool] of tools.entries()) {
    if (!isObject(tool) || (tool.type !== undefined && tool.type !== 'custom')) continue;
    if (!isObject(tool.input_schema) || tool.input_schema.type !== 'object') {
      return invalidRequestError(
        'anthropic',
        `tools.${i}.custom.input_schema.type: Input should be 'object'`,
      );
    }
  }
  const messages = messagesOf(json);
  let previousCalls: string[] = [];
  for (const [i, message] of messages.entries()) {
    const blocks = blocksOf(message);
    const results = blocks
      .map((block, j) => ({ block, j }))
      .filter(({ block }) => block.type === 'tool_result');
    for (const { block, j } of results) {
      if (typeof block.tool_use_id !== 'string' || !previousCalls.includes(block.tool_use_id)) {
        return invalidRequestError(
          'anthropic',
          `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(block.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
        );
      }
    }
    const answered = new Set(results.map(({ block }) => block.tool_use_id));
    const missing = previousCalls.filter((id) => !answered.has(id));
    if (missing.length > 0) {
      return invalidRequestError(
        'anthropic',
        `messages.${i - 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
      );
    }
    previousCalls = [];
    for (const [j, block] of blocks.entries()) {
      if (block.type !== 'tool_use') continue;
      if (!isObject(message) || message.role !== 'assistant') {
        return invalidRequestError(
          'anthropic',
          `messages.${i}.content.${j}: \`tool_use\` blocks can only be in \`assistant\` messages`,
        );
      }
      if (typeof block.id !== 'string' || typeof block.name !== 'string') {
        return invalidRequestError('anthropic', `messages.${i}.content.${j}.tool_use.id: Field required`);
      }
      if (!isObject(block.input)) {
        return invalidRequestError(
          'anthropic',
          `messages.${i}.content.${j}.tool_use.input: Input should be a valid dictionary`,
        );
      }
      previousCalls.push(block.id);
    }
  }
  if (previousCalls.length > 0) {
    return invalidRequestError(
      'anthropic',
      `messages.${messages.length - 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${previousCalls.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
    );
  }
  return undefined;
}
