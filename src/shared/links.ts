/**
 * Which links from a model's answer may be offered: the answer page renders only these as links,
 * and the host checks again before `vscode.env.openExternal`. No `vscode`, Node or DOM here.
 */
const SAFE_PROTOCOLS = ['http:', 'https:', 'mailto:'];

/** An absolute http, https or mailto address of sane length. */
export function isSafeLink(href: string): boolean {
  if (href.length > 2048) return false;
  try {
    return SAFE_PROTOCOLS.includes(new URL(href).protocol);
  } catch {
    return false;
  }
}
