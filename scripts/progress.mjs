// Runs a long install command (apt-get, npm) with its output captured, and prints a progress line
// instead of minutes of silence: elapsed time and the steps the command's own output reports
// (packages fetched, unpacked, set up; native files compiled; the package whose script runs).
// On a terminal the line is rewritten in place every second; in a log (or with CI set) a new line
// appears every 15 s. The full output is kept (its tail) for the error message when the command fails.
import { spawn } from 'node:child_process';

/**
 * Reads apt-get's output. `state` is updated in place; {@link describeAptProgress} words it.
 * @param {{ total?: number, fetched: number, unpacked: number, setUp: number, current?: string }} state
 * @param {string} line
 */
export function trackAptLine(state, line) {
  let match;
  if ((match = /(\d+) newly installed/.exec(line))) state.total = Number(match[1]);
  else if (/^Get:\d+ /.test(line)) state.fetched++;
  else if ((match = /^Unpacking (\S+)/.exec(line))) {
    state.unpacked++;
    state.current = `unpacking ${match[1]}`;
  } else if ((match = /^Setting up (\S+)/.exec(line))) {
    state.setUp++;
    state.current = `setting up ${match[1]}`;
  }
}

/** @returns {string} e.g. `12 of 40 packages set up · setting up chromium` */
export function describeAptProgress(state) {
  const of = state.total ? ` of ${state.total}` : '';
  const counts = state.setUp
    ? `${state.setUp}${of} packages set up`
    : state.unpacked
      ? `${state.unpacked}${of} packages unpacked`
      : `${state.fetched}${of} packages downloaded`;
  return state.current ? `${counts} · ${state.current}` : counts;
}

/**
 * Reads npm's output at `--loglevel=http` with `--foreground-scripts`: each tarball fetched (from
 * the registry or npm's cache) is a package, `> name@version install` names the script that runs, and node-gyp's
 * `CXX(target)` / `CC(target)` lines are files compiled.
 * @param {{ fetched: number, compiled: number, current?: string }} state
 * @param {string} line
 */
export function trackNpmLine(state, line) {
  let match;
  // A tarball from the registry (`http fetch GET 200 …tgz`) or from npm's cache (`http cache …tgz`).
  if (/\bhttp (?:fetch GET 200|cache) \S+\.tgz\b/.test(line)) state.fetched++;
  else if (/^\s*(CXX|CC)\(target\) /.test(line)) state.compiled++;
  else if ((match = /^> (\S+)@\S+ (preinstall|install|postinstall)$/.exec(line.trim()))) {
    state.current = `${match[2]} script of ${match[1]}`;
  }
}

/** @returns {string} e.g. `612 packages fetched · 85 files compiled · install script of @vscode/spdlog` */
export function describeNpmProgress(state) {
  const parts = [`${state.fetched} packages fetched`];
  if (state.compiled) parts.push(`${state.compiled} files compiled`);
  if (state.current) parts.push(state.current);
  return parts.join(' · ');
}

/** The trackers by name, with a fresh state each. */
export const TRACKERS = Object.freeze({
  apt: () => ({
    state: { fetched: 0, unpacked: 0, setUp: 0 },
    track: trackAptLine,
    describe: describeAptProgress,
  }),
  npm: () => ({ state: { fetched: 0, compiled: 0 }, track: trackNpmLine, describe: describeNpmProgress }),
});

/** `[label] 85 s · what the tracker says`: one progress line. */
export function formatProgressLine(label, seconds, detail) {
  return `${label} ${Math.round(seconds)} s · ${detail}`;
}

/**
 * Runs `command args` and resolves with `{ code, signal, output, seconds }` (never rejects: a
 * command that cannot start resolves with code 1 and the reason as its output).
 *
 * @param {string} command
 * @param {string[]} args
 * @param {object} options
 * @param {string} options.label Prefix of the progress lines, e.g. `[tools] code-server`.
 * @param {'apt' | 'npm'} options.tracker Which output reader words the progress.
 * @param {Record<string, string | undefined>} [options.env] The whole environment of the command.
 * @param {string} [options.cwd]
 * @param {(line: string) => void} [options.log] Where progress lines go in log mode.
 * @param {NodeJS.WriteStream} [options.terminal] A TTY to rewrite one line on; default: stdout if it
 *   is one and CI is not set.
 * @param {number} [options.intervalMs] How often a line is printed in log mode (default 15 s).
 */
export function runWithProgress(command, args, options) {
  const { label, env = process.env, cwd, log = (line) => console.log(line) } = options;
  // CI logs keep every line even where the runner gives us a terminal.
  const terminal = options.terminal ?? (process.stdout.isTTY && !env.CI ? process.stdout : undefined);
  const intervalMs = options.intervalMs ?? (terminal ? 1_000 : 15_000);
  const tracker = TRACKERS[options.tracker]();
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  return new Promise((resolve) => {
    let output = '';
    let partial = '';
    const collect = (chunk) => {
      const text = partial + chunk;
      const lines = text.split('\n');
      partial = lines.pop();
      for (const line of lines) tracker.track(tracker.state, line);
      output += chunk;
      if (output.length > 400_000) output = output.slice(-200_000);
    };
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const print = () => {
      const line = formatProgressLine(label, seconds(), tracker.describe(tracker.state));
      if (terminal) terminal.write(`\r\x1b[K${line.slice(0, (terminal.columns || 120) - 1)}`);
      else log(line);
    };
    const timer = setInterval(print, intervalMs);
    let finished = false;
    const finish = (result) => {
      // A command that cannot start reports 'error' and may report 'close' too.
      if (finished) return;
      finished = true;
      clearInterval(timer);
      if (terminal) terminal.write('\r\x1b[K');
      const { code, signal, failure = '' } = result;
      resolve({ code, signal, output: `${output}${partial}${failure}`, seconds: seconds() });
    };
    child.on('error', (error) => finish({ code: 1, signal: null, failure: `\n${error.message}` }));
    child.on('close', (code, signal) => finish({ code: code ?? 1, signal }));
  });
}

/** The last `lines` lines of a command's output, indented, for an error message. */
export function outputTail(text, lines = 40) {
  return text
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .map((line) => `    ${line}`)
    .join('\n');
}
