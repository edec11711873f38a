// Runs a Node script, or a bin of node_modules/.bin, on a Node new enough for this project:
//   node scripts/runOnToolsNode.mjs mocha [mocha args…]
//   node scripts/runOnToolsNode.mjs --expose-gc out/bench/providers.bench.js
// "New enough" means the extension host's Node line (VS Code 1.104+ runs extensions on Node 22)
// and every dependency's own `engines.node` (openai 7 says >=22.0.0). The system Node is used
// when it is enough; otherwise the Node 24 that scripts/vscodeTools.mjs keeps in the tools cache
// (installed in seconds if missing; code-server is not needed for this). One line on stderr says
// which Node runs and why, and the child's exit code becomes ours.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ToolsError } from './toolsError.mjs';
import { TOOL_VERSIONS, ensureToolsNode } from './vscodeTools.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The extension host's Node major: VS Code 1.104 (our `engines.vscode` floor) runs Node 22. */
export const EXTENSION_HOST_NODE_MAJOR = 22;

/**
 * The Node versions this project's dependencies ask for: `{ name, range }` from the `engines.node`
 * of every package in package.json's dependencies and devDependencies (installed ones only).
 */
export function dependencyNodeRanges(root = REPO_ROOT) {
  const manifest = readJson(path.join(root, 'package.json'));
  const names = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies });
  return names.flatMap((name) => {
    const file = path.join(root, 'node_modules', name, 'package.json');
    const range = fs.existsSync(file) ? readJson(file).engines?.node : undefined;
    return typeof range === 'string' ? [{ name, range }] : [];
  });
}

/**
 * Which Node to run on: the system's when it is enough, else the tools' Node, else an error.
 *
 * @param {object} facts
 * @param {string} facts.systemVersion e.g. `20.20.2`
 * @param {string} facts.toolsVersion e.g. `24.21.0`
 * @param {{ name: string, range: string }[]} facts.ranges From {@link dependencyNodeRanges}.
 * @param {(version: string, range: string) => boolean} facts.satisfies semver's.
 * @param {number} [facts.minimumMajor] Default {@link EXTENSION_HOST_NODE_MAJOR}.
 * @returns {{ use: 'system' | 'tools', reason: string } | { use: 'none', reason: string }}
 */
export function chooseNode({
  systemVersion,
  toolsVersion,
  ranges,
  satisfies,
  minimumMajor = EXTENSION_HOST_NODE_MAJOR,
}) {
  const shortfalls = (version) => [
    ...(Number(version.split('.')[0]) < minimumMajor
      ? [`the extension host runs Node ${minimumMajor}+`]
      : []),
    ...ranges
      .filter(({ range }) => !satisfies(version, range))
      .map(({ name, range }) => `${name} needs Node ${range}`),
  ];
  const system = shortfalls(systemVersion);
  if (system.length === 0) return { use: 'system', reason: 'it meets every requirement' };
  const tools = shortfalls(toolsVersion);
  if (tools.length === 0) {
    return { use: 'tools', reason: `the system Node ${systemVersion} is too old: ${system.join('; ')}` };
  }
  return {
    use: 'none',
    reason:
      `neither the system Node ${systemVersion} (${system.join('; ')}) nor the tools' Node ${toolsVersion} ` +
      `(${tools.join('; ')}) is enough: update TOOL_VERSIONS.node in scripts/vscodeTools.mjs`,
  };
}

/**
 * Splits `[node options…] target [args…]` and resolves the target: an existing file, or the name
 * of a bin in node_modules/.bin (its script, so it runs on the chosen Node rather than its shebang's).
 */
export function resolveCommand(argv, root = REPO_ROOT) {
  const at = argv.findIndex((arg) => !arg.startsWith('-'));
  if (at < 0)
    throw new ToolsError('Usage: node scripts/runOnToolsNode.mjs [node options] <script | bin> [args]');
  const target = argv[at];
  const asFile = path.resolve(root, target);
  const asBin = path.join(root, 'node_modules', '.bin', target);
  const script = fs.existsSync(asFile) ? asFile : fs.existsSync(asBin) ? fs.realpathSync(asBin) : undefined;
  if (!script) {
    throw new ToolsError(`${target} is neither a file nor a bin in node_modules/.bin (run npm ci first?)`);
  }
  return { nodeOptions: argv.slice(0, at), name: target, script, args: argv.slice(at + 1) };
}

/** semver's `satisfies`, through @vscode/vsce (a devDependency that depends on semver). */
function semverSatisfies() {
  const fromVsce = createRequire(path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'package.json'));
  const semver = fromVsce('semver');
  return (version, range) => semver.satisfies(version, range, { includePrerelease: true });
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

async function main() {
  const command = resolveCommand(process.argv.slice(2));
  const choice = chooseNode({
    systemVersion: process.versions.node,
    toolsVersion: TOOL_VERSIONS.node,
    ranges: dependencyNodeRanges(),
    satisfies: semverSatisfies(),
  });
  if (choice.use === 'none') throw new ToolsError(choice.reason);
  const log = (line) => console.error(line);
  const nodeBin = choice.use === 'system' ? process.execPath : (await ensureToolsNode({ log })).nodeBin;
  const version = choice.use === 'system' ? process.versions.node : TOOL_VERSIONS.node;
  console.error(
    `[node] ${command.name} on Node ${version} (${choice.use === 'system' ? 'system' : 'tools cache'}: ${choice.reason})`,
  );
  const child = spawn(nodeBin, [...command.nodeOptions, command.script, ...command.args], {
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => {
    child.on('error', (error) => {
      console.error(`[node] could not start ${nodeBin}: ${error.message}`);
      resolve(1);
    });
    // A child ended by a signal exits as a shell reports it: 128 + the signal's number.
    child.on('exit', (code, signal) => resolve(code ?? 128 + (os.constants.signals[signal] ?? 0)));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof ToolsError ? `[node] ${error.message}` : error);
      process.exit(1);
    },
  );
}
