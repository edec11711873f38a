// The Debian/Ubuntu packages the VS Code test route needs, found missing and installed by `npm test`
// itself when it may: as root, or with password-less sudo (`sudo -n true`). Otherwise it prints the
// one command to run and stops. Set LLM_MANAGER_NO_APT=1 to never install (only the instruction).
//
// What is needed and why (see test/README.md for what was measured):
//   chromium          the browser the VS Code workbench runs in; the extension host starts only
//                     when a workbench connects, so even the API-only integration suite needs it.
//   openssl           makes the throw-away certificate authority of the HTTPS tests.
//   make, g++, python3  node-gyp compiles code-server's native modules (spdlog, sqlite3, node-pty,
//                     …) for Node 24; needed only while code-server is being installed.
// Not needed: libkrb5-dev (code-server's `kerberos` module is built when its headers exist and
// skipped otherwise, see scripts/vscodeTools.mjs) and fonts-liberation (the workbench renders in
// DejaVu Sans, which Chromium's fontconfig dependency always brings; screenshots are identical).
//
// The decisions are pure functions (`missingRequirements`, `planSystemInstall`), tested in
// test/unit/scripts/; `ensureSystemPackages` gathers the facts and runs the plan.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { outputTail, runWithProgress } from './progress.mjs';
import { ToolsError } from './toolsError.mjs';

/** Where Chromium is expected: $LLM_MANAGER_CHROMIUM, else Debian's package's path. */
export function chromiumPath(env = process.env) {
  return env.LLM_MANAGER_CHROMIUM || '/usr/bin/chromium';
}

const BUILD_WHY = "node-gyp compiles code-server's native modules (spdlog, sqlite3, node-pty, …) for Node 24";

/**
 * What the VS Code route needs from the system. `need` says when: `vscode` for every VS Code
 * suite, `build` only while code-server is being installed. A requirement is met when its
 * `command` is on PATH (or, for the browser, Chromium's path is executable).
 */
export const SYSTEM_REQUIREMENTS = Object.freeze([
  Object.freeze({
    name: 'Chromium',
    browser: true,
    aptPackage: 'chromium',
    need: 'vscode',
    why: 'the browser the VS Code workbench (and so the extension host) runs in',
  }),
  Object.freeze({
    name: 'openssl',
    command: 'openssl',
    aptPackage: 'openssl',
    need: 'vscode',
    why: 'makes the throw-away certificate authority of the HTTPS tests (scripts/testCertificates.mjs)',
  }),
  Object.freeze({ name: 'make', command: 'make', aptPackage: 'make', need: 'build', why: BUILD_WHY }),
  Object.freeze({ name: 'g++', command: 'g++', aptPackage: 'g++', need: 'build', why: BUILD_WHY }),
  Object.freeze({
    name: 'python3',
    command: 'python3',
    aptPackage: 'python3',
    need: 'build',
    why: 'node-gyp runs on Python',
  }),
]);

/** The requirements among `requirements` wanted for `needs` that `isMet` says are not met. */
export function missingRequirements(requirements, needs, isMet) {
  return requirements.filter((requirement) => needs.includes(requirement.need) && !isMet(requirement));
}

/**
 * What to do about missing requirements, from the facts of this machine.
 *
 * @param {object} facts
 * @param {readonly object[]} facts.missing From {@link missingRequirements}.
 * @param {number} facts.uid The user's id (`id -u`).
 * @param {boolean} facts.sudoWorks `sudo -n true` succeeded (password-less sudo).
 * @param {boolean} facts.aptGetFound apt-get is on PATH (a Debian or Ubuntu system).
 * @param {boolean} [facts.optedOut] LLM_MANAGER_NO_APT is set: never install.
 * @returns {{ action: 'none' }
 *   | { action: 'install', packages: string[], via: 'root' | 'sudo', commands: string[][] }
 *   | { action: 'instruct', packages: string[], reason: string, command?: string }}
 */
export function planSystemInstall({ missing, uid, sudoWorks, aptGetFound, optedOut = false }) {
  if (missing.length === 0) return { action: 'none' };
  const packages = [...new Set(missing.map((requirement) => requirement.aptPackage))];
  if (!aptGetFound) {
    return {
      action: 'instruct',
      packages,
      reason: 'this is not a Debian or Ubuntu system (no apt-get on PATH), so install them yourself',
    };
  }
  const sudo = uid === 0 ? '' : 'sudo ';
  const command = `${sudo}apt-get update && ${sudo}apt-get install -y ${packages.join(' ')}`;
  if (optedOut) return { action: 'instruct', packages, command, reason: 'LLM_MANAGER_NO_APT is set' };
  if (uid !== 0 && !sudoWorks) {
    return {
      action: 'instruct',
      packages,
      command,
      reason: 'installing needs root, and sudo asks for a password (`sudo -n true` failed)',
    };
  }
  // sudo resets the environment; VAR=value before the command sets it for apt-get.
  const asRoot = uid === 0 ? [] : ['sudo', '-n', 'DEBIAN_FRONTEND=noninteractive'];
  const quiet = ['-q', '-o', 'Dpkg::Use-Pty=0'];
  return {
    action: 'install',
    packages,
    via: uid === 0 ? 'root' : 'sudo',
    commands: [
      [...asRoot, 'apt-get', 'update', ...quiet],
      [...asRoot, 'apt-get', 'install', '-y', ...quiet, ...packages],
    ],
  };
}

