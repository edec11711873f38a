import * as vscode from 'vscode';
import type { Logger } from '../core';
import { LOG_LEVELS, type LogLevel } from './settings';

type ChannelLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/**
 * The extension's only log: VS Code's "LLM Manager" log channel, created here and never handed
 * out, so every line passes through {@link OutputLog.write} and its redactor (a key that slipped
 * into an SDK message never reaches the log). A lint rule forbids `createOutputChannel` anywhere
 * else; the rest of the extension gets this object as the core's {@link Logger}.
 */
export class OutputLog implements Logger, vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('LLM Manager', { log: true });
  private level: LogLevel = 'info';

  constructor(private readonly redact: (text: string) => string) {}

  setLevel(level: LogLevel): void {
    this.level = level;
  }

  trace(message: string): void {
    this.write('trace', message);
  }
  debug(message: string): void {
    this.write('debug', message);
  }
  info(message: string): void {
    this.write('info', message);
  }
  warn(message: string): void {
    this.write('warn', message);
  }
  error(message: string): void {
    this.write('error', message);
  }

  /** Shows the channel (Show Log). */
  show(): void {
    this.channel.show();
  }

  dispose(): void {
    this.channel.dispose();
  }

  /**
   * The one way to the channel. VS Code's own level for the channel (Developer: Set Log Level)
   * defaults to info and would drop trace and debug lines; when `llmManager.logLevel` asks for
   * them, they are written at info, marked.
   */
  private write(level: ChannelLevel, message: string): void {
    if (this.level === 'off' || LOG_LEVELS.indexOf(level) > LOG_LEVELS.indexOf(this.level)) return;
    const line = this.redact(message);
    if ((level === 'trace' || level === 'debug') && this.channel.logLevel > CHANNEL_LEVEL[level]) {
      this.channel.info(`[${level}] ${line}`);
      return;
    }
    this.channel[level](line);
  }
}

const CHANNEL_LEVEL = { trace: vscode.LogLevel.Trace, debug: vscode.LogLevel.Debug } as const;
