/**
 * Removes secrets from text bound for a log, an error message or the webview: the exact values of
 * keys we know, and anything shaped like a well-known API key. Pure, so it is unit-tested.
 */
const KEY_SHAPES: readonly RegExp[] = [
  /\bsk-(?:ant-|proj-|or-v1-)?[A-Za-z0-9_-]{16,}/g,
  /\bgsk_[A-Za-z0-9]{20,}/g,
  /\bAIza[0-9A-Za-z_-]{30,}/g,
  /\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{12,}/gi,
];

export function redactSecrets(text: string, knownSecrets: Iterable<string>): string {
  let result = text;
  for (const secret of knownSecrets) {
    // Short values could match ordinary words; real keys are long.
    if (secret.length >= 8) result = result.split(secret).join('[redacted]');
  }
  for (const shape of KEY_SHAPES) result = result.replace(shape, '[redacted]');
  return result;
}
