/**
 * Extended thinking as the fault upstream plays it: the thinking text an answer carries, and the
 * `signature` that proves a thinking block came from the API. Signatures are an HMAC of the
 * thinking text, so a block passed back altered, or made up by a client, is refused as the API
 * refuses it ("Invalid `signature` in `thinking` block"), and a block signed by any instance of the
 * upstream verifies on any other.
 */

import { createHmac, timingSafeEqual } from 'node:crypto';
import { countTokens } from './faultResponses';

/** Not a secret: it only keeps the demo's signatures honest. */
const SIGNING_KEY = 'llm-manager-fault-upstream-thinking';
const SIGNATURE_PREFIX = 'Eu';

export function signThinking(thinking: string): string {
  return SIGNATURE_PREFIX + createHmac('sha256', SIGNING_KEY).update(thinking).digest('base64');
}

export function verifyThinking(thinking: string, signature: string): boolean {
  const expected = Buffer.from(signThinking(thinking));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The thinking an answer shows: short, deterministic, and within the budget the request set. */
export function demoThinking(prompt: string, budgetTokens: number | undefined): string {
  const flat = prompt.replace(/\s+/g, ' ').trim();
  const excerpt = flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
  const full =
    `The user asks: "${excerpt}". This is the fault upstream thinking out loud: ` +
    'I will restate the question, weigh what matters, and answer in a few short sentences.';
  if (budgetTokens === undefined || countTokens(full) <= budgetTokens) return full;
  return full.slice(0, Math.max(1, budgetTokens * 4));
}