/** One line per missing requirement: `g++ (package g++): why`. */
export function describeMissing(missing) {
  return missing
    .map((requirement) => `  ${requirement.name} (package ${requirement.aptPackage}): ${requirement.why}`)
    .join('\n');
}

/** The message of an `instruct` plan: what is missing, why it cannot be installed here, the command. */
export function instructionMessage(plan, missing) {
  const fix = plan.command
    ? `Run this once, then npm test again:\n    ${plan.command}`
    : `Install: ${plan.packages.join(', ')} (Debian/Ubuntu package names).`;
  return (
    `These system packages are missing:\n${describeMissing(missing)}\n` +
    `npm test installs them itself when it runs as root or with password-less sudo; here it does not: ${plan.reason}.\n` +
    fix
  );
}

/** True when `name` is an executable file in one of env.PATH's folders. */
export function findOnPath(name, env = process.env) {
  return (env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .some((folder) => isExecutable(path.join(folder, name)));
}

/** True when `file` exists and may be executed. */
export function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function requirementIsMet(requirement, env, chromium) {
  return requirement.browser ? isExecutable(chromium) : findOnPath(requirement.command, env);
}

/**
 * Makes sure the requirements for `needs` are met: checks (milliseconds), and installs what is
 * missing with apt-get when allowed, printing what and why and a progress line; each apt-get step
 * is retried once. Throws a {@link ToolsError} with the one command to run when it may not install,
 * or naming the step that failed.
 *
 * @param {object} options
 * @param {Array<'vscode' | 'build'>} options.needs
 * @param {(line: string) => void} [options.log]
 * @param {Record<string, string | undefined>} [options.env] The environment (PATH, LLM_MANAGER_*).
 * @param {readonly object[]} [options.requirements] Default {@link SYSTEM_REQUIREMENTS}.
 * @param {string} [options.chromium] Where Chromium must be; default {@link chromiumPath}.
 * @param {number} [options.progressIntervalMs] How often progress is printed (see runWithProgress).
 * @returns {Promise<{ installed: string[] }>} The apt packages it installed.
 */
export async function ensureSystemPackages(options) {
  const { needs, log = (line) => console.log(line), env = process.env } = options;
  const requirements = options.requirements ?? SYSTEM_REQUIREMENTS;
  const chromium = options.chromium ?? chromiumPath(env);
  const isMet = (requirement) => requirementIsMet(requirement, env, chromium);
  const missing = missingRequirements(requirements, needs, isMet);
  if (missing.length === 0) return { installed: [] };
  if (env.LLM_MANAGER_CHROMIUM && missing.some((requirement) => requirement.browser)) {
    throw new ToolsError(
      `LLM_MANAGER_CHROMIUM is ${env.LLM_MANAGER_CHROMIUM}, which is not an executable file; ` +
        "point it at a Chromium binary, or unset it to use Debian's chromium package (/usr/bin/chromium).",
    );
  }
  const uid = currentUid(env);
  const plan = planSystemInstall({
    missing,
    uid,
    sudoWorks: uid !== 0 && spawnSync('sudo', ['-n', 'true'], { env, stdio: 'ignore' }).status === 0,
    aptGetFound: findOnPath('apt-get', env),
    optedOut: Boolean(env.LLM_MANAGER_NO_APT),
  });
  if (plan.action === 'instruct') throw new ToolsError(instructionMessage(plan, missing));

  const started = Date.now();
  log(
    `[system] installing ${plan.packages.join(' ')} with apt-get (${plan.via === 'root' ? 'as root' : 'through password-less sudo'}); missing:\n${describeMissing(missing)}`,
  );
  for (const argv of plan.commands) {
    const label = `[system] ${argv.slice(argv.indexOf('apt-get'), argv.indexOf('apt-get') + 2).join(' ')}`;
    await runAptWithRetry(argv, { label, env, log, intervalMs: options.progressIntervalMs });
  }
  const stillMissing = missingRequirements(requirements, needs, isMet);
  if (stillMissing.length > 0) {
    throw new ToolsError(
      `apt-get installed ${plan.packages.join(' ')}, but these are still not found:\n${describeMissing(stillMissing)}\n` +
        `(Chromium is looked for at ${chromium}; commands on PATH.)`,
    );
  }
  log(`[system] installed ${plan.packages.join(' ')} in ${Math.round((Date.now() - started) / 1000)} s`);
  return { installed: plan.packages };
}

async function runAptWithRetry(argv, { label, env, log, intervalMs }) {
  const commandEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  for (let attempt = 1; attempt <= 2; attempt++) {
    if (attempt > 1) log(`${label}: retrying once …`);
    const result = await runWithProgress(argv[0], argv.slice(1), {
      label,
      tracker: 'apt',
      env: commandEnv,
      log,
      intervalMs,
    });
    if (result.code === 0) {
      log(`${label} done in ${Math.round(result.seconds)} s`);
      return;
    }
    const why = `\`${argv.join(' ')}\` exited with ${result.signal ?? result.code} after ${Math.round(result.seconds)} s`;
    log(`${label} failed: ${why}\n${outputTail(result.output, 25)}`);
    if (attempt === 2) {
      throw new ToolsError(
        `Installing the system packages failed (tried twice): ${why}. Its last lines are above ` +
          "(Debian's apt repositories must be reachable; another apt-get may hold the lock).",
      );
    }
  }
}

function currentUid(env) {
  const result = spawnSync('id', ['-u'], { env, encoding: 'utf8' });
  const uid = Number(result.stdout?.trim());
  return result.status === 0 && Number.isInteger(uid) ? uid : (process.getuid?.() ?? -1);
}
