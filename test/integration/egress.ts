/**
 * Records every outbound connection the extension host opens while the suite runs, through
 * Node's diagnostics channels: `net.client.socket` (every TCP client socket, whoever opens it:
 * our SDKs, VS Code's patched fetch, test code) and the request-level channels of undici (fetch)
 * and `http` (the host and port a request is for, which differs from the socket's peer when a
 * proxy relays it). At the end, egressCheck.ts fails on any endpoint nobody configured.
 *
 * Configured means: a base URL in the user's `llmManager.models` (or the vendor default it falls
 * back to), `http.proxy` / the proxy environment variables, a server a test registered with
 * {@link allowEgress}, and the VS Code server itself (LLM_MANAGER_TEST_VSCODE_SERVER, infrastructure).
 * A workspace's `.vscode/settings.json` configures nothing.
 */

import * as diagnostics from 'node:diagnostics_channel';
import type * as http from 'node:http';
import type * as net from 'node:net';
import * as vscode from 'vscode';
import { PRESETS } from '../../src/providers/presets';

type Seen = { tcp: number; request: number };

const seen = new Map<string, Seen>();
const allowed = new Map<string, string>();
let started = false;

/** `host:port`, lower-case, IPv6 without brackets, default port filled in. */
export function endpointKey(url: string): string {
  const parsed = new URL(url.includes('://') ? url : `http://${url}`);
  const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
  return `${parsed.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase()}:${port}`;
}

function note(target: string, kind: keyof Seen): void {
  const entry = seen.get(target) ?? { tcp: 0, request: 0 };
  entry[kind]++;
  seen.set(target, entry);
}

/** Declares an endpoint a test started or configured (a loopback server, a proxy). */
export function allowEgress(url: string, why: string): void {
  const key = endpointKey(url);
  if (!allowed.has(key)) allowed.set(key, why);
}

/** Starts recording (once per extension host): called when the suite's entry loads. */
export function startEgressRecording(): void {
  if (started) return;
  started = true;
  diagnostics.subscribe('net.client.socket', (message) => {
    const socket = (message as { socket: net.Socket }).socket;
    let noted = false;
    socket.on('connectionAttempt', (ip: string, port: number) => {
      noted = true;
      note(endpointKey(`${ip.includes(':') ? `[${ip}]` : ip}:${port}`), 'tcp');
    });
    socket.once('connect', () => {
      if (noted) return;
      noted = true;
      note(
        socket.remoteAddress
          ? endpointKey(
              `${socket.remoteAddress.includes(':') ? `[${socket.remoteAddress}]` : socket.remoteAddress}:${socket.remotePort}`,
            )
          : 'local socket (pipe)',
        'tcp',
      );
    });
  });
  diagnostics.subscribe('undici:client:beforeConnect', (message) => {
    const { protocol, hostname, port } = (
      message as { connectParams: { protocol: string; hostname: string; port: string } }
    ).connectParams;
    note(
      endpointKey(
        `${protocol}//${hostname.includes(':') ? `[${hostname}]` : hostname}${port ? `:${port}` : ''}`,
      ),
      'request',
    );
  });
  diagnostics.subscribe('http.client.request.start', (message) => {
    const request = (message as { request: http.ClientRequest }).request;
    const host = String(request.getHeader('host') ?? request.host);
    note(endpointKey(`${request.protocol}//${host}`), 'request');
  });
  const readConfiguration = () => {
    const models = vscode.workspace.getConfiguration('llmManager').inspect<unknown[]>('models')?.globalValue;
    for (const model of Array.isArray(models) ? models : []) {
      const endpoint = configuredEndpoint(model as Record<string, unknown>);
      if (endpoint) allowEgress(endpoint, 'a model in the user settings');
    }
    const proxy = vscode.workspace.getConfiguration('http').get<string>('proxy');
    if (proxy) allowEgress(proxy, 'http.proxy');
  };
  readConfiguration();
  vscode.workspace.onDidChangeConfiguration(readConfiguration);
  for (const name of ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY']) {
    const proxy = process.env[name];
    if (proxy) allowEgress(proxy, name);
  }
  // The driver names the VS Code server it started (infrastructure, not the extension's egress).
  const server = process.env.LLM_MANAGER_TEST_VSCODE_SERVER;
  if (server) allowEgress(server, 'the VS Code server (infrastructure)');
}

function configuredEndpoint(model: Record<string, unknown>): string | undefined {
  if (typeof model.baseUrl === 'string' && model.baseUrl) return model.baseUrl;
  if (model.provider === 'openai') return 'https://api.openai.com';
  if (model.provider === 'anthropic') return 'https://api.anthropic.com';
  const preset = Object.values(PRESETS).find(
    (p) => typeof model.preset === 'string' && p.id.toLowerCase() === model.preset.toLowerCase(),
  );
  return preset?.baseUrl;
}

/** Every endpoint seen, with what allowed it (or undefined), sorted. */
export function egressReport(): Array<{ target: string; tcp: number; request: number; allowedAs?: string }> {
  return [...seen.entries()]
    .map(([target, counts]) => ({ target, ...counts, allowedAs: allowed.get(target) }))
    .sort((a, b) => a.target.localeCompare(b.target));
}
