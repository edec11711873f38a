import type * as vscode from 'vscode';
import type { Logger } from '../core';
import { LOG_LEVELS, type LogLevel } from './settings';

// vscode.LogLevel's values; imported as numbers so this file needs only the types of `vscode`.
const LogLevelTrace = 1;
const LogLevelDebug = 2;

/**
 * The core's logger over VS Code's "LLM Manager" log channel. Every line passes through the
 * redactor first, so a key that slipped into an SDK message never reaches the log.
 */
export class OutputLog implements Logger {
  private level: LogLevel = 'info';

  constructor(
    private readonly channel: vscode.LogOutputChannel,
    private readonly redact: (text: string) => string,
  ) {}

  setLevel(level: LogLevel): void {
    this.level = level;
  }

  private enabled(level: LogLevel): boolean {
    return this.level !== 'off' && LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(this.level);
  }

  /**
   * VS Code's own level for the channel (Developer: Set Log Level) defaults to info and would drop
   * debug lines; when `llmManager.logLevel` asks for them, they are written at info, marked.
   */
  trace(message: string): void {
    if (!this.enabled('trace')) return;
    if (this.channel.logLevel <= LogLevelTrace) this.channel.trace(this.redact(message));
    else this.channel.info(`[trace] ${this.redact(message)}`);
  }
  debug(message: string): void {
    if (!this.enabled('debug')) return;
    if (this.channel.logLevel <= LogLevelDebug) this.channel.debug(this.redact(message));
    else this.channel.info(`[debug] ${this.redact(message)}`);
  }
  info(message: string): void {
    if (this.enabled('info')) this.channel.info(this.redact(message));
  }
  warn(message: string): void {
    if (this.enabled('warn')) this.channel.warn(this.redact(message));
  }
  error(message: string): void {
    if (this.enabled('error')) this.channel.error(this.redact(message));
  }
}
