import * as vscode from 'vscode';
import { LlmError, type Logger } from '../core';
import {
  keyDestinationVerdict,
  withDecision,
  type KeyDestinationRecord,
  type KeyDestinationVerdict,
} from './keyDestinations';
import type { KeyStore } from './keyStore';

/** globalState key of the hosts each key id was confirmed or refused for (host names only). */
export const KEY_DESTINATIONS_STATE = 'llmManager.keyDestinations';

/** One model's request for a stored key, for the endpoint it is about to call. */
export interface KeyRequest {
  readonly keyId: string;
  /** Host of the endpoint the provider's SDK will send to (see `endpointOf`). */
  readonly host: string;
  /** The model (registry name), for messages. */
  readonly model: string;
}

/** Where models get their keys: the only path from the key store to a provider. */
export interface KeyRelease {
  /** The key, or undefined when none is stored; throws (skip, nothing sent) when it may not go to the host. */
  release(request: KeyRequest): Promise<string | undefined>;
}

/** A key use the settings define right now: the key id and the host its model sends to. */
export interface KeyUse {
  readonly keyId: string;
  readonly host: string;
}

export type ConsentAnswer = 'allow' | 'refuse' | undefined;
/** Asks the user whether a key may go to a new host; the extension shows a notification. */
export type ConsentPrompt = (request: KeyRequest, knownHosts: readonly string[]) => Promise<ConsentAnswer>;

/**
 * Key-to-host consent. A key goes only to the hosts it was set for: when the user sets a key, the
 * hosts of the models using it are recorded; a model whose base URL later names another host gets
 * the key only after the user confirms, once per key id and host (remembered in globalState). The
 * vendor's own hosts and loopback never ask. Until then the model is skipped and nothing is sent.
 */
export class KeyConsent implements KeyRelease, vscode.Disposable {
  private readonly asked = new Set<string>();
  private readonly shown: KeyRequest[] = [];
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly keys: KeyStore,
    private readonly state: vscode.Memento,
    private readonly logger: Logger,
    private readonly currentUses: () => readonly KeyUse[],
    private readonly prompt: ConsentPrompt = askInNotification,
  ) {
    // Setting a key is the user saying where it belongs: the endpoints of the models using it now.
    this.subscription = keys.onDidChange((keyId) => void this.onKeyChanged(keyId));
  }

  async release(request: KeyRequest): Promise<string | undefined> {
    const key = await this.keys.getKey(request.keyId);
    if (key === undefined) return undefined;
    const verdict = keyDestinationVerdict(request.keyId, request.host, this.record(request.keyId));
    switch (verdict) {
      case 'send':
        return key;
      case 'firstUse':
        this.logger.info(
          `The API key "${request.keyId}" goes to ${request.host} (${request.model}); other hosts will ask first.`,
        );
        await this.save(request.keyId, withDecision(undefined, request.host, true));
        return key;
      case 'ask':
      case 'refused':
        if (verdict === 'ask') this.askOnce(request);
        throw this.withholding(request, verdict);
    }
  }

  /** Records the user's answer for a key id and host (the notification's buttons call this). */
  async decide(keyId: string, host: string, allow: boolean): Promise<void> {
    await this.save(keyId, withDecision(this.record(keyId), host, allow));
    this.logger.info(
      `The API key "${keyId}" ${allow ? 'may now go' : 'will not be sent'} to ${host} (answered by the user).`,
    );
  }

  /** The prompts shown this session (for tests: one per key id and host). */
  prompts(): readonly KeyRequest[] {
    return [...this.shown];
  }

  private askOnce(request: KeyRequest): void {
    const id = `${request.keyId}\u0000${request.host}`;
    if (this.asked.has(id)) return;
    this.asked.add(id);
    this.shown.push(request);
    this.logger.warn(
      `Not sending the API key "${request.keyId}" to ${request.host} for ${request.model}: the key was not set for that host. Asking the user.`,
    );
    const known = this.record(request.keyId)?.allowed ?? [];
    void this.prompt(request, known).then(async (answer) => {
      if (answer) await this.decide(request.keyId, request.host, answer === 'allow');
    });
  }

  private withholding(request: KeyRequest, verdict: KeyDestinationVerdict): LlmError {
    const why =
      verdict === 'refused'
        ? 'you chose not to send it there (set the key again to allow it)'
        : 'it was not set for that host; confirm in the notification to send it';
    return new LlmError(
      'auth',
      `The API key "${request.keyId}" is not sent to ${request.host} (${request.model}): ${why}.`,
      { missingKey: true, keyWithheld: true, model: request.model },
    );
  }

  private async onKeyChanged(keyId: string): Promise<void> {
    const key = await this.keys.getKey(keyId);
    if (key === undefined) {
      await this.save(keyId, undefined);
      return;
    }
    let record = this.record(keyId) ?? { allowed: [], refused: [] };
    for (const use of this.currentUses())
      if (use.keyId === keyId) record = withDecision(record, use.host, true);
    await this.save(keyId, record);
  }

  private record(keyId: string): KeyDestinationRecord | undefined {
    return this.state.get<Record<string, KeyDestinationRecord>>(KEY_DESTINATIONS_STATE)?.[keyId];
  }

  private async save(keyId: string, record: KeyDestinationRecord | undefined): Promise<void> {
    const all = { ...this.state.get<Record<string, KeyDestinationRecord>>(KEY_DESTINATIONS_STATE) };
    if (record) all[keyId] = record;
    else delete all[keyId];
    await this.state.update(KEY_DESTINATIONS_STATE, all);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

async function askInNotification(request: KeyRequest, knownHosts: readonly string[]): Promise<ConsentAnswer> {
  const known = knownHosts.length > 0 ? ` (it was set for ${knownHosts.join(', ')})` : '';
  const choice = await vscode.window.showWarningMessage(
    `LLM Manager: the model "${request.model}" would send the API key "${request.keyId}" to ${request.host}, a host this key was not set for${known}. Send it there?`,
    'Allow',
    "Don't Allow",
  );
  return choice === 'Allow' ? 'allow' : choice === "Don't Allow" ? 'refuse' : undefined;
}
