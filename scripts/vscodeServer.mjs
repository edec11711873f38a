// Runs VS Code's server build (code-server) with a throw-away profile and drives its workbench in
// Debian's Chromium through playwright-core: the offline route of ../shared/TESTING.md.
//
//   const server = await startVsCodeServer({ settings: { 'llmManager.x': 1 } });
//   try {
//     const context = await server.newContext();
//     const page = await server.openWorkbench(context, { extensionTestsPath: '…/out/test/integration/index' });
//   } finally {
//     await server.close();   // browser, then the server's process group, then the temp dir
//   }
//
// Every server started here is also torn down on SIGINT/SIGTERM and, synchronously, on exit.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import util from 'node:util';
import { createTestCertificates } from './testCertificates.mjs';
import { CHROMIUM_PATH, ensureVsCodeTools } from './vscodeTools.mjs';

/** The repository root: the extension under development. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Settings that keep an offline server quiet and the workbench predictable (TESTING.md). */
export const QUIET_SETTINGS = Object.freeze({
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'github.gitAuthentication': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
});

/** Chromium flags for a headless, offline, container-friendly browser (TESTING.md). */
export const CHROMIUM_ARGS = Object.freeze([
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
]);

const HEALTH_TIMEOUT_MS = 60_000;
const live = new Set();

/**
 * Starts code-server on a free loopback port with a fresh profile in a temp dir and waits until it
 * answers `/healthz`.
 *
 * @param {object} [options]
 * @param {Record<string, unknown>} [options.settings] User settings merged over {@link QUIET_SETTINGS}.
 * @param {string} [options.workspace] Folder the workbench opens; default: an empty one in the temp dir.
 * @param {Record<string, string>} [options.env] Extra environment for the server and so the extension host.
 * @param {number} [options.port] A fixed loopback port (default: a free one).
 * @param {(line: string) => void} [options.log] Progress lines (default: console.log).
 * @param {string[]} [options.installExtensions] Extension folders to package and install before
 *   start (test fixtures): the server loads only one development extension, this repository.
 * @param {boolean} [options.testCertificates] Make a throw-away CA and server certificate (openssl) and
 *   give the server the CA as its system certificates (SSL_CERT_FILE) and as NODE_EXTRA_CA_CERTS;
 *   the extension host finds the server's key and certificate in LLM_MANAGER_TEST_TLS_KEY / _CERT.
 * @param {boolean} [options.workspaceTrust] Keep VS Code's workspace trust on, so a folder opens in
 *   Restricted Mode until trusted (default false: `--disable-workspace-trust`, every folder trusted).
 * @returns {Promise<VsCodeServer>}
 */
export async function startVsCodeServer(options = {}) {
  const log = options.log ?? ((line) => console.log(line));
  // Also makes sure Chromium is there (installing it when it may; see scripts/systemPackages.mjs).
  const tools = await ensureVsCodeTools({ log });
  const server = new VsCodeServer(tools, options, log);
  live.add(server);
  installSignalHandlers();
  try {
    await server.start();
  } catch (error) {
    await server.close();
    throw error;
  }
  return server;
}

/** One running code-server, its temp dir and the browser driving it. Use {@link startVsCodeServer}. */
export class VsCodeServer {
  /** @private */
  constructor(tools, options, log) {
    this.tools = tools;
    this.log = log;
    /** Absolute temp dir holding the profile, XDG dirs, TMPDIR and (by default) the workspace. */
    this.tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-manager-vscode-'));
    this.userDataDir = path.join(this.tempDir, 'user-data');
    this.extensionsDir = path.join(this.tempDir, 'extensions');
    this.installExtensions = options.installExtensions ?? [];
    this.workspace = path.resolve(options.workspace ?? path.join(this.tempDir, 'workspace'));
    this.settingsFile = path.join(this.userDataDir, 'User', 'settings.json');
    this.env = { ...options.env };
    this.fixedPort = options.port;
    this.workspaceTrust = options.workspaceTrust === true;
    /** The last 2000 lines the server printed (for checks and error messages). */
    this.serverOutput = [];
    /** Lines printed since start (serverOutput keeps only the last ones). */
    this.outputLineCount = 0;
    this.port = 0;
    this.child = undefined;
    this.browser = undefined;
    this.closed = undefined;
    this.savedTmpdir = undefined;
    for (const dir of ['tmp', 'xdg/config', 'xdg/data', 'xdg/cache', 'extensions', 'user-data/User']) {
      fs.mkdirSync(path.join(this.tempDir, dir), { recursive: true });
    }
    fs.mkdirSync(this.workspace, { recursive: true });
    if (options.testCertificates) {
      const tls = createTestCertificates(path.join(this.tempDir, 'tls'));
      this.env = {
        SSL_CERT_FILE: tls.caFile,
        NODE_EXTRA_CA_CERTS: tls.caFile,
        LLM_MANAGER_TEST_TLS_KEY: tls.keyFile,
        LLM_MANAGER_TEST_TLS_CERT: tls.certFile,
        ...this.env,
      };
    }
    this.writeUserSettings(options.settings ?? {});
  }

