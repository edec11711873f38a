/**
 * The rule for where a stored key may be sent: one function, {@link keyDestinationVerdict}, that
 * the extension's secret source asks before it hands a key to a provider. No `vscode` import: the
 * rule is unit-tested in plain Node.
 */

import { PRESETS } from '../providers/presets';
import { DEFAULT_ANTHROPIC_BASE_URL, DEFAULT_OPENAI_BASE_URL } from '../providers';

/** The hosts a key was confirmed (or refused) for, as kept in globalState per key id. */
export interface KeyDestinationRecord {
  readonly allowed: readonly string[];
  readonly refused: readonly string[];
}

/**
 * - `send`: the host is the key's own (its vendor's default, loopback, or confirmed);
 * - `firstUse`: a key stored before hosts were recorded, used for the first time: the host its
 *   user-configured model names becomes its own (the caller records it);
 * - `ask`: a host this key has never gone to: nothing is sent until the user confirms;
 * - `refused`: the user said no for this host.
 */
export type KeyDestinationVerdict = 'send' | 'firstUse' | 'ask' | 'refused';

/** Decides whether the key `keyId` may go to `hostname`, given what was recorded for it. */
export function keyDestinationVerdict(
  keyId: string,
  hostname: string,
  record: KeyDestinationRecord | undefined,
): KeyDestinationVerdict {
  const host = normalizeHost(hostname);
  if (isLoopbackHost(host) || implicitHostsOf(keyId).includes(host)) return 'send';
  if (!record) return 'firstUse';
  if (record.allowed.includes(host)) return 'send';
  if (record.refused.includes(host)) return 'refused';
  return 'ask';
}

/** The host part of an endpoint URL, as the rule compares it. */
export function hostOf(endpoint: string): string {
  return normalizeHost(new URL(endpoint).hostname);
}

/**
 * Hosts a key id names by itself: the vendor's own API for `openai`, `anthropic` and the preset
 * ids, and `HOST` for the per-endpoint ids `provider@HOST` (see `keyIdFor`).
 */
export function implicitHostsOf(keyId: string): string[] {
  if (keyId === 'openai') return [hostOf(DEFAULT_OPENAI_BASE_URL)];
  if (keyId === 'anthropic') return [hostOf(DEFAULT_ANTHROPIC_BASE_URL)];
  const preset = Object.values(PRESETS).find((p) => p.id === keyId);
  if (preset) return [hostOf(preset.baseUrl)];
  const at = keyId.lastIndexOf('@');
  if (at > 0) {
    try {
      return [hostOf(`http://${keyId.slice(at + 1)}`)];
    } catch {
      return [];
    }
  }
  return [];
}

/** `localhost`, 127.0.0.0/8 and ::1 (also IPv4-mapped): the user's own machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = normalizeHost(hostname);
  if (host === 'localhost' || host === '::1') return true;
  const v4 = host.startsWith('::ffff:') ? host.slice('::ffff:'.length) : host;
  return /^127(\.\d{1,3}){3}$/.test(v4);
}

/** A record with `host` moved to the allowed (or refused) list. */
export function withDecision(
  record: KeyDestinationRecord | undefined,
  hostname: string,
  allow: boolean,
): KeyDestinationRecord {
  const host = normalizeHost(hostname);
  const allowed = (record?.allowed ?? []).filter((h) => h !== host);
  const refused = (record?.refused ?? []).filter((h) => h !== host);
  return allow ? { allowed: [...allowed, host], refused } : { allowed, refused: [...refused, host] };
}

function normalizeHost(hostname: string): string {
  return hostname
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}
