/**
 * Reads a provider's key (and secret headers) from the secret source, and keeps one SDK client per
 * set of credentials so a changed key takes effect on the next request without a reload.
 */

import { LlmError } from '../core';
import type { SecretSource } from './providerConfig';

export interface Credentials {
  /** The key to send; a placeholder for local servers that need none. */
  readonly apiKey: string;
  readonly secretHeaders: Readonly<Record<string, string>>;
  /** Every secret value, for scrubbing messages. */
  readonly secrets: readonly string[];
}

export interface CredentialOptions {
  readonly secrets: SecretSource;
  readonly keyId: string;
  /** When false, a missing key sends {@link NO_KEY_PLACEHOLDER} instead of skipping the model. */
  readonly keyRequired: boolean;
  readonly secretHeaders?: Readonly<Record<string, string>>;
  readonly provider: string;
  /** Registry name of the model (for the error). */
  readonly model: string;
}

/** What local servers receive as the key: the SDKs insist on one, and these servers ignore it. */
export const NO_KEY_PLACEHOLDER = 'no-key-needed';

/**
 * Reads the credentials, or throws `auth` with `missingKey` (the manager then skips the model with
 * "no API key — set one") before any network call.
 */
export async function readCredentials(options: CredentialOptions): Promise<Credentials> {
  const missing = (what: string) =>
    new LlmError('auth', `No API key for ${options.provider}: ${what} — set one with "LLM Manager: Set API Key".`, {
      missingKey: true,
      provider: options.provider,
      model: options.model,
    });
  let key: string | undefined;
  try {
    key = (await options.secrets.getKey(options.keyId))?.trim() || undefined;
  } catch {
    throw missing(`the key "${options.keyId}" could not be read from secret storage`);
  }
  if (!key && options.keyRequired) throw missing(`nothing is stored under "${options.keyId}"`);

  const headers: Record<string, string> = {};
  const secrets: string[] = key ? [key] : [];
  for (const [header, keyId] of Object.entries(options.secretHeaders ?? {})) {
    let value: string | undefined;
    try {
      value = (await options.secrets.getKey(keyId))?.trim() || undefined;
    } catch {
      value = undefined;
    }
    if (!value) throw missing(`the header "${header}" needs the secret "${keyId}", which is not set`);
    headers[header] = value;
    secrets.push(value);
  }
  return { apiKey: key ?? NO_KEY_PLACEHOLDER, secretHeaders: headers, secrets };
}

/** Holds the SDK client built for the current credentials; rebuilds it when they change. */
export class ClientSlot<TClient> {
  private current: { readonly fingerprint: string; readonly client: TClient } | undefined;

  constructor(private readonly build: (credentials: Credentials) => Promise<TClient>) {}

  async get(credentials: Credentials): Promise<TClient> {
    const fingerprint = [credentials.apiKey, ...Object.entries(credentials.secretHeaders).flat()].join('\u0000');
    const current = this.current;
    if (current && current.fingerprint === fingerprint) return current.client;
    const client = await this.build(credentials);
    this.current = { fingerprint, client };
    return client;
  }
}