  /** `http://127.0.0.1:<port>` */
  get origin() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Environment that keeps a child process's files inside the temp dir. */
  isolatedEnv() {
    return {
      XDG_CONFIG_HOME: path.join(this.tempDir, 'xdg/config'),
      XDG_DATA_HOME: path.join(this.tempDir, 'xdg/data'),
      XDG_CACHE_HOME: path.join(this.tempDir, 'xdg/cache'),
      TMPDIR: path.join(this.tempDir, 'tmp'),
    };
  }

  /**
   * Replaces the user settings.json ({@link QUIET_SETTINGS} + `settings`). A running workbench
   * picks the change up within about a second (the server watches the file).
   */
  writeUserSettings(settings) {
    this.callerSettings = { ...settings };
    fs.writeFileSync(this.settingsFile, JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2));
  }

  /** Merges `settings` into the current user settings (see {@link writeUserSettings}). */
  updateUserSettings(settings) {
    this.writeUserSettings({ ...this.callerSettings, ...settings });
  }

  /** @private */
  async start() {
    for (const folder of this.installExtensions) await this.installExtension(folder);
    for (let attempt = 1; ; attempt++) {
      this.port = this.fixedPort ?? (await freePort());
      const started = Date.now();
      try {
        await this.spawnAndWait();
        this.log(`[vscode] server ${this.origin} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return;
      } catch (error) {
        this.killServer();
        // Another process may have taken the port between our probe and the server's bind.
        if (!this.fixedPort && attempt < 3 && /EADDRINUSE/.test(this.serverOutput.join('\n'))) continue;
        throw error;
      }
    }
  }

  /**
   * Packages an extension folder into a VSIX (offline, with vsce) and installs it into this
   * server's extensions dir with code-server's own CLI.
   * @private
   */
  async installExtension(folder) {
    const { createVSIX } = await import('@vscode/vsce');
    const vsix = path.join(this.tempDir, `${path.basename(folder)}.vsix`);
    await createVSIX({
      cwd: folder,
      packagePath: vsix,
      allowMissingRepository: true,
      skipLicense: true,
      dependencies: false,
    });
    const { nodeBin, codeServerEntry } = this.tools;
    const result = spawnSync(
      nodeBin,
      [
        codeServerEntry,
        '--user-data-dir',
        this.userDataDir,
        '--extensions-dir',
        this.extensionsDir,
        '--install-extension',
        vsix,
      ],
      {
        cwd: this.tempDir,
        env: { ...process.env, ...this.isolatedEnv() },
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    if (result.status !== 0) {
      throw new Error(
        `Installing ${path.relative(REPO_ROOT, folder)} into the test server failed:\n${result.stdout}\n${result.stderr}`,
      );
    }
  }

  /** @private */
  spawnAndWait() {
    const { nodeBin, codeServerEntry } = this.tools;
    const args = [
      codeServerEntry,
      '--bind-addr',
      `127.0.0.1:${this.port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      ...(this.workspaceTrust ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      '--user-data-dir',
      this.userDataDir,
      '--extensions-dir',
      this.extensionsDir,
      // Without this the workbench silently ignores the test payload.
      '--vscode-option',
      'enable-smoke-test-driver',
      this.workspace,
    ];
    this.serverOutput = [];
    this.outputLineCount = 0;
    const child = spawn(nodeBin, args, {
      cwd: this.tempDir,
      // Its own process group, so one kill ends the server, the extension host and its helpers.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...this.isolatedEnv(), ...this.env },
    });
    this.child = child;
    const keep = (chunk) => {
      for (const line of String(chunk).split('\n')) {
        if (!line.trim()) continue;
        this.serverOutput.push(line);
        this.outputLineCount++;
      }
      if (this.serverOutput.length > 2000) this.serverOutput.splice(0, this.serverOutput.length - 2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });

    return (async () => {
      const deadline = Date.now() + HEALTH_TIMEOUT_MS;
      for (;;) {
        const outcome = await Promise.race([
          exited.then((exit) => ({ exit })),
          healthy(`${this.origin}/healthz`).then((ok) => ({ ok })),
        ]);
        if (outcome.exit) {
          throw new Error(
            `code-server exited early (${outcome.exit.signal ?? outcome.exit.code}). Its output:\n${this.tailOutput()}`,
          );
        }
        if (outcome.ok) return;
        if (Date.now() > deadline) {
          throw new Error(
            `code-server did not answer /healthz within ${HEALTH_TIMEOUT_MS / 1000} s. Its output:\n${this.tailOutput()}`,
          );
        }
        await delay(200);
      }
    })();
  }

  /**
   * Waits until the server prints a line matching `pattern` after line number `since` (a value of
   * {@link outputLineCount} taken earlier) and returns that line.
   */
  async waitForOutput(pattern, { since = 0, timeout = 30_000 } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const firstKept = this.outputLineCount - this.serverOutput.length;
      const fresh = this.serverOutput.slice(Math.max(0, since - firstKept));
      const line = fresh.find((candidate) => pattern.test(candidate));
      if (line !== undefined) return line;
      if (Date.now() > deadline) {
        throw new Error(
          `code-server did not print ${pattern} within ${timeout / 1000} s. Its output:\n${this.tailOutput()}`,
        );
      }
      await delay(100);
    }
  }

  /** The server's last output lines, indented, for error messages. */
  tailOutput(lines = 40) {
    return (
      this.serverOutput
        .slice(-lines)
        .map((line) => `    ${line}`)
        .join('\n') || '    (nothing)'
    );
  }

  /**
   * The folder an extension's `context.globalStorageUri` points at on this server. Every window of
   * the server (every page, each with its own extension host) shares it: files there are how
   * windows share state (see the README's "Several windows").
   */
  globalStorageFolder(extensionId) {
    return path.join(this.userDataDir, 'User', 'globalStorage', extensionId.toLowerCase());
  }

  /** `vscode-remote://127.0.0.1:<port>/abs/path`: how the workbench names a file on the server. */
  remoteUri(absolutePath) {
    const posix = path.resolve(absolutePath).split(path.sep).map(encodeURIComponent).join('/');
    return `vscode-remote://127.0.0.1:${this.port}${posix}`;
  }

  /**
   * The workbench URL with a test payload.
   *
   * @param {object} [options]
   * @param {string} [options.extensionDevelopmentPath] Extension to load (default: this repository).
   * @param {string} [options.extensionTestsPath] Absolute path of a module exporting `run(): Promise<void>`;
   *   when set, the workbench runs it in the extension host and then calls `codeAutomationExit`.
   * @param {Record<string, string>} [options.extensionEnvironment] Reaches the extension host's `process.env`.
   * @param {string} [options.folder] Folder to open (default: the server's workspace).
   */
  workbenchUrl(options = {}) {
    const payload = [
      ['extensionDevelopmentPath', this.remoteUri(options.extensionDevelopmentPath ?? REPO_ROOT)],
    ];
    if (options.extensionTestsPath)
      payload.push(['extensionTestsPath', this.remoteUri(options.extensionTestsPath)]);
    if (options.extensionEnvironment)
      payload.push(['extensionEnvironment', JSON.stringify(options.extensionEnvironment)]);
    payload.push(['skipWelcome', 'true']);
    const folder = encodeURIComponent(path.resolve(options.folder ?? this.workspace)).replace(/%2F/g, '/');
    return `${this.origin}/?folder=${folder}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  }

  /**
   * Launches Chromium once per server (later calls return the same browser). Playwright's own
   * temp files go into the server's temp dir, like everything else.
   */
  async launchBrowser() {
    if (this.browser) return this.browser;
    // Playwright puts its profile and artifacts under os.tmpdir() of this process.
    this.savedTmpdir = process.env.TMPDIR;
    process.env.TMPDIR = this.isolatedEnv().TMPDIR;
    const { chromium } = await import('playwright-core');
    this.browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      // One cleanup of our own (this module's signal handlers) instead of Playwright's.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      env: { ...process.env, ...this.isolatedEnv() },
      args: [...CHROMIUM_ARGS],
    });
    return this.browser;
  }

  /**
   * A new browser context: a fresh browser profile, so the extension's globalState and secrets
   * start empty. Reuse one context (and page) to see state survive a window reload.
   */
  async newContext(options = {}) {
    const browser = await this.launchBrowser();
    return browser.newContext({ viewport: { width: 1400, height: 900 }, ...options });
  }

  /**
   * Opens (or, given `options.page`, reloads into) the workbench with a payload and waits until it
   * is on screen and its extension host process has started (extensions may still be activating).
   *
   * @param {import('playwright-core').BrowserContext} context
   * @param {object} [options] Those of {@link workbenchUrl}, plus:
   * @param {import('playwright-core').Page} [options.page] Navigate this page instead of a new one: a window reload.
   * @param {(line: string) => void} [options.onConsole] Each browser console message, formatted (the
   *   extension host's console arrives here too).
   * @param {(code: number) => void} [options.onExit] Called when the test payload finishes (0 = passed).
   * @returns {Promise<import('playwright-core').Page>}
   */
  async openWorkbench(context, options = {}) {
    const page = options.page ?? (await context.newPage());
    page.__llmManagerHooks = { onConsole: options.onConsole, onExit: options.onExit };
    if (!page.__llmManagerWired) {
      page.__llmManagerWired = true;
      await page.exposeFunction('codeAutomationExit', (code) =>
        page.__llmManagerHooks.onExit?.(Number(code)),
      );
      // Formatting is async; chain it so lines keep their order.
      let queue = Promise.resolve();
      page.on('console', (message) => {
        queue = queue.then(async () => {
          const onConsole = page.__llmManagerHooks.onConsole;
          if (onConsole) onConsole(await formatConsoleMessage(message));
        });
      });
    }
    const mark = this.outputLineCount;
    await page.goto(this.workbenchUrl(options), { waitUntil: 'domcontentloaded' });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    // The workbench draws before its extension host runs; wait for that too.
    await this.waitForOutput(/Launched Extension Host Process/, { since: mark, timeout: 60_000 });
    return page;
  }

  /**
   * Stops everything this server started, in order: the browser, the server's process group, the
   * temp dir. Safe to call more than once and from a signal handler.
   */
  close() {
    this.closed ??= (async () => {
      if (this.browser) {
        await withTimeout(this.browser.close(), 10_000).catch(() => {});
        this.browser = undefined;
      }
      if (this.savedTmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = this.savedTmpdir;
      await this.stopServer();
      this.removeTempDir();
      live.delete(this);
    })();
    return this.closed;
  }

  /** @private SIGTERM to the group, SIGKILL after 5 s. */
  async stopServer() {
    const child = this.child;
    if (!child) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    this.killServer('SIGTERM');
    if (
      !(await withTimeout(exited, 5_000).then(
        () => true,
        () => false,
      ))
    ) {
      this.killServer('SIGKILL');
      await withTimeout(exited, 5_000).catch(() => {});
    }
    // The extension host and its helpers share the group; make sure none outlives the server.
    this.killServer('SIGKILL', child.pid);
  }

  /** @private */
  killServer(signal = 'SIGKILL', pid = this.child?.pid) {
    if (!pid) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  }

  /** @private */
  removeTempDir() {
    try {
      fs.rmSync(this.tempDir, { recursive: true, force: true, maxRetries: 3 });
    } catch (error) {
      console.error(`[vscode] could not remove ${this.tempDir}: ${error.message}`);
    }
  }
}

/**
 * Formats a browser console message as the console would show it. The workbench (and the extension
 * host, relayed through it) logs `('%c INFO', 'color: …', format, ...args)`: the line is `format`
 * applied to the rest.
 */
export async function formatConsoleMessage(message) {
  const values = await Promise.all(message.args().map((arg) => arg.jsonValue().catch(() => String(arg))));
  if (values.length === 0) return message.text();
  if (typeof values[0] === 'string' && values[0].startsWith('%c') && values.length >= 3) {
    return util.format(...values.slice(2));
  }
  return util.format(...values);
}

/**
 * Runs `body(server)` against a fresh server and always closes it; returns body's result.
 * Convenience for scripts that need one server for one job.
 */
export async function withVsCodeServer(options, body) {
  const server = await startVsCodeServer(options);
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}

const extraCleanups = new Set();

/**
 * Runs `cleanup` (may be async) when a signal stops the process, before it exits, alongside the
 * servers' own teardown: for things a script starts next to the server (the demo's upstream).
 * Returns a function that unregisters it.
 */
export function onSignalCleanup(cleanup) {
  extraCleanups.add(cleanup);
  installSignalHandlers();
  return () => extraCleanups.delete(cleanup);
}

function installSignalHandlers() {
  if (installSignalHandlers.done) return;
  installSignalHandlers.done = true;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ]) {
    process.once(signal, () => {
      console.error(`\n[vscode] ${signal}: stopping the browser and the server …`);
      const work = [...live].map((server) => server.close());
      for (const cleanup of extraCleanups) work.push(Promise.resolve().then(cleanup));
      Promise.allSettled(work).finally(() => process.exit(code));
    });
  }
  // Last resort (an uncaught error, process.exit elsewhere): synchronous cleanup only.
  process.on('exit', () => {
    for (const server of live) {
      server.killServer('SIGKILL');
      server.removeTempDir();
    }
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function healthy(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout(promise, ms) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
