import { scrubSecrets } from '../providers';

/**
 * Removes secrets from text bound for the log: the exact values of keys loaded so far, and
 * anything shaped like an API key. The providers scrub their own error messages the same way;
 * this is the last line of defence for everything else the extension writes.
 */
export function redactSecrets(text: string, knownSecrets: Iterable<string>): string {
  return scrubSecrets(text, [...knownSecrets]);
}
